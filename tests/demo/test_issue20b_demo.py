"""The demo steps of issue 20 items 4, 6 and 7 (demo/task_archive.py, item_reviews.py, supervision.py): they run on the real demo
through the services, show every state, and a second run adds nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from shuangsuiji.deadlines.models import Deadline, DeadlineKind
from shuangsuiji.demo import load_demo
from shuangsuiji.directory.models import CheckItem, ItemReview, ItemReviewStatus, ItemStatus
from shuangsuiji.supervision.models import Campaign, CampaignKind, CampaignStatus, PartStatus

TODAY = datetime.date(2026, 11, 25)


@pytest.mark.django_db
def test_issue20b_demo(db: Any) -> None:
    load_demo(size=1500, inspectors=150, today=TODAY, log=lambda _: None)
    # item 6: the city's new item was reviewed by its 政策法规科 and published; 莲池 has a returned and a waiting review
    city_item = CheckItem.objects.get(code="SJ-XD-09", is_current=True)
    assert city_item.status == ItemStatus.PUBLISHED
    approved = ItemReview.objects.get(owner=city_item.owner, status=ItemReviewStatus.APPROVED, entries__item=city_item)
    assert approved.reviewer is not None and approved.reviewer.username == "city_legal"
    assert ItemReview.objects.filter(status=ItemReviewStatus.RETURNED).exclude(opinion="").exists()
    assert ItemReview.objects.filter(status=ItemReviewStatus.SUBMITTED).exists()
    # item 7: the 专项督查's 通报 is issued, 涞源's 整改 accepted, 莲池's answer due in the reminder chain
    special = Campaign.objects.get(kind=CampaignKind.SPECIAL)
    assert special.status == CampaignStatus.ISSUED and special.notice_number
    statuses = {p.bureau.region.name: p.status for p in special.parts.select_related("bureau__region")}
    assert statuses == {"涞源县": PartStatus.ACCEPTED, "莲池区": PartStatus.RECTIFYING}
    open_deadlines = Deadline.objects.filter(kind=DeadlineKind.SUPERVISION_RECTIFICATION, completed_at__isnull=True)
    assert open_deadlines.count() == 1
    cross = Campaign.objects.get(kind=CampaignKind.CROSS)
    assert cross.status == CampaignStatus.OPEN and all(p.checked_by_id for p in cross.parts.all())

    # item 4: a completed and published task with its archive package, which verifies
    from shuangsuiji.core.archive import verify_archive
    from shuangsuiji.oversight.models_archive import TaskArchive
    from shuangsuiji.oversight.task_archive import archive_root

    # version 1 made when the task completed (with the stored 总结报告), version 2 regenerated after publication
    automatic, archive = TaskArchive.objects.order_by("version")
    assert (automatic.version, automatic.trigger, automatic.task_state) == (1, "completion", "completed")
    assert (archive_root() / automatic.summary_pdf_path).read_bytes().startswith(b"%PDF")
    assert (archive.version, archive.trigger) == (2, "manual")
    assert archive.task.state == "published"
    for made in (automatic, archive):
        content = (archive_root() / made.storage_path).read_bytes()
        assert verify_archive(content, expected_manifest_sha256=made.manifest_sha256).ok

    again = load_demo(size=1500, inspectors=150, today=TODAY, log=lambda _: None)
    for key in ("事项清单合法性审查", "专项督查/交叉检查", "任务归档包"):
        assert key not in again.created, key
