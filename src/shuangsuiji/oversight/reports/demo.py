"""Demo data of statistics and reports: the register of every demo 卫生健康局 (领导小组 after seed 000, the
分工暨专家名单 after seed 003), a few meetings/documents/trainings of the last months, the reports due now
(with their deadlines) and the counted library summary. Idempotent: keyed by bureau and name/title.

``load_demo_reports(today=…)``; as a ``DEMO_STEPS`` entry: ``step_reports(ctx)``. Phones are made up.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
from shuangsuiji.directory.models import Specialty
from shuangsuiji.oversight.models_reports import (
    DutyAssignment,
    DutyKind,
    GroupRole,
    LeadingGroupMember,
    PeriodKind,
    PeriodReport,
    ReportStatus,
    WorkEvent,
)
from shuangsuiji.oversight.reports.services import reports_ensure
from shuangsuiji.oversight.summary import target_stats_refresh

GROUP = [  # (role, name, position)
    (GroupRole.LEADER, "王建国", "{org}副局长（分管）"),
    (GroupRole.DEPUTY, "李卫东", "卫生监督所所长"),
    (GroupRole.MEMBER, "赵立新", "{org}政策法规股股长"),
    (GroupRole.MEMBER, "孙丽", "卫生监督所监督一科科长"),
    (GroupRole.MEMBER, "周强", "卫生监督所医疗科科长"),
    (GroupRole.LIAISON, "陈晓", "{org}综合监督股工作人员"),
]
DUTIES = [  # (work content, section, person, specialty codes) — after seed 003's 附件
    ("数据信息发布、数据收集、督导检查及工作总结", "信息科", "赵静", []),
    ("公共场所、消毒产品及餐饮具集中消毒单位等", "监督一科", "刘亚军",
     ["public_places", "disinfection_products", "tableware_disinfection"]),
    ("饮用水卫生", "监督二科", "吴涛", ["drinking_water", "water_products"]),
    ("医疗卫生、放射卫生", "医疗科", "郭新华", ["medical", "radiation"]),
    ("传染病防治、血液安全", "传染病科", "余平", ["infectious_disease", "blood_safety"]),
    ("职业卫生", "职业卫生科", "张强", ["occupational"]),
    ("学校卫生", "学校卫生科", "罗靖", ["school", "childcare"]),
    ("计划生育", "计划生育科", "张慧", ["family_planning"]),
]
EVENTS = [  # (months before today, kind, title, document number, participants, content)
    (2, "meeting", "“双随机、一公开”监管工作推进会", "", None, "通报上半年抽查进度，部署下半年联合抽查"),
    (2, "document", "关于做好下半年“双随机、一公开”抽查工作的通知", "卫监〔{year}〕18号", None, ""),
    (1, "training", "双随机监管平台操作及一企一表录入培训班", "", 42, "随机抽取、人员匹配、结果录入与公示"),
    (1, "meeting", "部门联合抽查协调会", "", None, "与文广旅局、医保局协调联合抽查事项"),
]


def _fake_phone(seed: int) -> str:
    return f"0312-{5000000 + seed * 7919 % 4000000:07d}"


def _month_day(today: datetime.date, months_back: int) -> datetime.date:
    year, month = today.year, today.month - months_back
    while month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, min(12, 28))


@transaction.atomic
def load_demo_reports(*, today: datetime.date) -> dict[str, int]:
    created = {"members": 0, "duties": 0, "events": 0}
    bureaus = Organization.objects.filter(kind=OrganizationKind.HEALTH_BUREAU, is_active=True).order_by("code")
    specialties = {s.code: s for s in Specialty.objects.all()}
    for bureau in bureaus:
        short = bureau.short_name or bureau.name
        for order, (role, name, position) in enumerate(GROUP, start=1):
            _, made = LeadingGroupMember.objects.get_or_create(
                owner=bureau, name=name, defaults={"group_role": role, "position": position.format(org=short),
                                                   "sort_order": order, "phone": _fake_phone(bureau.pk * 10 + order)})
            created["members"] += made
        for order, (work, section, person, codes) in enumerate(DUTIES, start=1):
            duty, made = DutyAssignment.objects.get_or_create(
                owner=bureau, year=today.year, work_content=work,
                defaults={"kind": DutyKind.DIVISION if order == 1 else DutyKind.EXPERT, "section": section,
                          "person": person, "sort_order": order, "phone": _fake_phone(bureau.pk * 100 + order)})
            if made:
                duty.specialties.set([specialties[c] for c in codes if c in specialties])
            created["duties"] += made
        admin = _program_admin(bureau)
        if admin is None:
            continue
        for months_back, kind, title, number, participants, content in EVENTS:
            _, made = WorkEvent.objects.get_or_create(
                owner=bureau, kind=kind, title=title,
                defaults={"held_on": _month_day(today, months_back), "document_number": number.format(year=today.year),
                          "participants": participants, "content": content, "created_by": admin})
            created["events"] += made
    created["reports"] = reports_ensure(today=today)
    created["submitted"] = _submit_past_period_reports(today)
    created["summary_rows"] = target_stats_refresh()
    return created


def _submit_past_period_reports(today: datetime.date) -> int:
    """半年/全年报告 whose deadline has passed were sent on their due day (otherwise every demo bureau would
    show a late report and a 问责 for it)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from shuangsuiji.deadlines.models import Deadline
    from shuangsuiji.deadlines.services import deadline_complete
    from shuangsuiji.oversight.reports.services import PERIOD_DEADLINE, period_report_submit

    report_type = ContentType.objects.get_for_model(PeriodReport)
    submitted = 0
    for report in PeriodReport.objects.filter(status=ReportStatus.DRAFT).select_related("owner"):
        kind = PERIOD_DEADLINE[PeriodKind(report.kind)]
        deadline = Deadline.objects.filter(content_type=report_type, object_id=report.pk, kind=kind).first()
        admin = _program_admin(report.owner)
        if deadline is None or admin is None or deadline.due_date >= today or deadline.due_date < report.period_end:
            continue
        sent = timezone.make_aware(datetime.datetime.combine(deadline.due_date, datetime.time(10)))
        deadline_complete(subject=report, kind=kind, actor=admin, when=sent)
        period_report_submit(actor=admin, report=report, today=deadline.due_date)
        submitted += 1
    return submitted


def _program_admin(bureau: Organization) -> User | None:
    return User.objects.filter(organization=bureau, role=Role.PROGRAM_ADMIN, is_active=True).order_by("pk").first()


def step_reports(ctx: Any) -> None:
    """``DEMO_STEPS`` entry (after the planning/inspections/deadline steps)."""
    made = load_demo_reports(today=ctx.today)
    for what, label in (("members", "领导小组成员"), ("duties", "工作分工/专家"), ("events", "会议/文件/培训登记")):
        ctx.count(label, made[what])
