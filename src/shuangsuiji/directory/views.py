"""Pages of 一单两库: each view parses input, calls one selector or service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.directory import selectors, services
from shuangsuiji.directory.filters import CheckItemFilterSet, InspectorFilterSet, TargetFilterSet
from shuangsuiji.directory.flag_views import target_flag_context
from shuangsuiji.directory.forms import CheckItemForm, ConflictForm, InspectorForm, RetireForm, TargetForm
from shuangsuiji.directory.item_review import item_review_state
from shuangsuiji.directory.tables import CheckItemTable, InspectorTable, TargetTable

PAGE_SIZE = 50


def _list_page(
    request: AuthedHttpRequest, *, title: str, queryset: Any, table_class: Any, filterset_class: Any, kind: str
) -> HttpResponse:
    table = table_class(queryset)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    context = {
        "title": title,
        "table": table,
        "filter": filterset_class(request.GET, queryset=queryset.none()),
        "kind": kind,
        "can_edit": has_perm(request.user, Perm.LIBRARY_EDIT),
    }
    return render(request, "directory/object_list.html", context)


# ---------------------------------------------------------------- items


@login_required
def item_list(request: AuthedHttpRequest) -> HttpResponse:
    qs = selectors.item_list(actor=request.user, filters=request.GET)
    return _list_page(
        request, title="抽查事项清单", queryset=qs, table_class=CheckItemTable, filterset_class=CheckItemFilterSet,
        kind="items",
    )


@login_required
def item_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, pk=pk)
    versions = selectors.item_versions(actor=request.user, item=item)
    review = item_review_state(item)
    return render(request, "directory/item_detail.html", {"item": item, "versions": versions, "review": review})


@login_required
def item_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    item = selectors.item_get(actor=request.user, pk=pk) if pk else None
    form = CheckItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                item = services.item_create(actor=request.user, data=form.service_data())
            else:
                item = services.item_update(
                    actor=request.user, item=item, data=form.service_data(),
                    change_note=form.cleaned_data["change_note"],
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "抽查事项已保存")
            return redirect(item)
    return render(request, "form.html", {"form": form, "title": "编辑抽查事项" if item else "新增抽查事项"})


@login_required
@require_POST
def item_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, pk=pk)
    with user_errors(request):
        if action == "publish":
            services.item_set_published(actor=request.user, item=item, published=True)
            messages.success(request, "事项已公布")
        elif action == "unpublish":
            services.item_set_published(actor=request.user, item=item, published=False)
            messages.success(request, "事项已撤回")
        elif action == "retire":
            services.item_retire(actor=request.user, item=item)
            messages.success(request, "事项已停用")
    return redirect(item)


# ---------------------------------------------------------------- targets


@login_required
def target_list(request: AuthedHttpRequest) -> HttpResponse:
    qs = selectors.target_list(actor=request.user, filters=request.GET)
    return _list_page(
        request, title="检查对象名录库", queryset=qs, table_class=TargetTable, filterset_class=TargetFilterSet,
        kind="targets",
    )


@login_required
def target_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_get(actor=request.user, pk=pk)
    history = Paginator(target.history.select_related("history_user").all(), 20).get_page(1)
    show_personal = has_perm(request.user, Perm.LIBRARY_VIEW_PERSONAL)
    return render(
        request, "directory/target_detail.html",
        {"target": target, "history": history, "show_personal": show_personal, "retire_form": RetireForm(),
         **target_flag_context(request, target)},
    )


@login_required
def target_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    target = selectors.target_get(actor=request.user, pk=pk) if pk else None
    form = TargetForm(request.POST or None, instance=target)
    form.restrict(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if target is None:
                target = services.target_create(actor=request.user, data=form.cleaned_data)
            else:
                target = services.target_update(
                    actor=request.user, target=target, data=form.cleaned_data
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "检查对象已保存")
            return redirect(target)
    return render(request, "form.html", {"form": form, "title": "编辑检查对象" if target else "新增检查对象"})


@login_required
@require_POST
def target_retire(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_get(actor=request.user, pk=pk)
    form = RetireForm(request.POST)
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("请填写移出名录的原因")
        services.target_retire(actor=request.user, target=target, reason=form.cleaned_data["reason"])
        messages.success(request, "已移出名录")
    return redirect(target)


# ---------------------------------------------------------------- inspectors


@login_required
def inspector_list(request: AuthedHttpRequest) -> HttpResponse:
    qs = selectors.inspector_list(actor=request.user, filters=request.GET)
    return _list_page(
        request, title="执法检查人员名录库", queryset=qs, table_class=InspectorTable,
        filterset_class=InspectorFilterSet, kind="inspectors",
    )


@login_required
def inspector_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    inspector = selectors.inspector_get(actor=request.user, pk=pk)
    conflicts = selectors.conflict_list(actor=request.user, inspector=inspector)
    show_personal = has_perm(request.user, Perm.LIBRARY_VIEW_PERSONAL)
    return render(
        request, "directory/inspector_detail.html",
        {
            "inspector": inspector, "conflicts": conflicts, "show_personal": show_personal,
            "conflict_form": ConflictForm(), "retire_form": RetireForm(),
            "licence_expired": not inspector.licence_valid_on(timezone.localdate()),
        },
    )


@login_required
def inspector_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    inspector = selectors.inspector_get(actor=request.user, pk=pk) if pk else None
    form = InspectorForm(request.POST or None, instance=inspector)
    form.restrict(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if inspector is None:
                inspector = services.inspector_create(actor=request.user, data=form.service_data())
            else:
                inspector = services.inspector_update(
                    actor=request.user, inspector=inspector, data=form.service_data()
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "执法检查人员已保存")
            return redirect(inspector)
    title = "编辑执法检查人员" if inspector else "新增执法检查人员"
    return render(request, "form.html", {"form": form, "title": title})


@login_required
@require_POST
def inspector_retire(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    inspector = selectors.inspector_get(actor=request.user, pk=pk)
    form = RetireForm(request.POST)
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("请填写移出名录的原因")
        services.inspector_retire(
            actor=request.user, inspector=inspector, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "已移出名录")
    return redirect(inspector)


@login_required
@require_POST
def conflict_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    inspector = selectors.inspector_get(actor=request.user, pk=pk)
    form = ConflictForm(request.POST)
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("回避申报填写不完整：" + "；".join(str(e) for errs in form.errors.values() for e in errs))
        target = selectors.target_list(
            actor=request.user, filters={}
        ).filter(code=form.cleaned_data["target_code"].strip().upper()).first()
        if target is None:
            raise ApplicationError("未在名录库中找到该检查对象")
        services.conflict_declare(
            actor=request.user, inspector=inspector, target=target,
            reason=form.cleaned_data["reason"], valid_from=form.cleaned_data["valid_from"],
            valid_to=form.cleaned_data["valid_to"],
        )
        messages.success(request, "回避申报已登记")
    return redirect(inspector)
