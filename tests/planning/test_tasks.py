"""Tasks: creation rules, the guarded state machine, the 工作方案 and its downloads."""

from __future__ import annotations

import io

import pytest
from docx import Document

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.planning import services, task_guards
from shuangsuiji.planning.documents import scheme_docx, scheme_pdf
from shuangsuiji.planning.models import SchemeStatus, Task, TaskState, TaskTransition
from shuangsuiji.planning.scheme_template import split_sections
from shuangsuiji.planning.services import TRANSITIONS
from tests.conftest import World
from tests.planning.conftest import WINDOW, make_task, publish_scheme


def test_task_from_plan_line_takes_line_ratios_and_numbers(pw: World) -> None:
    task = make_task(pw)
    assert task.code == "RW2026-001" and task.state == TaskState.DRAFT
    assert task.ratios == {"A": 1.0, "B": 2.0, "C": 10.0, "D": 30.0}
    assert list(task.specialties.values_list("code", flat=True)) == ["public_places"]
    line = task.plan_line
    second = services.task_create_from_plan_line(
        actor=pw.users["a_admin"], line=line, data={"title": "第二批", "regions": [pw.regions["a"]], **WINDOW}
    )
    assert second.code == "RW2026-002"
    with pytest.raises(ApplicationError, match="管辖范围"):
        services.task_create_from_plan_line(
            actor=pw.users["a_admin"], line=line, data={"title": "x", "regions": [pw.regions["b"]], **WINDOW}
        )
    with pytest.raises(ApplicationError, match="2人"):
        services.task_create_from_plan_line(actor=pw.users["a_admin"], line=line, data={"team_size": 1, **WINDOW})
    with pytest.raises(PermissionDeniedError):
        services.task_create_from_plan_line(actor=pw.users["b_admin"], line=line, data=WINDOW)


def test_task_needs_published_plan(pw: World) -> None:
    admin = pw.users["a_admin"]
    plan = services.plan_create(actor=admin, year=2026, title="草稿计划")
    line = services.plan_line_save(actor=admin, plan=plan, item=pw.items["a"], ratios={"A": 1, "B": 1, "C": 1, "D": 1})
    with pytest.raises(ApplicationError, match="已公布"):
        services.task_create_from_plan_line(actor=admin, line=line, data=WINDOW)


def test_scheme_publication_moves_task_and_is_required(pw: World) -> None:
    task = make_task(pw)
    admin = pw.users["a_admin"]
    with pytest.raises(ApplicationError, match="工作方案尚未公布"):
        services.task_transition(actor=admin, task=task, to_state=TaskState.SCHEME_PUBLISHED)
    with pytest.raises(ApplicationError, match="不能变更"):
        services.task_transition(actor=admin, task=task, to_state=TaskState.TARGETS_DRAWN)
    scheme = services.scheme_generate(actor=admin, task=task)
    assert "一、工作目的" in scheme.body and "D类（信用风险高）30%" in scheme.body
    with pytest.raises(ApplicationError, match="审批"):
        services.scheme_publish(actor=admin, scheme=scheme)
    with pytest.raises(PermissionDeniedError):
        services.scheme_approve(actor=pw.users["a_staff"], scheme=scheme)
    scheme = services.scheme_approve(actor=pw.users["a_leader"], scheme=scheme)
    # an edit after approval needs a new approval
    scheme = services.scheme_update(actor=admin, scheme=scheme, title=scheme.title, body=scheme.body + "\n补充。",
                                    document_number="莲卫监〔2026〕3号")
    assert scheme.status == SchemeStatus.DRAFT and scheme.approved_by is None
    scheme = services.scheme_approve(actor=pw.users["a_leader"], scheme=scheme)
    scheme = services.scheme_publish(actor=admin, scheme=scheme)
    task.refresh_from_db()
    assert task.state == TaskState.SCHEME_PUBLISHED
    with pytest.raises(ApplicationError, match="已公布"):
        services.scheme_update(actor=admin, scheme=scheme, title="x", body="y")
    with pytest.raises(ApplicationError):
        services.task_update(actor=admin, task=task, data={"title": "改名"})


def test_full_state_machine_with_records(pw: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table and its records (the work behind each step is tested in tests/draws/test_task_guards.py)."""
    monkeypatch.setattr(task_guards, "transition_refusal", lambda task, frm, to: None)
    task = make_task(pw)
    publish_scheme(pw, task)
    admin = pw.users["a_admin"]
    with pytest.raises(PermissionDeniedError):  # section staff may not run draws
        services.task_transition(actor=pw.users["a_staff"], task=task, to_state=TaskState.TARGETS_DRAWN)
    path = [TaskState.TARGETS_DRAWN, TaskState.INSPECTORS_MATCHED, TaskState.TARGETS_DRAWN,
            TaskState.INSPECTORS_MATCHED, TaskState.INSPECTING, TaskState.COMPLETED, TaskState.PUBLISHED]
    for state in path:
        services.task_transition(actor=admin, task=task, to_state=state, comment="测试")
        assert task.state == state  # the given instance is updated too
    task.refresh_from_db()
    assert task.state == TaskState.PUBLISHED and task.completed_at is not None
    assert TaskTransition.objects.filter(task=task).count() == len(path) + 1
    assert AuditEntry.objects.filter(event="task.transition", object_id=str(task.pk)).count() == len(path) + 1
    # repeating the current state is a no-op, going back is refused
    services.task_transition(actor=admin, task=task, to_state=TaskState.PUBLISHED)
    assert TaskTransition.objects.filter(task=task).count() == len(path) + 1
    with pytest.raises(ApplicationError, match="不能变更为“检查中”"):
        services.task_transition(actor=admin, task=task, to_state=TaskState.INSPECTING)


def test_every_pair_of_states_follows_the_table(pw: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """All 49 (from, to) pairs: accepted exactly when TRANSITIONS lists it (same state: no-op)."""
    monkeypatch.setattr(task_guards, "transition_refusal", lambda task, frm, to: None)
    task = make_task(pw)
    publish_scheme(pw, task)
    admin = pw.users["a_admin"]
    for frm in TaskState.values:
        for to in TaskState.values:
            Task.objects.filter(pk=task.pk).update(state=frm)
            task.refresh_from_db()
            before = TaskTransition.objects.count()
            if frm == to:
                services.task_transition(actor=admin, task=task, to_state=to)
                assert TaskTransition.objects.count() == before
            elif (frm, to) in TRANSITIONS:
                services.task_transition(actor=admin, task=task, to_state=to)
                assert task.state == to and TaskTransition.objects.count() == before + 1
            else:
                with pytest.raises(ApplicationError, match="不能变更"):
                    services.task_transition(actor=admin, task=task, to_state=to)
    forward = {frm for frm, _ in TRANSITIONS}
    assert set(TaskState.values) - forward == {TaskState.PUBLISHED.value}


def test_documents_word_and_pdf(pw: World) -> None:
    task = make_task(pw)
    scheme = publish_scheme(pw, task)
    content = scheme_docx(scheme)
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert scheme.title in text and "一、工作目的" in text and "{{" not in text and "{%" not in text
    pdf = scheme_pdf(scheme)
    assert pdf.startswith(b"%PDF") and b"NotoSansCJKSC" in pdf


def test_split_sections() -> None:
    sections = split_sections("前言\n一、目的\n甲\n\n（一）乙\n二、依据\n丙")
    assert [(s.heading, s.paragraphs) for s in sections] == [("", ["前言"]), ("一、目的", ["甲", "（一）乙"]),
                                                              ("二、依据", ["丙"])]
