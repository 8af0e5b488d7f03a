"""Builders for inspection tests: a task with a confirmed draw and match, built directly with the models."""

from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shuangsuiji.core.uscc import complete_uscc
from shuangsuiji.directory.models import CheckItem, Inspector, InspectorKind, ItemStatus, Specialty, Target
from shuangsuiji.draws.models import (
    Assignment,
    AssignmentRole,
    DrawnTarget,
    DrawStatus,
    InspectorMatch,
    MatchStatus,
    TargetDraw,
)
from shuangsuiji.planning.models import Task, TaskState
from tests.conftest import World

TODAY = datetime.date(2026, 11, 25)


@dataclass
class Setup:
    task: Task
    draw: TargetDraw
    match: InspectorMatch
    drawn: list[DrawnTarget]
    inspectors: list[Inspector]
    targets: list[Target]
    extra: dict[str, Any] = field(default_factory=dict)


def make_inspector(world: World, key: str, name: str, *, user: Any = None, kind: str = InspectorKind.OFFICER,
                   licence_to: datetime.date = datetime.date(2029, 12, 31)) -> Inspector:
    owner = world.orgs[key]
    region = world.regions[key]
    count = Inspector.objects.filter(owner=owner).count() + 1
    inspector = Inspector.objects.create(
        owner=owner, name=name, organization=owner, region=region, kind=kind,
        licence_no=f"冀{key.upper()}{region.code}{count:04d}" if kind == InspectorKind.OFFICER else "",
        licence_valid_from=datetime.date(2020, 1, 1), licence_valid_to=licence_to, user=user,
    )
    inspector.qualifications.set(Specialty.objects.filter(code__in=["public_places", "medical"]))
    return inspector


def make_target(world: World, key: str, name: str, body: str, specialties: list[str]) -> Target:
    owner = world.orgs[key]
    uscc = complete_uscc(body)
    target = Target.objects.create(
        owner=owner, uscc=uscc, code=uscc, name=name, address=f"{world.regions[key].name}{name}路8号",
        region=world.regions[key],
    )
    target.specialties.set(Specialty.objects.filter(code__in=specialties))
    return target


def make_task(world: World, key: str = "a", *, code: str = "2026-GG-01", methods: list[str] | None = None,
              items: list[CheckItem] | None = None) -> Task:
    task = Task.objects.create(
        owner=world.orgs[key], code=code, title="2026年公共场所卫生“双随机”抽查", year=2026,
        methods=methods or ["on_site"], window_start=datetime.date(2026, 9, 1), window_end=datetime.date(2026, 12, 15),
        state=TaskState.INSPECTORS_MATCHED,
    )
    task.items.set(items or [world.items[key]])
    task.specialties.set(Specialty.objects.filter(code="public_places"))
    return task


def confirm_draw(world: World, task: Task, targets: list[Target], teams: list[list[Inspector]],
                 *, sequence: int = 1) -> tuple[TargetDraw, InspectorMatch, list[DrawnTarget]]:
    admin = world.users["a_admin"] if task.owner == world.orgs["a"] else world.users["b_admin"]
    now = timezone.now()
    draw = TargetDraw.objects.create(
        owner=task.owner, task=task, sequence=sequence, status=DrawStatus.CONFIRMED, pool_size=len(targets),
        pool_digest=hashlib.sha256(f"pool{sequence}".encode()).hexdigest(), pool_file="pools/x.json",
        frozen_by=admin, frozen_at=now, drawn_by=admin, drawn_at=now, confirmed_by=admin, confirmed_at=now,
    )
    drawn = [
        DrawnTarget.objects.create(draw=draw, target=t, stratum="B", rank=i, reason="drawn")
        for i, t in enumerate(targets, start=1)
    ]
    match = InspectorMatch.objects.create(
        owner=task.owner, task=task, draw=draw, sequence=sequence, status=MatchStatus.CONFIRMED, record={},
        record_digest=hashlib.sha256(f"match{sequence}".encode()).hexdigest(), matched_by=admin, matched_at=now,
    )
    for dt, team in zip(drawn, teams, strict=True):
        for slot, inspector in enumerate(team, start=1):
            Assignment.objects.create(
                match=match, drawn_target=dt, inspector=inspector, slot=slot,
                role=AssignmentRole.LEADER if slot == 1 else AssignmentRole.MEMBER,
            )
    return draw, match, drawn


def inspection_setup(world: World, *, methods: list[str] | None = None, joint_items: bool = False) -> Setup:
    """County A: a task with two drawn targets; team 1 = 张三 + 李四 (李四 is user a_inspector), team 2 = 王五 + 赵六."""
    from shuangsuiji.directory.models import Specialty as Sp

    medical_item = CheckItem.objects.create(
        owner=world.orgs["a"], code="YL-a", specialty=Sp.objects.get(code="medical"), name="对医疗机构的监督检查",
        sub_items=["执业许可", "医师资质"], legal_basis="《医疗机构管理条例》", subject="莲池区卫生健康局",
        methods=["on_site"], status=ItemStatus.PUBLISHED,
    )
    items = [world.items["a"], medical_item]
    if joint_items:
        culture_item = CheckItem.objects.create(
            owner=world.orgs["a_culture"], code="WL-01", specialty=Sp.objects.get(code="public_places"),
            name="对娱乐场所经营活动的检查", sub_items=["营业执照", "消防通道"], legal_basis="《娱乐场所管理条例》",
            subject="莲池区文化广电和旅游局", methods=["on_site"], status=ItemStatus.PUBLISHED,
        )
        items.append(culture_item)
    task = make_task(world, methods=methods, items=items)
    if joint_items:
        task.participants.set([world.orgs["a_culture"]])
    hotel = world.targets["a"]
    clinic = make_target(world, "a", "莲池区康宁诊所", "92130606MA0CLNC1X", ["public_places", "medical"])
    zhang = world.inspectors["a"]
    li = make_inspector(world, "a", "李四", user=world.users["a_inspector"])
    wang = make_inspector(world, "a", "王五")
    zhao = make_inspector(world, "a", "赵六")
    draw, match, drawn = confirm_draw(world, task, [hotel, clinic], [[zhang, li], [wang, zhao]])
    return Setup(task=task, draw=draw, match=match, drawn=drawn, inspectors=[zhang, li, wang, zhao],
                 targets=[hotel, clinic])


def jpeg_bytes(size: tuple[int, int] = (64, 48), *, gps: bool = False, color: str = "green") -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if gps:
        exif[0x8825] = {1: "N", 2: (38.0, 52.0, 0.0), 3: "E", 4: (115.0, 28.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (120, 60)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    for x in range(10, 110):
        image.putpixel((x, 30), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def generated(world: World, **kwargs: Any) -> tuple[Setup, Any, Any]:
    """Setup + generated records (hotel: team 张三/李四; clinic: team 王五/赵六)."""
    from shuangsuiji.inspections.models import InspectionRecord
    from shuangsuiji.inspections.services import records_generate_for_task

    s = inspection_setup(world, **kwargs)
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    hotel = InspectionRecord.objects.get(task=s.task, target=s.targets[0])
    clinic = InspectionRecord.objects.get(task=s.task, target=s.targets[1])
    return s, hotel, clinic


def entry_for(record: Any, *, codes: list[str] | None = None, fail: dict[str, str] | None = None,
              signature: str = "refused", **overrides: Any) -> Any:
    """A valid ResultEntry: every item 合格 unless named in ``fail`` (name → problem), all members present."""
    from shuangsuiji.inspections.services import ResultEntry

    fail = fail or {}
    findings = {
        item.pk: (("fail", fail[item.name]) if item.name in fail else ("pass", ""))
        for item in record.items.all()
    }
    values: dict[str, Any] = {
        "methods": ["on_site"],
        "inspected_on": datetime.date(2026, 11, 20),
        "findings": findings,
        "result_codes": codes or (["21"] if fail else ["10"]),
        "present_member_ids": [m.pk for m in record.members.all()],
        "signature_kind": signature,
        "refusal_reason": "负责人称需请示总部" if signature == "refused" else "",
        "refusal_witness": "社区网格员 刘芳" if signature == "refused" else "",
        "signer_name": "王经理" if signature == "pad" else "",
        "rectify_workdays": 10 if any(c in (codes or ["21"]) for c in ["21"]) and fail else None,
    }
    values.update(overrides)
    return ResultEntry(**values)


def signature_data_url() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
