"""Pages of the dated risk flags: on a target (登记, 解除, 撤销, history) and the imported lists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory import flag_lists, flag_services, selectors
from shuangsuiji.directory.flag_forms import FlagEndForm, FlagListImportForm, FlagRecordForm, FlagWithdrawForm
from shuangsuiji.directory.models import Target, TargetFlagRecord
from shuangsuiji.directory.models_flags import FlagListImport

MAX_LIST_BYTES = 20 * 1024 * 1024


def _flags_url(target: Target) -> str:
    return reverse("directory:target_detail", args=[target.pk]) + "#flags"


def _record(request: AuthedHttpRequest, pk: int) -> TargetFlagRecord:
    record = TargetFlagRecord.objects.visible_to(request.user).select_related("target").filter(pk=pk).first()
    if record is None:
        raise Http404("风险标记记录不存在")
    return record


def target_flag_context(request: AuthedHttpRequest, target: Target) -> dict[str, Any]:
    """What the target page shows about flags (included by ``views.target_detail``)."""
    return {
        "flag_summary": flag_services.target_flag_summary(target),
        "can_edit_flags": has_perm(request.user, Perm.LIBRARY_EDIT) and not target.is_retired,
    }


@login_required
def flag_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_get(actor=request.user, pk=pk)
    form = FlagRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_services.target_flag_record(actor=request.user, target=target, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "风险标记已登记")
            return redirect(_flags_url(target))
    return render(request, "form.html", {
        "form": form, "title": f"登记风险标记：{target.name}", "cancel_url": _flags_url(target),
    })


@login_required
def flag_end(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    form = FlagEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_services.target_flag_end(actor=request.user, record=record, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已登记移出名单，该标记自移出日期起不再使对象必查")
            return redirect(_flags_url(record.target))
    return render(request, "directory/flags/flag_close.html", {
        "form": form, "record": record, "title": f"解除风险标记：{record.target.name}",
    })


@login_required
def flag_withdraw(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    form = FlagWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_services.target_flag_withdraw(actor=request.user, record=record, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "风险标记已撤销，不再计入抽取")
            return redirect(_flags_url(record.target))
    return render(request, "directory/flags/flag_close.html", {
        "form": form, "record": record, "title": f"撤销风险标记：{record.target.name}",
    })


# ---------------------------------------------------------------- imported lists


@login_required
def flag_list_list(request: AuthedHttpRequest) -> HttpResponse:
    imports = FlagListImport.objects.visible_to(request.user).select_related("owner", "created_by")[:200]
    return render(request, "directory/flags/list_list.html", {
        "imports": imports, "title": "经营异常名录/严重违法失信名单", "can_import": has_perm(request.user, Perm.LIBRARY_EDIT),
    })


@login_required
def flag_list_import(request: AuthedHttpRequest) -> HttpResponse:
    form = FlagListImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_LIST_BYTES:
            form.add_error("file", f"文件过大（{upload.size // 1024 // 1024} MB），单个名单文件不超过 20 MB，请拆分后导入")
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "file"}
            try:
                imported = flag_services.flag_list_import(
                    actor=request.user, content=upload.read(), file_name=upload.name or "", **data
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                errors = list(exc.extra.get("errors", []))
            else:
                messages.success(
                    request,
                    f"名单已导入：{imported.total_rows} 行，匹配到检查对象 {imported.matched_count} 个，"
                    f"新登记标记 {imported.created_count} 条，未匹配 {len(imported.unmatched)} 个信用代码",
                )
                return redirect(imported)
    return render(request, "directory/flags/list_import.html", {
        "form": form, "errors": errors, "title": "导入经营异常名录/严重违法失信名单",
    })


def _list(request: AuthedHttpRequest, pk: int) -> FlagListImport:
    imported = FlagListImport.objects.visible_to(request.user).select_related("owner", "created_by").filter(pk=pk).first()
    if imported is None:
        raise Http404("名单导入记录不存在")
    return imported


@login_required
def flag_list_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    imported = _list(request, pk)
    flags = imported.flags.select_related("target", "target__region").order_by("target__name", "pk")
    return render(request, "directory/flags/list_detail.html", {
        "imported": imported, "flags": flags, "title": str(imported),
    })


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def flag_list_unmatched(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    imported = _list(request, pk)
    return _attachment(flag_services.flag_list_unmatched_csv(imported), f"unmatched-{imported.pk}.csv")


@login_required
def flag_list_template(request: AuthedHttpRequest) -> HttpResponse:
    return _attachment(flag_lists.template_csv(), "flag-list-template.csv")
