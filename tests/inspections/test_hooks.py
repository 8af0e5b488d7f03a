"""The inspection hooks: deadlines opened and completed on working-day dates, idempotence, task transitions.

Today is 2026年11月25日 (Wednesday, see conftest). Known dates of the 2026 calendar used below:
the task window ends 2026-12-15 (Tuesday) → +10 working days = 2026-12-29; inspected 2026-11-20 (Friday) →
+10 = 2026-12-04; submitted 2026-11-25 → +5 (审核) = 2026-12-02, +7 (处罚公示) = 2026-12-04,
+20 (结果公示) = 2026-12-23.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.deadlines.models import Accountability, Deadline, DeadlineKind
from shuangsuiji.inspections import followup, hooks
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, RecordStatus
from shuangsuiji.inspections.services import record_review, record_submit_result, records_generate_for_task
from shuangsuiji.planning.models import TaskState, TaskTransition
from tests.conftest import World
from tests.inspections.factories import confirm_draw, entry_for, generated, make_target

pytestmark = pytest.mark.django_db
PROBLEM = {"对公共场所卫生的监督检查": "2名从业人员无健康合格证明"}


def deadline_of(subject: Any, kind: str) -> Deadline:
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, kind=kind
    )


def deadlines_of(subject: Any) -> list[Deadline]:
    return list(Deadline.objects.filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk))


# ---------------------------------------------------------------------------------------- records


def test_generation_opens_provisional_entry_deadlines_and_starts_the_task(world: World) -> None:
    s, hotel, clinic = generated(world)
    for record in (hotel, clinic):
        entry = deadline_of(record, DeadlineKind.RESULT_ENTRY)
        assert entry.start_date == datetime.date(2026, 12, 15) and entry.workdays == 10
        assert entry.due_date == datetime.date(2026, 12, 29) == record.entry_deadline
        assert "检查日期未定" in entry.rule and entry.completed_at is None
        assert entry.owner == s.task.owner
    # the team leader's account is reminded when it has one (李四 is only a member of team 1: the admin)
    assert deadline_of(hotel, DeadlineKind.RESULT_ENTRY).responsible in (world.users["a_inspector"], world.users["a_admin"])
    s.task.refresh_from_db()
    assert s.task.state == TaskState.INSPECTING
    transition = TaskTransition.objects.get(task=s.task)
    assert (transition.from_state, transition.to_state) == (TaskState.INSPECTORS_MATCHED, TaskState.INSPECTING)
    assert transition.actor == world.users["a_admin"]
    assert AuditEntry.objects.filter(event="task.transition").count() == 1
    opened = AuditEntry.objects.get(event="deadline.open")  # one entry for the batch of the generation
    assert opened.changes["count"] == 2 and opened.changes["due_dates"] == ["2026-12-29"]


def test_generation_twice_and_hooks_twice_create_nothing_new(world: World) -> None:
    s, hotel, _ = generated(world)
    before = (Deadline.objects.count(), TaskTransition.objects.count(), AuditEntry.objects.filter(
        event__startswith="deadline.").count())
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    hooks.on_record_created(actor=world.users["a_admin"], record=hotel)
    hooks.on_records_generated(actor=world.users["a_admin"], task=s.task, created=[hotel])
    hooks.on_result_submitted(actor=world.users["a_admin"], record=hotel)  # not inspected yet: nothing to do
    after = (Deadline.objects.count(), TaskTransition.objects.count(), AuditEntry.objects.filter(
        event__startswith="deadline.").count())
    assert after == before


def test_submission_moves_the_entry_deadline_to_the_inspection_day_and_completes_it(world: World) -> None:
    _, hotel, _ = generated(world)
    record = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    entry = deadline_of(record, DeadlineKind.RESULT_ENTRY)
    assert entry.start_date == datetime.date(2026, 11, 20)
    assert entry.due_date == datetime.date(2026, 12, 4) == record.entry_deadline
    assert "自检查之日" in entry.rule and not entry.provisional
    assert entry.completed_on == datetime.date(2026, 11, 25) and not entry.completed_late
    assert entry.completed_by == world.users["a_inspector"]
    review = deadline_of(record, DeadlineKind.INSPECTION_REVIEW)
    assert review.start_date == datetime.date(2026, 11, 25) and review.due_date == datetime.date(2026, 12, 2)
    assert review.completed_at is None
    # the hook again: nothing new, nothing moved
    count = Deadline.objects.count()
    hooks.on_result_submitted(actor=world.users["a_inspector"], record=record)
    assert Deadline.objects.count() == count
    assert deadline_of(record, DeadlineKind.RESULT_ENTRY).completed_at == entry.completed_at


def test_late_entry_completes_late_with_accountability(world: World) -> None:
    _, hotel, _ = generated(world)
    record = record_submit_result(
        actor=world.users["a_inspector"], record=hotel,
        entry=entry_for(hotel, inspected_on=datetime.date(2026, 11, 6)),
    )
    entry = deadline_of(record, DeadlineKind.RESULT_ENTRY)
    assert entry.due_date == datetime.date(2026, 11, 20) and record.entered_late
    assert entry.completed_late and entry.late_workdays == 3  # 23, 24, 25 November
    assert Accountability.objects.get(deadline=entry).late_workdays == 3


def test_return_reopens_the_entry_deadline_and_resubmission_reopens_the_review(world: World) -> None:
    _, hotel, _ = generated(world)
    record = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    record = record_review(actor=world.users["a_staff"], record=record, approve=False, comment="检查情况描述不完整")
    entry = deadline_of(record, DeadlineKind.RESULT_ENTRY)
    assert entry.completed_at is None and entry.due_date == datetime.date(2026, 12, 4)  # the statutory date
    assert deadline_of(record, DeadlineKind.INSPECTION_REVIEW).completed_by == world.users["a_staff"]
    assert AuditEntry.objects.filter(event="deadline.reopen").count() == 1
    record = record_submit_result(actor=world.users["a_inspector"], record=record, entry=entry_for(record))
    assert deadline_of(record, DeadlineKind.RESULT_ENTRY).completed_at is not None
    review = deadline_of(record, DeadlineKind.INSPECTION_REVIEW)
    assert review.completed_at is None and review.due_date == datetime.date(2026, 12, 2)
    assert len(deadlines_of(record)) == 2


def test_redraw_withdraws_the_deadlines_of_cancelled_records(world: World) -> None:
    s, hotel, clinic = generated(world)
    other = make_target(world, "a", "莲池区新华宾馆", "92130606MA0HTLX2X", ["public_places"])
    confirm_draw(world, s.task, [other], [s.inspectors[:2]], sequence=2)
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    for record in (hotel, clinic):
        record.refresh_from_db()
        assert record.status == RecordStatus.CANCELLED and deadlines_of(record) == []
    assert AuditEntry.objects.filter(event="deadline.withdraw").count() == 2
    new = InspectionRecord.objects.get(task=s.task, target=other)
    assert deadline_of(new, DeadlineKind.RESULT_ENTRY).due_date == datetime.date(2026, 12, 29)


# ---------------------------------------------------------------------------------------- task state


def test_last_approval_completes_the_task_and_opens_result_publication(world: World) -> None:
    s, hotel, clinic = generated(world)
    reviewer = world.users["a_staff"]
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    clinic = record_submit_result(actor=world.users["a_admin"], record=clinic, entry=entry_for(clinic))
    record_review(actor=reviewer, record=hotel, approve=True)
    s.task.refresh_from_db()
    assert s.task.state == TaskState.INSPECTING  # the clinic is still waiting for review
    assert not Deadline.objects.filter(kind=DeadlineKind.RESULT_PUBLICATION).exists()
    record_review(actor=reviewer, record=clinic, approve=True)
    s.task.refresh_from_db()
    assert s.task.state == TaskState.COMPLETED and s.task.completed_at is not None
    last = TaskTransition.objects.filter(task=s.task).latest("pk")
    assert (last.from_state, last.to_state, last.actor) == (TaskState.INSPECTING, TaskState.COMPLETED, reviewer)
    publication = deadline_of(s.task, DeadlineKind.RESULT_PUBLICATION)
    assert publication.start_date == datetime.date(2026, 11, 25)
    assert publication.due_date == datetime.date(2026, 12, 23)  # 20 working days
    assert hooks.task_complete_if_reviewed(actor=reviewer, task=s.task) is False  # already 已完成


def test_cancelled_records_do_not_hold_the_task_back(world: World) -> None:
    s, hotel, clinic = generated(world)
    InspectionRecord.objects.filter(pk=clinic.pk).update(status=RecordStatus.CANCELLED)
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    record_review(actor=world.users["a_staff"], record=hotel, approve=True)
    s.task.refresh_from_db()
    assert s.task.state == TaskState.COMPLETED


def test_a_leader_approving_the_last_record_leaves_the_completion_to_the_programme_office(world: World) -> None:
    s, hotel, clinic = generated(world)
    InspectionRecord.objects.filter(pk=clinic.pk).update(status=RecordStatus.CANCELLED)
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    record_review(actor=world.users["a_leader"], record=hotel, approve=True)  # no planning permission
    s.task.refresh_from_db()
    assert s.task.state == TaskState.INSPECTING
    assert hooks.task_complete_if_reviewed(actor=world.users["a_admin"], task=s.task) is True
    s.task.refresh_from_db()
    assert s.task.state == TaskState.COMPLETED


# ---------------------------------------------------------------------------------------- follow-up cases


def _approved_with_problem(world: World) -> FollowUpCase:
    _, hotel, _ = generated(world)
    record = record_submit_result(
        actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel, fail=PROBLEM, codes=["21"])
    )
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    return FollowUpCase.objects.get(record=record)


def test_rectification_deadline_follows_the_order_and_the_recheck(world: World) -> None:
    case = _approved_with_problem(world)
    rectify = deadline_of(case, DeadlineKind.RECTIFICATION)
    assert rectify.start_date == datetime.date(2026, 11, 20) and rectify.workdays == 10
    assert rectify.due_date == datetime.date(2026, 12, 4) == case.rectify_deadline
    assert rectify.responsible is not None
    staff = world.users["a_staff"]
    case = followup.case_record_recheck(
        actor=staff, case=case, rechecked_on=datetime.date(2026, 11, 24), passed=False, note="仍有1人未取得健康证明"
    )
    rectify = deadline_of(case, DeadlineKind.RECTIFICATION)
    assert rectify.completed_on == datetime.date(2026, 11, 24) and not rectify.completed_late
    # a new order: the same deadline reopens with the new dates (one deadline per case)
    case = followup.case_order_rectification(
        actor=staff, case=case, ordered_on=datetime.date(2026, 11, 25), workdays=5, requirement="限期补办健康证明"
    )
    rectify = deadline_of(case, DeadlineKind.RECTIFICATION)
    assert rectify.completed_at is None and rectify.due_date == datetime.date(2026, 12, 2) == case.rectify_deadline
    assert Deadline.objects.filter(kind=DeadlineKind.RECTIFICATION).count() == 1
    hooks.on_rectification_ordered(actor=staff, case=case)
    assert Deadline.objects.filter(kind=DeadlineKind.RECTIFICATION).count() == 1


def test_penalty_decision_opens_its_seven_working_day_publication_deadline(world: World) -> None:
    case = _approved_with_problem(world)
    admin = world.users["a_admin"]
    case = followup.case_file(actor=admin, case=case, case_number="莲卫立〔2026〕7号", filed_on=datetime.date(2026, 11, 23))
    case = followup.case_decide_penalty(
        actor=admin, case=case, decision_number="莲卫罚〔2026〕7号", decided_on=datetime.date(2026, 11, 25),
        content="警告，并处罚款3000元", amount=Decimal("3000"),
    )
    penalty = deadline_of(case, DeadlineKind.PENALTY_PUBLICATION)
    assert penalty.due_date == datetime.date(2026, 12, 4) == case.penalty_publish_deadline
    assert penalty.workdays == 7 and penalty.responsible == admin and penalty.completed_at is None
    hooks.on_penalty_decided(actor=admin, case=case)
    assert Deadline.objects.filter(kind=DeadlineKind.PENALTY_PUBLICATION).count() == 1


def test_suspended_hooks_open_no_deadline_but_still_move_the_task(world: World) -> None:
    with hooks.suspended():
        s, hotel, _ = generated(world)
    assert deadlines_of(hotel) == []
    s.task.refresh_from_db()
    assert s.task.state == TaskState.INSPECTING
