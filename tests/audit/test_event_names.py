"""Audit event names are unique across apps (issue 19); renamed events keep their stored entries findable."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from shuangsuiji.accounts.audit_selectors import audit_entry_list, audit_event_names
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.renamed_events import current_event_name, event_condition, renamed_events
from shuangsuiji.audit.services import audit_record
from shuangsuiji.deadlines import events as deadline_events
from shuangsuiji.supervision import events as supervision_events
from tests.conftest import World

SRC = Path(__file__).resolve().parents[2] / "src" / "shuangsuiji"


def _event_constants() -> dict[str, list[str]]:
    """Every string constant of every app's events.py: value -> the constants holding it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SRC.glob("*/events.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                for target in node.targets:
                    assert isinstance(target, ast.Name)
                    found[node.value.value].append(f"{path.parent.name}.events.{target.id}")
    return found


def test_every_audit_event_name_is_unique_across_apps() -> None:
    found = _event_constants()
    assert len(found) > 100 and {"deadlines", "supervision", "draws"} <= {
        name.split(".")[0] for names in found.values() for name in names
    }
    assert {value: names for value, names in found.items() if len(names) > 1} == {}


def test_the_renamed_names_are_no_current_event_of_another_kind() -> None:
    # the 专项督查 app keeps supervision.open/answer; 督办 moved to upper_supervision.*
    assert supervision_events.SUPERVISION_OPEN == "supervision.open"
    assert deadline_events.UPPER_SUPERVISION_OPEN == "upper_supervision.open"
    assert {(r.name, r.old_name) for r in renamed_events()} == {
        ("upper_supervision.open", "supervision.open"), ("upper_supervision.answer", "supervision.answer"),
    }


def _entry(event: str, label: str, pk: int) -> AuditEntry:
    target: Any = SimpleNamespace(_meta=SimpleNamespace(label_lower=label), pk=pk)
    with transaction.atomic():
        return audit_record(actor=None, event=event, target=target)


def test_old_entries_are_found_under_the_new_name_and_not_under_the_old(world: World) -> None:
    before_move = _entry("supervision.open", "oversight.supervision", 1)  # 督办, stored before deadlines existed
    after_move = _entry("supervision.answer", "deadlines.supervision", 1)  # 督办 answer, stored before the rename
    campaign = _entry("supervision.open", "supervision.campaign", 7)  # 专项督查, keeps its name
    new = _entry(deadline_events.UPPER_SUPERVISION_OPEN, "deadlines.supervision", 2)

    def found(prefix: str) -> set[int]:
        return set(AuditEntry.objects.filter(event_condition(prefix)).values_list("pk", flat=True))

    assert found("upper_supervision.open") == {before_move.pk, new.pk}
    assert found("upper_supervision") == {before_move.pk, after_move.pk, new.pk}
    assert found("supervision.open") == {campaign.pk}
    assert found("supervision") == {campaign.pk}
    assert {before_move.pk, after_move.pk, campaign.pk, new.pk} <= found("")
    assert current_event_name("supervision.open", "oversight.supervision") == "upper_supervision.open"
    assert current_event_name("supervision.open", "supervision.campaign") == "supervision.open"

    # the audit-log page's filter and its list of names
    auditor = world.users["a_auditor"]
    listed = audit_entry_list(actor=auditor, filters={"event": "upper_supervision.open"})
    assert {e.pk for e in listed} == {before_move.pk, new.pk}
    assert {"upper_supervision.open", "upper_supervision.answer", "supervision.open"} <= set(
        audit_event_names(actor=auditor)
    )
    page = world.client("a_auditor").get("/audit/?event=upper_supervision").content.decode()
    assert "现名 <code>upper_supervision.open</code>" in page and "现名 <code>upper_supervision.answer</code>" in page
    assert AuditEntry.objects.get(pk=before_move.pk).event == "supervision.open"  # stored entries never change
