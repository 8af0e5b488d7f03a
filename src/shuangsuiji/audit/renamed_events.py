"""Event names renamed after entries were stored under the old name, so that the log still finds those entries.

A stored entry never changes: its event name is covered by the hash chain (and by the archives and the
transparency log), so a rename is not a data migration. The app that renamed an event registers here, in its
``AppConfig.ready()``, the old name and the object types the old name stood for (an old name may stay in use by
another app for other objects: ``supervision.open`` is both the old 督办 name and the 专项督查 event).
``event_condition`` is what the audit-log filter uses; ``current_event_name`` says what an entry is called now.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class RenamedEvent:
    name: str
    old_name: str
    object_types: tuple[str, ...]  # model labels (``AuditEntry.object_type``) the old name meant this event for

    def old_entries(self) -> Q:
        return Q(event=self.old_name, object_type__in=self.object_types)


_RENAMED: dict[str, RenamedEvent] = {}


def register_renamed_event(name: str, *, old_name: str, object_types: tuple[str, ...]) -> None:
    """Entries stored as ``old_name`` on one of ``object_types`` are ``name`` entries (idempotent)."""
    existing = _RENAMED.get(name)
    renamed = RenamedEvent(name, old_name, tuple(object_types))
    if existing is not None and existing != renamed:
        raise ValueError(f"event {name} is already registered as renamed from {existing.old_name}")
    _RENAMED[name] = renamed


def renamed_events() -> list[RenamedEvent]:
    return list(_RENAMED.values())


def event_condition(prefix: str) -> Q:
    """Entries whose current event name starts with ``prefix`` (the audit-log filter), old names included."""
    condition = Q(event__startswith=prefix)
    for renamed in _RENAMED.values():
        if renamed.name.startswith(prefix):
            condition |= renamed.old_entries()
        elif renamed.old_name.startswith(prefix):
            condition &= ~renamed.old_entries()
    return condition


def current_event_name(event: str, object_type: str) -> str:
    """The name a stored entry's event has now (its stored name when it was never renamed)."""
    for renamed in _RENAMED.values():
        if event == renamed.old_name and object_type in renamed.object_types:
            return renamed.name
    return event
