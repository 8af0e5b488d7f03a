"""归档包 of a completed task: one ZIP with every record, the evidence index, the draw and match records with
their verification commands, an audit excerpt and the 总结报告, under a manifest of SHA-256 digests
(``core.archive``). Stored privately with the 总结报告 (PDF and Word) beside it, its digests recorded and one
audit entry written; ``ssj archive verify`` checks a package offline.

* **When the task completes** (大洼: "抽查工作结束后……形成总结报告，做好资料归档工作"): planning's state machine
  tells its listeners (``planning.task_listeners``, filled in ``OversightConfig.ready()``); ``on_task_moved``
  schedules the huey job ``oversight.tasks.task_archive_on_completion_task`` after the commit, which runs
  ``task_archive_on_completion``: version 1 (or the next), trigger 任务检查完成时自动生成, by the user who
  completed the task. Idempotent: a task gets one automatic package however often the job runs.
* **The button** (``task_archive_create``): a new version at any later time (e.g. after publication), never
  overwriting an earlier one.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import Perm, check_can_edit, get_visible_or_404
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import audit_record, entry_payload
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.archive import build_archive, sha256
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult, ResultRelease
from shuangsuiji.draws import storage as draw_storage
from shuangsuiji.draws.instructions import draw_file_names, draw_verify_commands, match_verify_commands
from shuangsuiji.draws.models import InspectorMatch, TargetDraw
from shuangsuiji.inspections.documents import record_pdf
from shuangsuiji.inspections.models import Evidence, FollowUpCase, InspectionRecord
from shuangsuiji.inspections.uploads import open_stored
from shuangsuiji.oversight import events
from shuangsuiji.oversight.models_archive import ArchiveTrigger, TaskArchive
from shuangsuiji.oversight.task_summary import SUMMARY_STATES, summary_docx, summary_pdf, task_summary
from shuangsuiji.oversight.tasks import task_archive_on_completion_task
from shuangsuiji.planning.models import Task, TaskState, TaskTransition, WorkScheme

logger = logging.getLogger(__name__)

# Evidence files go into the package up to this total size; beyond it the index (with digests) stands alone.
EVIDENCE_MAX_BYTES = 200 * 1024 * 1024


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, cls=DjangoJSONEncoder) + "\n").encode()


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _task_file(task: Task) -> dict[str, Any]:
    scheme = WorkScheme.objects.filter(task=task).first()
    return {
        "code": task.code, "title": task.title, "year": task.year, "organization": task.owner.name,
        "state": task.get_state_display(), "window": [task.window_start, task.window_end],
        "completed_at": task.completed_at, "methods": task.methods, "team_size": task.team_size,
        "specialties": [s.name for s in task.specialties.all()], "regions": [r.name for r in task.regions.all()],
        "participants": [p.name for p in task.participants.all()],
        "items": [{"code": i.code, "version": i.version, "name": i.name, "legal_basis": i.legal_basis,
                   "sub_items": i.sub_items} for i in task.items.order_by("code")],
        "scheme": {"title": scheme.title, "document_number": scheme.document_number, "body": scheme.body,
                   "status": scheme.get_status_display(), "published_at": scheme.published_at} if scheme else None,
        "transitions": [{"from": t.get_from_state_display(), "to": t.get_to_state_display(), "at": t.created_at,
                         "by": t.actor.display_name, "note": t.note}
                        for t in TaskTransition.objects.filter(task=task).select_related("actor").order_by("pk")],
    }


def _record_data(record: InspectionRecord) -> dict[str, Any]:
    return {
        "number": record.number, "target": record.target.name, "uscc": record.target.uscc,
        "status": record.get_status_display(), "methods": record.methods, "inspected_on": record.inspected_on,
        "place": record.place, "situation": record.situation,
        "result_codes": [f"{c.code} {c.name}" for c in record.result_codes.all()], "result_note": record.result_note,
        "signature": record.get_signature_kind_display(), "signer_name": record.signer_name,
        "refusal_reason": record.refusal_reason, "entry_deadline": record.entry_deadline,
        "entered_late": record.entered_late, "submitted_at": record.submitted_at, "reviewed_at": record.reviewed_at,
        "review_comment": record.review_comment,
        "items": [{"code": i.code, "name": i.name, "department": i.department.name if i.department else "",
                   "finding": i.get_finding_display(), "note": i.note} for i in record.items.all()],
        "members": [{"name": m.name, "licence_no": m.licence_no, "kind": m.kind, "role": m.role, "present": m.present}
                    for m in record.members.all()],
        "steps": [{"action": s.action, "to": s.get_to_status_display(), "at": s.created_at, "comment": s.comment}
                  for s in record.steps.all()],
    }


def _case_data(case: FollowUpCase) -> dict[str, Any]:
    fields = [
        "number", "problem", "opened_on", "rectify_ordered_on", "rectify_requirement", "rectify_deadline",
        "recheck_on", "recheck_passed", "recheck_note", "case_number", "case_filed_on", "penalty_decision_number",
        "penalty_decided_on", "penalty_content", "penalty_amount", "case_conclusion", "transfer_agency",
        "transferred_on", "judicial_agency", "judicial_transferred_on", "abnormal_listed_on",
        "serious_illegal_listed_on", "credit_note", "closed_on", "close_note",
    ]
    data = {name: getattr(case, name) for name in fields}
    data.update(record=case.record.number if case.record_id else "", target=case.target.name,
                status=case.get_status_display(), planned_measures=case.planned_measure_labels,
                steps=[{"step": s.kind_label, "on": s.occurred_on, "note": s.note} for s in case.steps.all()])
    return data


def _audit_excerpt(objects: list[tuple[str, list[int]]]) -> bytes:
    condition = Q()
    for label, ids in objects:
        if ids:
            condition |= Q(object_type=label, object_id__in=[str(i) for i in ids])
    lines = []
    for entry in AuditEntry.objects.filter(condition).order_by("seq"):
        lines.append(json.dumps({"seq": entry.seq, "payload": entry_payload(entry), "prev_hash": entry.prev_hash,
                                 "entry_hash": entry.entry_hash}, ensure_ascii=False, sort_keys=True,
                                cls=DjangoJSONEncoder))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


README = """{title} 归档包

任务：{code} {task_title}（{organization}）
归档：第{version}版，{created}，归档人 {actor}；任务状态“{state}”

目录
  总结报告.pdf / 总结报告.docx   总结报告（范围、抽取、检查、结果类别、后续处置、公示）
  task/task.json                 任务、工作方案、抽查事项（版本）、状态变更
  records/records.json           全部一企一表（检查事项、结论、人员、签字、审核记录）；records/<编号>.pdf 为打印件
  evidence/index.csv             证据索引（一企一表、类别、原文件名、SHA-256、大小、上传人、上传时间、包内文件）
  evidence/<SHA-256>.<扩展名>    证据文件（总量不超过 200 MB 时随包归档）
  draws/                         抽取记录和对象池、人员匹配记录及输入；draws/如何验证.txt 为验证命令
  followup/cases.json            后续处置台账及处置记录
  publication/                   公示的抽查结果、行政处罚、公示批次
  audit/audit-excerpt.jsonl      与本任务有关的审计日志摘录（每条含 prev_hash、entry_hash，
                                 entry_hash = SHA-256(prev_hash ‖ payload 的规范化 JSON)，可在系统中用 ssj audit verify 核对整条链）

核对本包
  ssj archive verify {file_name} --manifest-sha256 {{登记的 manifest.json 摘要}}
  或：unzip {file_name} -d 归档 && cd 归档 && sha256sum -c SHA256SUMS
  manifest.json 的 SHA-256 登记在系统“任务归档”页面和审计日志（事件 task.archive）中。
"""


def _draw_files(task: Task) -> tuple[dict[str, bytes], list[str]]:
    files: dict[str, bytes] = {}
    commands: list[str] = ["cd draws"]
    for draw in TargetDraw.objects.filter(task=task).select_related("task", "previous").order_by("sequence"):
        if draw.record is None:
            continue
        record_name, pool_name = draw_file_names(draw)
        files[f"draws/{record_name}"] = _json(draw.record)
        files[f"draws/{pool_name}"] = draw_storage.read_file(draw.pool_file)
        commands.append(f"# 第{draw.sequence}次抽取（{draw.get_status_display()}）")
        commands += draw_verify_commands(draw)
    for match in InspectorMatch.objects.filter(task=task).select_related("task", "previous").order_by("sequence"):
        folder = f"draws/match-{task.code}-{match.sequence}"
        if match.inputs_file:
            for name, content in draw_storage.read_bundle(match.inputs_file).items():
                files[f"{folder}/{name}"] = content
        files[f"{folder}/record.json"] = _json(match.record)
        if match.previous is not None:
            files[f"{folder}/previous.json"] = _json(match.previous.record)
        commands.append(f"# 第{match.sequence}次人员匹配（{match.get_status_display()}）")
        commands.append(f"(cd match-{task.code}-{match.sequence} && {match_verify_commands(match, in_archive=True)[0]})")
    files["draws/如何验证.txt"] = ("\n".join(commands) + "\n").encode("utf-8")
    return files, commands


def _evidence_files(records: list[InspectionRecord], cases: list[FollowUpCase]) -> dict[str, bytes]:
    evidence = list(
        Evidence.objects.filter(Q(record__in=records) | Q(case__in=cases))
        .select_related("record", "case", "uploaded_by").order_by("uploaded_at", "pk")
    )
    total = 0
    files: dict[str, bytes] = {}
    rows: list[list[Any]] = []
    for item in evidence:
        name = f"evidence/{item.sha256}.{item.extension}"
        included = ""
        if name not in files and total + item.size <= EVIDENCE_MAX_BYTES:
            try:
                files[name] = Path(open_stored(item.storage_path)).read_bytes()
            except (OSError, ApplicationError):
                included = "文件缺失"
            else:
                total += item.size
                included = name
        elif name in files:
            included = name
        else:
            included = "超过归档包大小上限，未随包归档"
        rows.append([
            item.record.number if item.record_id else "", item.case.number if item.case_id else "",
            item.get_kind_display(), item.original_name, item.sha256, item.size, item.mime,
            item.uploaded_by.display_name, timezone.localtime(item.uploaded_at).isoformat(timespec="seconds"),
            item.note, included,
        ])
    files["evidence/index.csv"] = _csv(
        ["一企一表", "处置台账", "类别", "原文件名", "SHA-256", "大小（字节）", "类型", "上传人", "上传时间", "说明", "包内文件"],
        rows,
    )
    return files


SUMMARY_PDF, SUMMARY_DOCX = "总结报告.pdf", "总结报告.docx"


def build_task_package(task: Task, *, version: int, actor: User) -> tuple[bytes, str, int]:
    """(ZIP, SHA-256 of manifest.json, number of files) — read only."""
    content, manifest_digest, files = _build_package(task, version=version, actor=actor)
    return content, manifest_digest, len(files)


def _build_package(task: Task, *, version: int, actor: User) -> tuple[bytes, str, dict[str, bytes]]:
    """(ZIP, SHA-256 of manifest.json, the files in it)."""
    records = list(
        InspectionRecord.objects.filter(task=task).select_related("target")
        .prefetch_related("result_codes", "items__department", "members", "steps").order_by("number")
    )
    cases = list(FollowUpCase.objects.filter(record__task=task).select_related("record", "target")
                 .prefetch_related("steps").order_by("opened_on", "pk"))
    summary = task_summary(task)
    files: dict[str, bytes] = {
        SUMMARY_PDF: summary_pdf(summary), SUMMARY_DOCX: summary_docx(summary),
        "task/task.json": _json(_task_file(task)),
        "records/records.json": _json([_record_data(r) for r in records]),
        "followup/cases.json": _json([_case_data(c) for c in cases]),
    }
    for record in records:
        if record.inspected_on is not None:
            files[f"records/{record.number}.pdf"] = record_pdf(record)
    draw_files, _ = _draw_files(task)
    files.update(draw_files)
    files.update(_evidence_files(records, cases))
    results = list(PublishedResult.objects.filter(task=task).order_by("pk"))
    files["publication/results.json"] = _json([
        {"enterprise": r.enterprise_name, "uscc": r.uscc, "inspected_on": r.inspected_on,
         "result_group": r.get_result_group_display(), "result": r.result_label, "is_public": r.is_public,
         "withheld_reason": r.withheld_reason, "published_at": r.published_at} for r in results
    ])
    files["publication/penalties.json"] = _json([
        {"decision_no": p.decision_no, "decided_on": p.decided_on, "authority": p.authority, "content": p.content,
         "is_public": p.is_public, "due_on": p.due_on, "published_at": p.published_at}
        for p in PublishedPenalty.objects.filter(result__task=task).order_by("pk")
    ])
    files["publication/releases.json"] = _json([
        {"title": r.title, "public": r.public_count, "withheld": r.withheld_count, "due_on": r.due_on,
         "published_at": r.published_at} for r in ResultRelease.objects.filter(task=task).order_by("pk")
    ])
    objects = [
        ("planning.task", [task.pk]),
        ("planning.workscheme", list(WorkScheme.objects.filter(task=task).values_list("pk", flat=True))),
        ("draws.targetdraw", list(TargetDraw.objects.filter(task=task).values_list("pk", flat=True))),
        ("draws.inspectormatch", list(InspectorMatch.objects.filter(task=task).values_list("pk", flat=True))),
        ("inspections.inspectionrecord", [r.pk for r in records]),
        ("inspections.followupcase", [c.pk for c in cases]),
        ("disclosure.publishedresult", [r.pk for r in results]),
        ("disclosure.resultrelease", list(ResultRelease.objects.filter(task=task).values_list("pk", flat=True))),
    ]
    files["audit/audit-excerpt.jsonl"] = _audit_excerpt(objects)
    created = timezone.localtime()
    file_name = f"归档-{task.code}-第{version}版.zip"
    files["README.txt"] = README.format(
        title=summary.title, code=task.code, task_title=task.title, organization=task.owner.name, version=version,
        created=created.strftime("%Y年%m月%d日 %H:%M"), actor=actor.display_name, state=task.get_state_display(),
        file_name=file_name,
    ).encode("utf-8")
    meta = {"task": task.code, "title": task.title, "organization": task.owner.name, "version": version,
            "task_state": task.state, "created_at": created.isoformat(timespec="seconds"),
            "created_by": actor.display_name, "figures": summary.figures}
    content, manifest_digest = build_archive(files, meta=meta)
    return content, manifest_digest, files


# ---------------------------------------------------------------- reads and the service


def archives_for(*, actor: User, task: Task) -> QuerySet[TaskArchive]:
    return TaskArchive.objects.visible_to(actor).filter(task=task).select_related("created_by")


def archive_get(*, actor: User, pk: int) -> TaskArchive:
    return get_visible_or_404(TaskArchive.objects.select_related("task", "created_by"), actor, pk=pk)


def archive_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def _store(relative: str, content: bytes) -> None:
    # Written before the commit: if the transaction fails the file stays unreferenced (never served, never
    # overwritten: the name carries the version and the digest).
    path = archive_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise ApplicationError("归档文件已存在，请稍后重试")
    path.write_bytes(content)


def _archive_create(*, actor: User, task: Task, trigger: str, note: str = "") -> TaskArchive:
    """Build, store and record the next version of ``task``'s package (``task`` locked by the caller)."""
    if task.state not in SUMMARY_STATES:
        raise ApplicationError(f"任务当前状态为“{task.get_state_display()}”，检查完成后才能归档")
    version = (TaskArchive.objects.filter(task=task).aggregate(m=Max("version"))["m"] or 0) + 1
    content, manifest_digest, files = _build_package(task, version=version, actor=actor)
    zip_digest = sha256(content)
    stem = f"archives/task-{task.pk}/v{version}-{zip_digest[:16]}"
    relative = f"{stem}.zip"
    _store(relative, content)
    _store(f"{stem}-summary.pdf", files[SUMMARY_PDF])
    _store(f"{stem}-summary.docx", files[SUMMARY_DOCX])
    archive = TaskArchive.objects.create(
        owner=task.owner, task=task, version=version, task_state=task.state, storage_path=relative,
        zip_sha256=zip_digest, manifest_sha256=manifest_digest, size=len(content), file_count=len(files),
        summary_pdf_path=f"{stem}-summary.pdf", summary_docx_path=f"{stem}-summary.docx", trigger=trigger,
        note=note.strip()[:255], created_by=actor,
    )
    audit_record(
        actor=actor, event=events.TASK_ARCHIVE, target=task,
        changes={"version": version, "zip_sha256": zip_digest, "manifest_sha256": manifest_digest,
                 "files": len(files), "size": len(content), "trigger": trigger,
                 "summary_pdf_sha256": sha256(files[SUMMARY_PDF]),
                 "summary_docx_sha256": sha256(files[SUMMARY_DOCX])},
    )
    return archive


@transaction.atomic
def task_archive_create(*, actor: User, task: Task, note: str = "") -> TaskArchive:
    """The button: archive a completed (or published) task again — a new version each time, none overwritten."""
    task = Task.objects.select_for_update().select_related("owner").get(pk=task.pk)
    check_can_edit(actor, task.owner_id, Perm.PLAN_EDIT)
    return _archive_create(actor=actor, task=task, trigger=ArchiveTrigger.MANUAL, note=note)


def completion_archive(task: Task) -> TaskArchive | None:
    return TaskArchive.objects.filter(task=task, trigger=ArchiveTrigger.COMPLETION).order_by("version").first()


@transaction.atomic
def task_archive_on_completion(*, task_id: int) -> TaskArchive | None:
    """The 总结报告 and 归档包 made when the task completed (the huey job's work; idempotent).

    No permission check of its own: the move to 已完成 was checked (``task_transition``, 检查完成 needs the
    bureau's plan permission) and its actor is recorded as the one who archived. ``None`` when the task is not
    (or no longer) completed, or already has its automatic package.
    """
    task = Task.objects.select_for_update().select_related("owner").filter(pk=task_id).first()
    if task is None or task.state not in SUMMARY_STATES or completion_archive(task) is not None:
        return None
    moved = (
        TaskTransition.objects.filter(task=task, to_state=TaskState.COMPLETED).select_related("actor")
        .order_by("-pk").first()
    )
    if moved is None:
        return None
    return _archive_create(actor=moved.actor, task=task, trigger=ArchiveTrigger.COMPLETION,
                           note="任务检查完成时自动生成")


def on_task_moved(task: Task, frm: str, to: str, actor: User) -> None:
    """planning's task listener: a task that has just completed gets its 总结报告 and 归档包 in the background."""
    if to != TaskState.COMPLETED:
        return
    task_id = task.pk
    transaction.on_commit(lambda: _enqueue(task_id))


def _enqueue(task_id: int) -> None:
    try:
        task_archive_on_completion_task(task_id)
    except Exception:  # the move is committed: a queue failure must not turn the request into an error
        logger.exception("任务 %s 的总结报告与归档包未能加入后台队列（可在总结报告与归档页手动生成）", task_id)


def task_archive_page_card(actor: User, task: Task) -> dict[str, Any]:
    """planning's task page provider: the stored 总结报告 and 归档包 of a completed task (latest version)."""
    if task.state not in SUMMARY_STATES:
        return {}
    archives = list(archives_for(actor=actor, task=task)[:1])
    return {"task_archive_card": {
        "latest": archives[0] if archives else None,
        "automatic": completion_archive(task),
        "page_url": reverse("oversight:task_archive", args=[task.pk]),
    }}
