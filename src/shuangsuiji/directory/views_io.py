"""Import and export pages of 一单两库."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory import exporters, import_services, selectors
from shuangsuiji.directory.forms import ImportForm
from shuangsuiji.directory.models import ImportJob, ImportKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_SELECTORS = {
    "targets": selectors.target_list,
    "inspectors": selectors.inspector_list,
    "items": selectors.item_list,
}


def _kind(kind: str) -> str:
    if kind not in ImportKind.values:
        raise Http404("未知的数据类型")
    return kind


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def export_list(request: AuthedHttpRequest, kind: str) -> HttpResponse:
    queryset = LIST_SELECTORS[_kind(kind)](actor=request.user, filters=request.GET)
    content = exporters.export_xlsx(
        kind, queryset, show_personal=has_perm(request.user, Perm.LIBRARY_VIEW_PERSONAL)
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return _attachment(content, f"{kind}-{stamp}.xlsx", XLSX)


@login_required
def import_template(request: AuthedHttpRequest, kind: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        return _attachment(exporters.template_csv(_kind(kind)), f"{kind}-template.csv", "text/csv; charset=utf-8")
    reference = import_services.import_reference(actor=request.user)
    return _attachment(exporters.template_workbook(_kind(kind), reference), f"{kind}-template.xlsx", XLSX)


@login_required
def import_upload(request: AuthedHttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_services.import_job_create(actor=request.user, kind=kind, uploaded_file=form.cleaned_data["file"])
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            messages.info(request, "文件已上传，正在校验和导入")
            return redirect("directory:import_detail", pk=job.pk)
    label = ImportKind(kind).label
    return render(request, "directory/import_upload.html", {"form": form, "kind": kind, "title": f"导入{label}"})


@login_required
def import_list(request: AuthedHttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.visible_to(request.user).select_related("created_by")[:100]
    return render(request, "directory/import_list.html", {"jobs": jobs, "title": "导入记录"})


@login_required
def import_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = ImportJob.objects.visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("导入记录不存在")
    template = "directory/import_progress.html" if request.headers.get("HX-Request") else "directory/import_detail.html"
    return render(request, template, {"job": job, "title": f"导入记录：{job.file_name}"})
