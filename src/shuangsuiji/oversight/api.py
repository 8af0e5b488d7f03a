"""Staff API of a task's 总结报告 and 归档包 (issue 20 item 4): the versions, the files, regeneration.

The first version is made when the task completes (``oversight.task_archive``); ``POST …/archives`` is the
page's 重新生成 button. Files are the stored bytes (the 总结报告 is the same file as the one in the ZIP).
"""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import get_visible_or_404
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.common.view_helpers import attachment
from shuangsuiji.oversight import task_archive
from shuangsuiji.oversight.models_archive import TaskArchive
from shuangsuiji.planning.models import Task

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"zip": "application/zip", "pdf": "application/pdf", "docx": DOCX}

router = Router(tags=["总结报告与归档"])


class ArchiveOut(Schema):
    id: int
    task_code: str
    version: int
    trigger: str
    trigger_label: str
    task_state: str
    created_at: datetime.datetime
    created_by: str
    file_count: int
    size: int
    zip_sha256: str
    manifest_sha256: str
    has_summary: bool
    note: str


class ArchiveIn(Schema):
    note: str = Field("", max_length=255)


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _out(archive: TaskArchive) -> dict[str, Any]:
    return {
        "id": archive.pk, "task_code": archive.task.code, "version": archive.version, "trigger": archive.trigger,
        "trigger_label": archive.get_trigger_display(), "task_state": archive.task_state,
        "created_at": archive.created_at, "created_by": archive.created_by.display_name,
        "file_count": archive.file_count, "size": archive.size, "zip_sha256": archive.zip_sha256,
        "manifest_sha256": archive.manifest_sha256, "has_summary": bool(archive.summary_pdf_path),
        "note": archive.note,
    }


def _task(request: HttpRequest, task_id: int) -> Task:
    return get_visible_or_404(Task.objects.select_related("owner"), _actor(request), pk=task_id)  # type: ignore[no-any-return]


@router.get("/tasks/{task_id}/archives", response=list[ArchiveOut], summary="任务的归档包各版本（第1版为检查完成时自动生成）")
def list_archives(request: HttpRequest, task_id: Id) -> Any:
    task = _task(request, task_id)
    return [_out(a) for a in task_archive.archives_for(actor=_actor(request), task=task).select_related("task")]


@router.post("/tasks/{task_id}/archives", response={201: ArchiveOut}, summary="重新生成归档包（新的一版，旧版不变）")
def create_archive(request: HttpRequest, task_id: Id, payload: ArchiveIn) -> Any:
    task = _task(request, task_id)
    archive = task_archive.task_archive_create(actor=_actor(request), task=task, note=payload.note)
    return 201, _out(archive)


@router.get("/archives/{archive_id}/files/{kind}", summary="下载：zip 归档包 / pdf、docx 总结报告", response={200: None})
def archive_file(request: HttpRequest, archive_id: Id, kind: str) -> HttpResponse:
    archive = task_archive.archive_get(actor=_actor(request), pk=archive_id)
    if kind not in CONTENT_TYPES:
        raise NotFoundError("文件类型应为 zip、pdf 或 docx")
    path = {"zip": archive.storage_path, "pdf": archive.summary_pdf_path, "docx": archive.summary_docx_path}[kind]
    full = task_archive.archive_root() / path if path else None
    if full is None or not full.is_file():
        raise NotFoundError("该版本没有这个文件")
    name = archive.file_name if kind == "zip" else archive.summary_file_name(kind)
    return attachment(full.read_bytes(), CONTENT_TYPES[kind], name)
