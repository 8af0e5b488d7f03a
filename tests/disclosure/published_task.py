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


def published_nonrandom_task(world: World, source: str, title: str, *, publish: bool = True) -> Task:
    """A non-random task of county A (one target, a 指派 team), its record reviewed, completed, published."""
    import datetime

    from shuangsuiji.disclosure.services import results_publish_task
    from shuangsuiji.inspections.nonrandom import nonrandom_records_generate
    from shuangsuiji.inspections.services import record_review, record_submit_result
    from shuangsuiji.planning.nonrandom import nonrandom_task_create
    from tests.inspections.factories import entry_for, make_inspector

    admin = world.users["a_admin"]
    task = nonrandom_task_create(
        actor=admin, title=title, source=source, reference=f"{source}-1", received_on=datetime.date(2026, 11, 2),
        summary="线索（内部）", items=[world.items["a"]], targets=[world.targets["a"]],
        window_start=datetime.date(2026, 11, 3), window_end=datetime.date(2026, 11, 30),
    )
    helper = make_inspector(world, "a", f"执法{source}")
    for record in nonrandom_records_generate(actor=admin, task=task, leader=world.inspectors["a"], members=[helper]):
        record_review(actor=world.users["a_staff"], record=record_submit_result(actor=admin, record=record,
                                                                                entry=entry_for(record)), approve=True)
    task.refresh_from_db()
    if publish:
        results_publish_task(actor=admin, task=task)
        task.refresh_from_db()
    return task
