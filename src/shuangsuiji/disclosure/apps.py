"""disclosure app: the public portal (一公开), open data and publication deadlines."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from shuangsuiji.disclosure.search_indexes import ensure_sqlite_search

    ensure_sqlite_search(connections[using])


# Audit events whose commit can change what the portal shows (prefix before the first dot, or the whole
# event): the portal's shared cache is dropped when one commits (page_cache). A new public feature adds its
# prefix here. Frequent internal events (inspection entry, follow-up, logins) are left out on purpose: they
# would empty the cache all day long.
PUBLIC_EVENT_PREFIXES = frozenset({
    "item", "plan", "joint_plan", "task", "scheme", "national_task", "draw", "match", "disclosure", "calendar",
    "deadline_settings", "import", "demo",
})


def is_public_event(event: str) -> bool:
    return event in PUBLIC_EVENT_PREFIXES or event.split(".", 1)[0] in PUBLIC_EVENT_PREFIXES


def _audit_entry_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created and is_public_event(instance.event):
        from shuangsuiji.disclosure.page_cache import invalidate_on_commit

        invalidate_on_commit()


def _tree_head_saved(sender: Any, created: bool = False, **kwargs: Any) -> None:
    if created:  # the transparency page and every draw's inclusion proof show the latest signed head
        from shuangsuiji.disclosure.page_cache import invalidate_on_commit

        invalidate_on_commit()


class DisclosureConfig(AppConfig):
    name = "shuangsuiji.disclosure"
    label = "disclosure"
    verbose_name = "公开平台"

    def ready(self) -> None:
        post_migrate.connect(_ensure_search, sender=self, dispatch_uid="disclosure_ensure_search")
        from shuangsuiji.disclosure.commitments import register_leaf_kinds

        register_leaf_kinds()
        from django.db.models.signals import post_save

        from shuangsuiji.audit.models import AuditEntry, TreeHead

        post_save.connect(_audit_entry_saved, sender=AuditEntry, dispatch_uid="disclosure_portal_cache_audit")
        post_save.connect(_tree_head_saved, sender=TreeHead, dispatch_uid="disclosure_portal_cache_tree_head")
