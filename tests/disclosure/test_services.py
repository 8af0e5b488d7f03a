"""Publication services: audit rows, idempotence, scope refusal, withholding with a reason; deadlines."""

from __future__ import annotations

import datetime

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.deadlines import (
    DeadlineState,
    PublicationKind,
    publication_deadline,
    publication_due,
)
from shuangsuiji.disclosure.models import PublishedResult, ResultRelease
from shuangsuiji.disclosure.selectors_results import ResultFilters, search_results
from tests.disclosure.factories import Portal

pytestmark = pytest.mark.django_db


def test_publish_is_audited_and_idempotent(portal: Portal) -> None:
    release = ResultRelease.objects.get(task=portal.task)
    assert release.public_count == len(portal.results) and release.withheld_count == 1
    entry = AuditEntry.objects.get(event="disclosure.results_publish")
    assert entry.changes["withheld"] == 1 and "不予公开" in next(iter(entry.changes["withheld_reasons"].values()))
    result = portal.results[0]
    assert result.target is not None
    again = services.results_publish(
        actor=portal.world.users["a_admin"], task=portal.task,
        entries=[services.ResultEntry(source_key=result.source_key, target=result.target,
                                      inspected_on=result.inspected_on, result_group="no_problem",
                                      result_label="未发现问题")],
    )
    assert again.release is None and again.skipped == [result.source_key]
    assert ResultRelease.objects.filter(task=portal.task).count() == 1


def test_publish_refused_out_of_scope_and_bad_input(portal: Portal) -> None:
    target = portal.world.targets["a"]
    entry = services.ResultEntry(source_key="x:1", target=target, inspected_on=datetime.date(2026, 3, 1),
                                 result_group="no_problem", result_label="未发现问题")
    with pytest.raises(PermissionDeniedError):
        services.results_publish(actor=portal.world.users["b_admin"], task=portal.task, entries=[entry])
    with pytest.raises(PermissionDeniedError):
        services.results_publish(actor=portal.world.users["a_leader"], task=portal.task, entries=[entry])
    bad = services.ResultEntry(source_key="x:2", target=target, inspected_on=datetime.date(2026, 3, 1),
                               result_group="bogus", result_label="?")
    with pytest.raises(ApplicationError, match="未知的结果公示类别"):
        services.results_publish(actor=portal.world.users["a_admin"], task=portal.task, entries=[bad])
    with pytest.raises(ApplicationError, match="没有可公示"):
        services.results_publish(actor=portal.world.users["a_admin"], task=portal.task, entries=[])


def test_withhold_later_needs_reason_and_hides_result(portal: Portal) -> None:
    result = portal.results[0]
    with pytest.raises(ApplicationError, match="依据和理由"):
        services.result_withhold(actor=portal.world.users["a_admin"], result=result, reason=" ")
    services.result_withhold(actor=portal.world.users["a_admin"], result=result, reason="法院裁定")
    assert not PublishedResult.objects.get(pk=result.pk).is_public
    page = search_results(ResultFilters(q=result.uscc))
    assert page.rows == []
    assert AuditEntry.objects.filter(event="disclosure.result_withhold").count() == 1


def test_penalty_publication_deadline_is_seven_working_days(portal: Portal) -> None:
    penalty = next(p for r in portal.results for p in r.penalties.all())
    # Decided on Wednesday 2026-04-15: 7 working days later is Friday 2026-04-24.
    assert penalty.due_on == datetime.date(2026, 4, 24)
    with pytest.raises(ApplicationError, match="已公示"):
        services.penalty_publish(
            actor=portal.world.users["a_admin"], result=penalty.result,
            entry=services.PenaltyEntry(source_key=penalty.source_key, decision_no=penalty.decision_no,
                                        decided_on=penalty.decided_on, authority="x", violation="x", content="x"),
        )


def test_deadline_arithmetic_uses_working_days() -> None:
    # Task completed 2026-09-30: the National Day holiday (10月1日–8日) is not counted.
    due = publication_due(PublicationKind.RESULT, datetime.date(2026, 9, 30))
    assert due.date > datetime.date(2026, 10, 28) and not due.provisional
    start = datetime.date(2026, 4, 1)
    on_time = publication_deadline(PublicationKind.RESULT, start=start, published_on=datetime.date(2026, 4, 20),
                                   today=datetime.date(2026, 6, 1))
    assert on_time.state == DeadlineState.ON_TIME
    late = publication_deadline(PublicationKind.RESULT, start=start, published_on=datetime.date(2026, 6, 1),
                                today=datetime.date(2026, 6, 1))
    assert late.state == DeadlineState.LATE and late.is_late
    overdue = publication_deadline(PublicationKind.RESULT, start=start, published_on=None,
                                   today=datetime.date(2026, 6, 1))
    assert overdue.state == DeadlineState.OVERDUE
    near = publication_deadline(PublicationKind.PENALTY, start=datetime.date(2026, 4, 15), published_on=None,
                                today=datetime.date(2026, 4, 22))
    assert near.state == DeadlineState.NEAR
    pending = publication_deadline(PublicationKind.RESULT, start=start, published_on=None,
                                   today=datetime.date(2026, 4, 2))
    assert pending.state == DeadlineState.PENDING
