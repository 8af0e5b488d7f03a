"""Context the record page adds for the issue-20 features (team 指派, testing, …), kept out of views.py."""

from __future__ import annotations

from typing import Any

from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.inspections.views_team import MemberAssignForm, can_manage_team


def record_detail_extra(request: AuthedHttpRequest, record: InspectionRecord) -> dict[str, Any]:
    manage = can_manage_team(request, record)
    return {
        "can_manage_team": manage,
        "member_form": MemberAssignForm(actor=request.user) if manage else None,
    }
