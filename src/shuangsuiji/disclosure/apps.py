"""disclosure app: the public portal (一公开), open data and publication deadlines."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from shuangsuiji.planning.task_guards import register_task_guard


def _ensure_search(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from shuangsuiji.disclosure.search_indexes import ensure_sqlite_search

    ensure_sqlite_search(connections[using])


class DisclosureConfig(AppConfig):
    name = "shuangsuiji.disclosure"
    label = "disclosure"
    verbose_name = "公开平台"

    def ready(self) -> None:
        post_migrate.connect(_ensure_search, sender=self, dispatch_uid="disclosure_ensure_search")
        # the guard reads models: imported once the apps are ready
        from shuangsuiji.disclosure.task_guards import disclosure_task_guard

        register_task_guard("disclosure", disclosure_task_guard)
