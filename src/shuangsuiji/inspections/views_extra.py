"""Context the record page adds for the issue-20 features (team 指派, testing, …), kept out of views.py."""

from __future__ import annotations

from typing import Any

from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.inspections.views_measures import MeasureForm
from shuangsuiji.inspections.views_team import MemberAssignForm, can_manage_team
from shuangsuiji.inspections.views_testing import ReportForm, TestingForm


def record_detail_extra(request: AuthedHttpRequest, record: InspectionRecord) -> dict[str, Any]:
    manage = can_manage_team(request, record)
    return {
        "can_manage_team": manage,
        "member_form": MemberAssignForm(actor=request.user) if manage else None,
        "testings": record.testings.select_related("report_file").order_by("pk"),
        "testing_form": TestingForm(),
        "report_form": ReportForm(),
        "entry_hold": _entry_hold(record),
        "measures": record.measures.order_by("occurred_on", "pk"),
        "measure_form": MeasureForm() if record.status == "approved" and _can_enter_ledger(request, record) else None,
    }


def _can_enter_ledger(request: AuthedHttpRequest, record: InspectionRecord) -> bool:
    from shuangsuiji.accounts.scope import Perm, has_perm, user_bureau

    bureau = user_bureau(request.user)
    return has_perm(request.user, Perm.INSPECTION_ENTER) and (
        request.user.is_superuser or (bureau is not None and bureau.pk == record.owner_id))


def _entry_hold(record: InspectionRecord) -> Any:
    from shuangsuiji.inspections.testing import _entry_deadline

    return _entry_deadline(record)
