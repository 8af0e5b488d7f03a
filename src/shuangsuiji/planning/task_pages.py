"""What the apps above planning add to a task's page (the 双随机抽取 card, the verification commands …).

The task page is planning's, but the draw and the match are the draws app's: draws registers a context
provider in ``DrawsConfig.ready()`` and planning's view merges what the providers return, without importing
them (DESIGN §7). A provider is ``provider(actor, task) -> dict``; the key ``deadline_subjects`` (a list of
objects) adds those objects' deadlines to the task's deadline list, every other key goes into the template
context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User
    from shuangsuiji.planning.models import Task

TaskPageProvider = Callable[["User", "Task"], dict[str, Any]]

_providers: dict[str, TaskPageProvider] = {}


def register_task_page_provider(name: str, provider: TaskPageProvider) -> TaskPageProvider:
    """Add (or replace) the provider ``name``."""
    _providers[name] = provider
    return provider


def task_page_context(actor: User, task: Task) -> tuple[dict[str, Any], list[Any]]:
    """The merged context of every provider and the extra deadline subjects they named."""
    context: dict[str, Any] = {}
    subjects: list[Any] = []
    for provider in list(_providers.values()):
        extra = dict(provider(actor, task))
        subjects.extend(extra.pop("deadline_subjects", []))
        context.update(extra)
    return context, subjects
