"""Reads of 一单两库, always scoped to the actor (accounts.scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import get_visible_or_404
from shuangsuiji.directory.filters import CheckItemFilterSet, InspectorFilterSet, TargetFilterSet
from shuangsuiji.directory.models import CheckItem, ConflictDeclaration, Inspector, Target


def item_list(*, actor: User, filters: dict[str, Any] | None = None, include_history: bool = False) -> QuerySet[CheckItem]:
    qs = CheckItem.objects.visible_to(actor).select_related("specialty", "owner")
    if not include_history:
        qs = qs.filter(is_current=True)
    return CheckItemFilterSet(filters or {}, queryset=qs).qs


def item_get(*, actor: User, pk: int) -> CheckItem:
    return get_visible_or_404(CheckItem.objects.select_related("specialty", "owner"), actor, pk=pk)


def item_versions(*, actor: User, item: CheckItem) -> QuerySet[CheckItem]:
    return CheckItem.objects.visible_to(actor).filter(owner=item.owner, code=item.code).order_by("-version")


def _filter_data(filters: dict[str, Any] | None) -> dict[str, Any]:
    """A mutable copy of the filters. ``dict(request.GET)`` would turn every value into a list (a QueryDict is a
    dict of lists underneath), and a text filter would then search for "['…']" and find nothing."""
    if isinstance(filters, QueryDict):
        return filters.copy()  # type: ignore[return-value]
    return dict(filters or {})


def target_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[Target]:
    qs = Target.objects.visible_to(actor).select_related("region", "owner").prefetch_related("specialties")
    data = _filter_data(filters)
    data.setdefault("retired", "false")
    return TargetFilterSet(data, queryset=qs).qs


def target_get(*, actor: User, pk: int) -> Target:
    return get_visible_or_404(Target.objects.select_related("region", "owner"), actor, pk=pk)


def inspector_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[Inspector]:
    qs = (
        Inspector.objects.visible_to(actor)
        .select_related("region", "organization", "owner")
        .prefetch_related("qualifications")
    )
    data = _filter_data(filters)
    data.setdefault("retired", "false")
    return InspectorFilterSet(data, queryset=qs).qs


def inspector_get(*, actor: User, pk: int) -> Inspector:
    return get_visible_or_404(Inspector.objects.select_related("region", "organization", "owner"), actor, pk=pk)


def conflict_list(*, actor: User, inspector: Inspector | None = None) -> QuerySet[ConflictDeclaration]:
    qs = ConflictDeclaration.objects.visible_to(actor).select_related("inspector", "target")
    if inspector is not None:
        qs = qs.filter(inspector=inspector)
    return qs
