"""Pages of a task's 总结报告 (Word/PDF) and 归档包 (create, list, download)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.scope import Perm, get_visible_or_404, has_perm, readable_owner_ids
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.files import serve_protected
from shuangsuiji.common.view_helpers import attachment, user_errors
from shuangsuiji.oversight import task_archive
from shuangsuiji.oversight.models_archive import TaskArchive
from shuangsuiji.oversight.task_summary import SUMMARY_STATES, summary_docx, summary_pdf, task_summary
from shuangsuiji.planning.models import Task

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _task(request: AuthedHttpRequest, pk: int) -> Task:
    return get_visible_or_404(Task.objects.select_related("owner"), request.user, pk=pk)  # type: ignore[no-any-return]


@login_required
def task_archive_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    ready = task.state in SUMMARY_STATES
    context = {
        "title": f"{task.code} 总结报告与归档", "task": task, "ready": ready,
        "summary": task_summary(task) if ready else None,
        "archives": task_archive.archives_for(actor=request.user, task=task),
        "automatic": task_archive.completion_archive(task) if ready else None,
        "can_archive": ready and has_perm(request.user, Perm.PLAN_EDIT) and getattr(
            request.user.organization, "bureau", None) == task.owner,
    }
    return render(request, "oversight/task_archive.html", context)


@login_required
def task_summary_file(request: AuthedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    task = _task(request, pk)
    if task.state not in SUMMARY_STATES:
        messages.error(request, "任务检查完成后才能生成总结报告")
        return redirect("oversight:task_archive", pk=task.pk)
    summary = task_summary(task)
    if fmt == "pdf":
        return attachment(summary_pdf(summary), "application/pdf", f"{summary.title}.pdf")
    return attachment(summary_docx(summary), DOCX, f"{summary.title}.docx")


@login_required
@require_POST
def task_archive_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    with user_errors(request):
        archive = task_archive.task_archive_create(actor=request.user, task=task, note=request.POST.get("note", ""))
        messages.success(request, f"已生成归档包第{archive.version}版（manifest.json SHA-256：{archive.manifest_sha256}）")
    return redirect("oversight:task_archive", pk=task.pk)


def _serve(request: AuthedHttpRequest, archive: TaskArchive, path: str, name: str) -> HttpResponse:
    def allowed(req: HttpRequest) -> bool:
        ids = readable_owner_ids(req.user)  # type: ignore[arg-type]
        return ids is None or archive.owner_id in ids

    if not path:
        messages.error(request, "该版本归档时未单独保存总结报告，请下载归档包")
        return redirect("oversight:task_archive", pk=archive.task_id)
    try:
        return serve_protected(request, path, allowed, download_name=name)  # type: ignore[return-value]
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("oversight:task_archive", pk=archive.task_id)


@login_required
def task_archive_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    archive = task_archive.archive_get(actor=request.user, pk=pk)
    return _serve(request, archive, archive.storage_path, archive.file_name)


@login_required
def task_archive_summary(request: AuthedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The 总结报告 stored with a package version (the same bytes as in the ZIP)."""
    archive = task_archive.archive_get(actor=request.user, pk=pk)
    if fmt not in ("pdf", "docx"):
        raise Http404("文件不存在")
    path = archive.summary_pdf_path if fmt == "pdf" else archive.summary_docx_path
    return _serve(request, archive, path, archive.summary_file_name(fmt))
