"""Demo data of inspections, built through the services on top of the demo's draws.

``load_demo_inspections(today=…)`` takes the first task whose draw and inspector match are confirmed, generates
its 一企一表 and enters some of them: one 未发现问题 with a signature, one 责令改正 with a 拒签 (open follow-up
case), one 立案查处 with a 行政处罚 decision, one waiting for review; the rest stay to be entered on a phone.
"""

from __future__ import annotations

import base64
import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.scope import Perm, has_perm, user_bureau
from shuangsuiji.directory.models import InspectorKind
from shuangsuiji.draws.models import DrawStatus, MatchStatus
from shuangsuiji.inspections import followup, services
from shuangsuiji.inspections.models import Finding, FollowUpCase, InspectionRecord, RecordStatus
from shuangsuiji.inspections.workdays import add_workdays
from shuangsuiji.planning.models import Task


def _signature_png() -> str:
    image = Image.new("RGBA", (600, 220), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(60 + i * 12, 120 + int(40 * ((i % 7) - 3) / 3)) for i in range(40)]
    draw.line(points, fill=(20, 20, 20, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _photo(label: str, color: tuple[int, int, int]) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 440), outline=(255, 255, 255), width=6)
    draw.text((60, 60), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _demo_task() -> Task | None:
    return (
        Task.objects.filter(draws__status=DrawStatus.CONFIRMED, matches__status=MatchStatus.CONFIRMED)
        .order_by("created_at", "pk")
        .first()
    )


def _bureau_users(task: Task) -> list[User]:
    users = User.objects.filter(is_active=True).select_related("organization").order_by("pk")
    return [u for u in users if (b := user_bureau(u)) is not None and b.pk == task.owner_id]


def _pick(users: list[User], roles: tuple[str, ...], *, exclude: frozenset[int] | set[int] = frozenset()) -> User | None:
    for role in roles:
        for user in users:
            if user.role == role and user.pk not in exclude:
                return user
    return None


def _entry(record: InspectionRecord, *, inspected_on: datetime.date, codes: list[str], fail: str = "",
           signature: str = "pad", rectify: int | None = None, note: str = "") -> services.ResultEntry:
    items = list(record.items.all())
    findings: dict[int, tuple[str, str]] = {item.pk: (Finding.PASS.value, "") for item in items}
    if fail and items:
        findings[items[0].pk] = (Finding.FAIL.value, fail)
    present = [
        m.pk for m in record.members.select_related("inspector")
        if m.kind != InspectorKind.OFFICER or m.inspector.licence_valid_on(inspected_on)
    ]
    return services.ResultEntry(
        methods=["on_site"], inspected_on=inspected_on, findings=findings, result_codes=codes,
        present_member_ids=present, signature_kind=signature,
        signer_name="店长 张经理" if signature == "pad" else "",
        refusal_reason="负责人以需请示总部为由拒绝签字" if signature == "refused" else "",
        refusal_witness="社区网格员 刘芳（莲池区东关街道）" if signature == "refused" else "",
        situation="现场查看经营场所、查阅相关证照和台账。", result_note=note, rectify_workdays=rectify,
    )


def _officers_ok(record: InspectionRecord, day: datetime.date) -> bool:
    officers = [
        m for m in record.members.select_related("inspector")
        if m.kind == InspectorKind.OFFICER and m.licence_no and m.inspector.licence_valid_on(day)
    ]
    return len(officers) >= services.MIN_OFFICERS


@transaction.atomic
def load_demo_inspections(*, today: datetime.date) -> dict[str, Any]:
    """Generate and partly enter the 一企一表 of one demo task. Idempotent: does nothing the second time."""
    task = _demo_task()
    if task is None:
        return {"task": None, "message": "没有对象抽取和人员匹配均已确认的任务，未生成检查演示数据"}
    users = _bureau_users(task)
    admin = _pick(users, (Role.PROGRAM_ADMIN, Role.SECTION_STAFF))
    if admin is None or not has_perm(admin, Perm.PLAN_EDIT):
        return {"task": task.code, "message": "任务所属单位没有双随机办或科室账号，未生成检查演示数据"}
    if InspectionRecord.objects.filter(task=task).exclude(status=RecordStatus.PENDING).exists():
        return {"task": task.code, "message": "检查演示数据已存在"}
    services.records_generate_for_task(actor=admin, task=task)
    records = list(InspectionRecord.objects.filter(task=task, status=RecordStatus.PENDING).order_by("number"))
    inspected_on = max(task.window_start, add_workdays(today, -3).date)
    if inspected_on > today:
        return {"task": task.code, "records": len(records), "message": "任务尚未开始，检查结果未录入"}
    usable = [r for r in records if _officers_ok(r, inspected_on)]
    summary: dict[str, Any] = {"task": task.code, "records": len(records), "entered": [], "penalty_case": None}

    def enterer(record: InspectionRecord) -> User:
        member_user = record.members.filter(inspector__user__is_active=True).values_list("inspector__user", flat=True).first()
        return User.objects.get(pk=member_user) if member_user else admin

    def reviewer(record: InspectionRecord) -> User | None:
        team = set(record.members.filter(inspector__user__isnull=False).values_list("inspector__user", flat=True))
        exclude = {record.submitted_by_id or 0, *team}
        return _pick(users, (Role.SECTION_STAFF, Role.LEADER, Role.PROGRAM_ADMIN), exclude=exclude)

    plans: list[tuple[str, dict[str, Any]]] = [
        ("no_problem", {"codes": ["10"]}),
        ("refused", {"codes": ["21"], "fail": "2名从业人员未取得有效健康合格证明", "signature": "refused", "rectify": 10}),
        ("penalty", {"codes": ["221"], "fail": "未取得公共场所卫生许可证擅自营业"}),
        ("submitted", {"codes": ["10"]}),
    ]
    for record, (kind, options) in zip(usable, plans, strict=False):
        actor = enterer(record)
        signature = _signature_png() if options.get("signature", "pad") == "pad" else ""
        photos: list[UploadedFile] = [_photo(f"{record.number}-现场", (40, 110, 60))] if kind in ("refused", "penalty") else []
        entered = services.record_submit_result(
            actor=actor, record=record, entry=_entry(record, inspected_on=inspected_on, **options),
            signature_data_url=signature, evidence_files=photos,
        )
        summary["entered"].append(entered.number)
        if kind == "submitted":
            continue
        review_actor = reviewer(entered)
        if review_actor is None:
            continue
        services.record_review(actor=review_actor, record=entered, approve=True, comment="材料齐全，同意")
        if kind == "penalty":
            case = FollowUpCase.objects.filter(record=entered).first()
            if case is None:
                continue
            followup.case_file(actor=admin, case=case, case_number=f"{task.owner.short_name or '卫'}卫立〔{today.year}〕1号",
                               filed_on=inspected_on)
            followup.case_decide_penalty(
                actor=admin, case=case, decision_number=f"{task.owner.short_name or '卫'}卫罚〔{today.year}〕1号",
                decided_on=today, content="警告，并处罚款人民币3000元", amount=Decimal("3000"),
            )
            summary["penalty_case"] = case.number
    return summary
