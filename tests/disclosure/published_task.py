"""A task taken through the real services to 已公示 with a 行政处罚 published (for exports and archives)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuangsuiji.inspections import followup
from shuangsuiji.inspections.models import FollowUpCase
from shuangsuiji.inspections.services import record_review, record_submit_result
from shuangsuiji.planning.models import Task, TaskState
from tests.conftest import World
from tests.inspections.factories import entry_for, generated


@dataclass
class PublishedTask:
    task: Task
    hotel: Any
    clinic: Any
    case: FollowUpCase
    setup: Any


def published_task(world: World) -> PublishedTask:
    setup, hotel, clinic = generated(world)
    task = setup.task
    admin, reviewer = world.users["a_admin"], world.users["a_staff"]
    record_review(actor=reviewer, record=record_submit_result(actor=admin, record=hotel, entry=entry_for(hotel)),
                  approve=True)
    failing = entry_for(clinic, fail={clinic.items.first().name: "从业人员无健康证明"}, codes=["221"])
    record_review(actor=reviewer, record=record_submit_result(actor=admin, record=clinic, entry=failing), approve=True)
    Task.objects.filter(pk=task.pk).update(
        state=TaskState.COMPLETED, completed_at=datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC)
    )
    staff = world.client("a_admin")
    staff.post(f"/disclosure/tasks/{task.pk}/publish/", {f"withhold_{hotel.pk}": ""})
    case = FollowUpCase.objects.get(record=clinic)
    followup.case_set_conditions(actor=admin, case=case, case_filing=True, abnormal_list=False,
                                 serious_illegal=False, note="符合立案条件")
    followup.case_file(actor=admin, case=case, case_number="莲卫立〔2026〕8号", filed_on=datetime.date(2026, 11, 23))
    followup.case_decide_penalty(actor=admin, case=case, decision_number="莲卫罚〔2026〕8号",
                                 decided_on=datetime.date(2026, 11, 24), content="警告，并处罚款人民币贰仟元",
                                 amount=Decimal("2000"))
    staff.post(f"/disclosure/tasks/{task.pk}/publish/", {"penalty": str(case.pk)})
    task.refresh_from_db()
    case.refresh_from_db()
    return PublishedTask(task=task, hotel=hotel, clinic=clinic, case=case, setup=setup)
