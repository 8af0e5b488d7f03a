"""Objects of county A for the URL access tests (tests/test_url_coverage.py), built once per world."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import World


def _setup(w: World) -> Any:
    from shuangsuiji.inspections.models import InspectionRecord
    from tests.inspections.factories import generated

    if not InspectionRecord.objects.filter(owner=w.orgs["a"]).exists():
        s, _, _ = generated(w, methods=["on_site", "documents"])
        s.task.window_start = datetime.date(2020, 1, 1)
        s.task.save(update_fields=["window_start"])
    return InspectionRecord.objects.filter(owner=w.orgs["a"]).order_by("number")


def record(w: World) -> Any:
    return _setup(w).first()


def task(w: World) -> Any:
    return record(w).task


def evidence(w: World) -> Any:
    from shuangsuiji.inspections.models import Evidence
    from shuangsuiji.inspections.services import evidence_add
    from tests.inspections.factories import jpeg_bytes

    found = Evidence.objects.filter(owner=w.orgs["a"]).first()
    if found is not None:
        return found
    return evidence_add(actor=w.users["a_admin"], record=record(w),
                        upload=SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg"))


def notice(w: World) -> Any:
    from shuangsuiji.inspections.models import InspectionNotice
    from shuangsuiji.inspections.services import notice_issue

    found = InspectionNotice.objects.filter(owner=w.orgs["a"]).first()
    return found or notice_issue(actor=w.users["a_admin"], record=record(w), method="documents")


def case(w: World) -> Any:
    from shuangsuiji.inspections.models import FollowUpCase
    from shuangsuiji.inspections.services import record_review, record_submit_result
    from tests.inspections.factories import entry_for

    found = FollowUpCase.objects.filter(owner=w.orgs["a"]).first()
    if found is not None:
        return found
    second = _setup(w).last()
    entry = entry_for(second, fail={"对公共场所卫生的监督检查": "无健康证明"}, codes=["21"],
                      inspected_on=timezone.localdate())
    submitted = record_submit_result(actor=w.users["a_admin"], record=second, entry=entry)
    record_review(actor=w.users["a_staff"], record=submitted, approve=True)
    return FollowUpCase.objects.get(record=second)
