"""Deadline services and selectors: rules, idempotence, statuses over time, completion, counts, scope."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.deadlines import selectors
from shuangsuiji.deadlines.models import (
    Accountability,
    AccountabilityTrigger,
    Deadline,
    DeadlineKind,
    DeadlineSettings,
    DeadlineStatus,
)
from shuangsuiji.deadlines.services import deadline_complete, deadline_open
from tests.conftest import World
from tests.deadlines.factories import frozen, plan, result_entry

D = datetime.date


def test_working_day_kinds_use_their_counts(world: World) -> None:
    start = D(2026, 9, 30)  # before National Day 2026
    expected = {
        DeadlineKind.DRAW_CONFIRMATION: D(2026, 10, 9),  # 2 working days: 10月8日, 9日
        DeadlineKind.RESULT_ENTRY: D(2026, 10, 20),
        DeadlineKind.PENALTY_PUBLICATION: D(2026, 10, 15),  # 8, 9, 10(调休), 12, 13, 14, 15
        DeadlineKind.RESULT_PUBLICATION: D(2026, 11, 3),
    }
    subject = plan(world)
    for kind, due in expected.items():
        deadline = deadline_open(subject=subject, kind=kind, start_date=start, organization=world.orgs["a"])
        assert deadline.due_date == due, kind
        assert not deadline.provisional and "次日起" in deadline.rule


def test_fixed_dates_roll_to_the_next_working_day(world: World) -> None:
    subject = plan(world, year=2026)
    annual = deadline_open(subject=subject, kind=DeadlineKind.ANNUAL_PLAN_FILING, organization=world.orgs["a"])
    assert annual.nominal_due == D(2026, 1, 31) and annual.due_date == D(2026, 2, 2)  # 1月31日 is a Saturday
    half = deadline_open(subject=subject, kind=DeadlineKind.HALF_YEAR_REPORT, organization=world.orgs["a"])
    assert half.due_date == D(2026, 7, 2)
    full = deadline_open(subject=subject, kind=DeadlineKind.ANNUAL_REPORT, organization=world.orgs["a"])
    assert full.due_date == D(2026, 11, 16)  # 11月15日 is a Sunday
    joint = deadline_open(subject=subject, kind=DeadlineKind.JOINT_PLAN_FILING, organization=world.orgs["a"])
    assert joint.due_date == D(2026, 3, 31)


def test_next_year_fixed_date_is_provisional(world: World) -> None:
    deadline = deadline_open(
        subject=plan(world, year=2027), kind=DeadlineKind.ANNUAL_PLAN_FILING, organization=world.orgs["a"]
    )
    assert deadline.provisional and deadline.due_date == D(2027, 2, 1)
    assert "2027年法定节假日安排尚未录入" in deadline.provisional_reason


def test_region_settings_override_defaults_and_inherit_down(world: World) -> None:
    DeadlineSettings.objects.create(region=world.regions["city"], annual_plan_month=2, annual_plan_day=28,
                                    result_entry_workdays=5)
    DeadlineSettings.objects.create(region=world.regions["b"], result_entry_workdays=15)
    subject_a, subject_b = plan(world, "a", 2026), plan(world, "b", 2026)
    a = deadline_open(subject=subject_a, kind=DeadlineKind.ANNUAL_PLAN_FILING, organization=world.orgs["a"])
    # city setting, inherited by county A; 2月28日 is a 调休 Saturday (working day): no roll
    assert a.nominal_due == a.due_date == D(2026, 2, 28)
    entry_a = deadline_open(subject=subject_a, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 2),
                            organization=world.orgs["a"])
    entry_b = deadline_open(subject=subject_b, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 2),
                            organization=world.orgs["b"])
    assert entry_a.workdays == 5 and entry_b.workdays == 15  # county B's own row wins


def test_explicit_due_date(world: World) -> None:
    deadline = deadline_open(subject=plan(world), kind=DeadlineKind.RESULT_ENTRY, due_date=D(2026, 12, 4),
                             organization=world.orgs["a"])
    assert deadline.due_explicit and deadline.due_date == D(2026, 12, 4) and deadline.remind_on == D(2026, 12, 1)


def test_open_is_idempotent_per_subject_and_kind(world: World) -> None:
    subject = plan(world)
    first = deadline_open(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 2),
                          organization=world.orgs["a"], actor=world.users["a_admin"])
    again = deadline_open(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 20),
                          organization=world.orgs["a"])
    assert again.pk == first.pk and again.due_date == first.due_date
    assert Deadline.objects.count() == 1
    entry = AuditEntry.objects.get(event="deadline.open")
    assert entry.actor == world.users["a_admin"] and entry.organization == world.orgs["a"]


def test_open_validates_input(world: World) -> None:
    with pytest.raises(ApplicationError, match="起算日期"):
        deadline_open(subject=plan(world), kind=DeadlineKind.RESULT_ENTRY, organization=world.orgs["a"])
    with pytest.raises(ApplicationError, match="未知的期限类型"):
        deadline_open(subject=plan(world), kind="nonsense", start_date=D(2026, 1, 5), organization=world.orgs["a"])
    with pytest.raises(ApplicationError, match="不属于"):
        result_entry(world, start=D(2026, 11, 2), responsible="b_admin")


def test_deadline_belongs_to_the_bureau_of_a_section(world: World) -> None:
    deadline = deadline_open(subject=plan(world), kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 2),
                             organization=world.orgs["a_section"], responsible=world.users["a_staff"])
    assert deadline.owner == world.orgs["a"] and deadline.organization == world.orgs["a_section"]


def test_status_transitions_over_time(world: World) -> None:
    deadline = result_entry(world, start=D(2026, 11, 25))  # due 12月9日, reminder from 12月4日
    assert (deadline.due_date, deadline.remind_on) == (D(2026, 12, 9), D(2026, 12, 4))
    expected = [
        (D(2026, 12, 3), DeadlineStatus.PENDING),
        (D(2026, 12, 4), DeadlineStatus.NEAR),
        (D(2026, 12, 9), DeadlineStatus.NEAR),
        (D(2026, 12, 10), DeadlineStatus.OVERDUE),
    ]
    for day, status in expected:
        with frozen(day):
            row = selectors.deadline_get(actor=world.users["a_admin"], pk=deadline.pk)
            assert row.current_status == status == deadline.status_on(day), day
            counts = selectors.deadline_status_counts(actor=world.users["a_admin"])
            assert counts[status] == 1 and counts["total"] == 1
            listed = selectors.deadline_list(actor=world.users["a_admin"], filters={"status": status.value})
            assert [d.pk for d in listed] == [deadline.pk]
    with frozen(D(2026, 12, 14)):
        deadline_complete(subject=deadline.subject, kind=DeadlineKind.RESULT_ENTRY, actor=world.users["a_inspector"])
        row = selectors.deadline_get(actor=world.users["a_admin"], pk=deadline.pk)
        assert row.current_status == DeadlineStatus.COMPLETED
        assert row.completed_late and row.late_workdays == 3  # 10日, 11日, 14日


def test_complete_on_time_and_idempotent(world: World) -> None:
    deadline = result_entry(world, start=D(2026, 11, 25))
    with frozen(D(2026, 12, 9), hour=23):
        done = deadline_complete(subject=deadline.subject, kind=DeadlineKind.RESULT_ENTRY,
                                 actor=world.users["a_inspector"])
    assert done is not None and done.completed_on == D(2026, 12, 9) and not done.completed_late
    again = deadline_complete(subject=deadline.subject, kind=DeadlineKind.RESULT_ENTRY, actor=None)
    assert again is not None and again.completed_at == done.completed_at
    assert AuditEntry.objects.filter(event="deadline.complete").count() == 1
    assert not Accountability.objects.exists()
    assert deadline_complete(subject=deadline.subject, kind=DeadlineKind.DRAW_CONFIRMATION, actor=None) is None


def test_completing_late_records_accountability(world: World) -> None:
    deadline = result_entry(world, start=D(2026, 11, 25))
    when = datetime.datetime(2026, 12, 11, 10, tzinfo=datetime.UTC)
    deadline_complete(subject=deadline.subject, kind=DeadlineKind.RESULT_ENTRY, actor=world.users["a_inspector"],
                      when=when)
    record = Accountability.objects.get(deadline=deadline)
    assert record.trigger == AccountabilityTrigger.COMPLETED_LATE and record.late_workdays == 2
    assert record.person == world.users["a_inspector"] and record.completed_on == D(2026, 12, 11)
    assert AuditEntry.objects.filter(event="accountability.open").count() == 1


def test_deadlines_for_subject_and_generic_fk(world: World) -> None:
    subject = plan(world)
    deadline_open(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 2),
                  organization=world.orgs["a"])
    deadline_open(subject=subject, kind=DeadlineKind.DRAW_CONFIRMATION, start_date=D(2026, 11, 2),
                  organization=world.orgs["a"])
    rows = selectors.deadlines_for_subject(actor=world.users["a_admin"], subject=subject)
    assert [row.kind for row in rows] == [DeadlineKind.DRAW_CONFIRMATION, DeadlineKind.RESULT_ENTRY]
    assert rows[0].subject == subject and rows[0].content_type == ContentType.objects.get_for_model(subject)
    assert selectors.deadlines_for_subject(actor=world.users["b_admin"], subject=subject) == []


def test_scope_other_county_cannot_see_upper_level_can(world: World) -> None:
    deadline = result_entry(world, start=D(2026, 11, 2))
    result_entry(world, start=D(2026, 11, 2), key="b", responsible="b_admin")
    assert [d.pk for d in selectors.deadline_list(actor=world.users["a_admin"])] == [deadline.pk]
    assert deadline.pk not in [d.pk for d in selectors.deadline_list(actor=world.users["b_admin"])]
    assert selectors.deadline_list(actor=world.users["city_admin"]).count() == 2
    rows = selectors.deadline_counts_by_organization(actor=world.users["city_supervisor"], today=D(2026, 11, 3))
    assert [(row["organization"].name, row["pending"]) for row in rows] == [
        ("莲池区卫生健康局", 1), ("涞源县卫生健康局", 1)
    ]
    public = selectors.deadline_counts_for_owners(owner_ids=[world.orgs["b"].pk], today=D(2026, 12, 31))
    assert public[0]["overdue"] == 1 and public[0]["total"] == 1


def test_counts_are_one_query(world: World, django_assert_num_queries: object) -> None:
    for _ in range(3):
        result_entry(world, start=D(2026, 11, 2))
    user = world.users["a_admin"]
    selectors.deadline_status_counts(actor=user)  # warms the per-user scope cache
    with django_assert_num_queries(1):  # type: ignore[operator]
        counts = selectors.deadline_status_counts(actor=user, today=D(2026, 11, 3))
    assert counts == {"pending": 3, "near": 0, "overdue": 0, "completed": 0, "completed_late": 0, "total": 3}


def test_changing_the_settings_replans_open_deadlines_that_followed_them(world: World) -> None:
    """A new 录入 limit for the city moves county A's open default deadlines; a completed one, a business-set
    limit and county B (its own row) stay as they were."""
    from shuangsuiji.deadlines.services import deadline_settings_save

    DeadlineSettings.objects.create(region=world.regions["b"], result_entry_workdays=15)
    entry = result_entry(world, start=D(2026, 11, 2))  # 10 working days: 11月16日
    custom = deadline_open(subject=plan(world), kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 2),
                           organization=world.orgs["a"], workdays=3)
    done = result_entry(world, start=D(2026, 11, 2))
    deadline_complete(subject=ContentType.objects.get_for_id(done.content_type_id).get_object_for_this_type(
        pk=done.object_id), kind=DeadlineKind.RESULT_ENTRY, actor=world.users["a_admin"])
    entry_b = result_entry(world, start=D(2026, 11, 2), key="b", responsible=None)
    filing = deadline_open(subject=plan(world, "a", 2027), kind=DeadlineKind.ANNUAL_PLAN_FILING,
                           organization=world.orgs["a"])
    with pytest.raises(ApplicationError):  # 科室人员 do not maintain the 时限
        deadline_settings_save(actor=world.users["a_staff"], row=DeadlineSettings(region=world.regions["city"]))
    row = DeadlineSettings(region=world.regions["city"], result_entry_workdays=12, annual_plan_month=2,
                           annual_plan_day=28, reminder_workdays=5)
    moved = deadline_settings_save(actor=world.users["a_admin"], row=row)
    for d in (entry, custom, done, entry_b, filing):
        d.refresh_from_db()
    assert entry.workdays == 12 and entry.due_date == D(2026, 11, 18) and "12个工作日" in entry.rule
    assert entry.remind_workdays == 5 and entry.remind_on == D(2026, 11, 11)
    assert custom.workdays == 3 and custom.remind_workdays == 5  # a limit the business set itself stays
    assert done.workdays == 10 and done.due_date == D(2026, 11, 16)  # completed: history is not rewritten
    assert entry_b.workdays == 15  # county B has its own row
    assert filing.nominal_due == D(2027, 2, 28) and "2027年2月28日前" in filing.rule
    assert moved == 3
    assert AuditEntry.objects.filter(event="deadline.replan").exists()
    assert AuditEntry.objects.filter(event="deadline_settings.save").exists()
