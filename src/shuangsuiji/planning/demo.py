"""Demo planning data, built only through the services (so it is audited and valid like real data).

``load_demo_planning(today=...)`` — for every health bureau that has published items and a 双随机办 administrator:
an annual plan covering all its published items, reviewed, approved, filed and published; a joint plan with a
文广旅局 and a 医保局 of the same region (created if missing, each with its own administrator account), confirmed
by each department and published; a national task list imported and one task claimed; and tasks in early
states (draft, 工作方案 drafted, 工作方案 published — the joint task of three departments among them, ready
for the target draw). Bureaus that already have a plan for the year are left alone (idempotent).
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import xlsxwriter

from shuangsuiji.accounts.legal import is_legal_section
from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
from shuangsuiji.directory.models import CheckItem, ItemStatus
from shuangsuiji.planning import services
from shuangsuiji.planning.models import AnnualPlan, Task

DEMO_RATIOS = {"A": 1, "B": 3, "C": 10, "D": 30}
# Seed 004 (莲池 2023 部门联合抽查方案): the 11 区卫生健康局 items in the seed's order (codes of the demo item list),
# the partner departments' items as the seed names them, and "按照企业信用风险分级分类，抽查比例5%以上".
JOINT_ITEM_CODES = (
    "WJ-TY-01", "WJ-XDCP-01", "WJ-FS-01", "WJ-YL-01", "WJ-CRB-01", "WJ-JS-01", "WJ-YL-02", "WJ-YL-03", "WJ-XY-01",
    "WJ-CYJ-01", "WJ-GGCS-01",
)  # fmt: skip
JOINT_RATIOS = {"A": 5, "B": 5, "C": 8, "D": 15}
JOINT_SCOPE = (
    "在莲池区市场局登记的托育（幼）机构、医疗机构、生活饮用水相关单位、涉水产品生产经营单位，存在职业病危害的用人单位，"
    "消毒产品生产经营单位，开展放射诊疗活动的单位，开展计划生育技术服务的单位，血站、单采血浆站及医疗机构临床用血的单位，"
    "餐饮具集中消毒服务单位，公共场所单位"
)
PARTNERS = (
    ("文化广电和旅游局", "文化和旅游", "WGL", ("娱乐场所“双随机”抽查",)),
    ("医疗保障局", "医疗保障", "YB", ("对参保单位和个人遵守社会保险法律法规的监督检查", "对医疗机构药品集中采购相关规定的督导检查")),
)
# 平顶山 2021: 职业卫生技术服务机构 全覆盖; 用人单位职业卫生监督抽查的数量不低于上年 (item codes of the demo list)
LINE_RULES = {"WJ-ZYWS-02": ("full", "职业卫生技术服务、检测技术"), "WJ-ZYWS-01": ("last_year", "")}


def _user(bureau: Organization, roles: tuple[str, ...], *, legal: bool = False) -> User | None:
    users = User.objects.filter(is_active=True, role__in=roles).select_related("organization")
    for user in users.order_by("-is_demo", "pk"):
        org = user.organization
        if org is None or org.bureau.pk != bureau.pk:
            continue
        if legal and not is_legal_section(org):
            continue
        return user
    return None


def _partner(bureau: Organization, suffix: str, system: str, code: str, password: str | None) -> Organization:
    region = bureau.region
    found = Organization.objects.filter(
        region=region, kind=OrganizationKind.OTHER_DEPARTMENT, system=system
    ).first()
    if found is not None:
        return found
    org = Organization.objects.create(
        name=f"{region.name}{suffix}", code=f"{code}{region.code}", kind=OrganizationKind.OTHER_DEPARTMENT,
        region=region, system=system,
    )
    user = User(username=f"{code.lower()}{region.code}", real_name=f"{suffix}联络员", organization=org,
                role=Role.PROGRAM_ADMIN, is_demo=True)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return org


def _national_xlsx(bureau: Organization, year: int, start: datetime.date, end: datetime.date) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("任务清单")
    rows = [["任务编号", "任务名称", "专业", "抽查事项", "抽查范围", "比例", "起止日期", "下达系统"]]
    items = CheckItem.objects.filter(owner=bureau, is_current=True, status=ItemStatus.PUBLISHED).select_related(
        "specialty"
    )[:2]
    for n, item in enumerate(items, start=1):
        rows.append([
            f"GJ{year}-{bureau.region.code}-{n:02d}", f"{year}年{item.specialty.name}国家随机监督抽查", item.specialty.name,
            item.name, f"辖区内{item.target_type or item.specialty.name + '单位'}", "A类1%；B类2%；C类10%；D类30%",
            f"{start.isoformat()}至{end.isoformat()}", "国家卫生健康监督信息报告系统",
        ])
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def load_demo_planning(*, today: datetime.date, partner_password: str | None = None) -> dict[str, Any]:
    """Create the demo plans and tasks; returns counts per kind (see the module docstring)."""
    summary = {"plans": 0, "joint_plans": 0, "national_tasks": 0, "tasks": 0}
    year = today.year
    start, end = today + datetime.timedelta(days=14), today + datetime.timedelta(days=90)
    window = {"window_start": start, "window_end": end}
    # the joint inspection is already under way (its window began four weeks ago), so that the demo can show
    # its draw, teams and inspection results, some of them entered late; the other tasks are still ahead
    joint_window = {"window_start": today - datetime.timedelta(days=28), "window_end": end}
    for bureau in Organization.objects.filter(kind=OrganizationKind.HEALTH_BUREAU, is_active=True).order_by("code"):
        admin = _user(bureau, (Role.PROGRAM_ADMIN,))
        items = list(CheckItem.objects.filter(owner=bureau, is_current=True, status=ItemStatus.PUBLISHED))
        if admin is None or not items or AnnualPlan.objects.filter(owner=bureau, year=year).exists():
            continue
        reviewer = _user(bureau, tuple(Role.values), legal=True) or admin
        leader = _user(bureau, (Role.LEADER,)) or admin
        plan = services.plan_create(
            actor=admin, year=year, title=f"{bureau.name}{year}年度“双随机、一公开”抽查工作计划",
            description="按照“双随机、一公开”监管要求，覆盖本局全部已公布抽查事项。",
        )
        services.plan_lines_add_missing(actor=admin, plan=plan, ratios=DEMO_RATIOS, months=[start.month, end.month])
        _line_rules(plan, admin)
        for action, actor in (("submit", admin), ("review", reviewer), ("approve", leader), ("file", admin),
                              ("publish", admin)):
            plan = services.plan_transition(
                actor=actor, plan=plan, action=action, comment="同意",
                justification="演示：按名录库实际户数安排，不足部分由国家和省级随机抽查任务补足",
            )
        summary["plans"] += 1

        lines = list(plan.lines.select_related("item"))
        draft_task = services.task_create_from_plan_line(
            actor=admin, line=lines[0], data={"title": f"{year}年{lines[0].item.name}随机抽查", **window}
        )
        # the task ready for the draw is a 一般 item (so its draw shows the 一般 cap and 非请勿扰)
        general = [line for line in lines[1:] if line.item.kind == "general" and line.coverage_rule == "none"]
        ready_line = general[0] if general else lines[1] if len(lines) > 1 else lines[0]
        ready_task = services.task_create_from_plan_line(
            actor=admin, line=ready_line, data={"title": f"{year}年{ready_line.item.name}随机抽查（第一批）", **window}
        )
        services.scheme_generate(actor=admin, task=draft_task)
        _publish_scheme(ready_task, admin, leader)
        summary["tasks"] += 2

        partners = [_partner(bureau, suffix, system, code, partner_password) for suffix, system, code, _ in PARTNERS]
        by_code = {item.code: item for item in items}
        joint_items = [by_code[c] for c in JOINT_ITEM_CODES if c in by_code] or items[:2]
        joint = services.joint_plan_create(
            actor=admin, participants=partners, owner_items=joint_items,
            data={"title": f"{year}年{bureau.region.name}卫生健康局部门联合抽查计划", "year": year,
                  "target_scope": JOINT_SCOPE.replace("莲池区", bureau.region.name), "ratios": JOINT_RATIOS,
                  **joint_window},
        )
        joint = services.joint_plan_send(
            actor=admin, joint_plan=joint, justification="演示：联合抽查按信用风险分类抽取，另有年度计划任务"
        )
        for org, (_, _, _, titles) in zip(partners, PARTNERS, strict=True):
            participant = joint.participants.get(organization=org)
            partner_user = _user(org, (Role.PROGRAM_ADMIN, Role.SECTION_STAFF, Role.LEADER))
            if partner_user is not None:
                services.joint_participant_confirm(
                    actor=partner_user, participant=participant, item_titles="\n".join(titles), comment="同意"
                )
        joint.refresh_from_db()
        if joint.status == "confirmed":
            joint = services.joint_plan_publish(actor=admin, joint_plan=joint)
            joint_task = services.task_create_from_joint_plan(actor=admin, joint_plan=joint, data={})
            _publish_scheme(joint_task, admin, leader)
            summary["tasks"] += 1
        summary["joint_plans"] += 1

        imported = services.national_tasks_import(
            actor=admin, content=_national_xlsx(bureau, year, start, end), file_name="国家随机监督抽查任务.xlsx"
        )
        summary["national_tasks"] += len(imported)
        if imported:
            services.national_task_claim(actor=admin, national_task=imported[0])
            summary["tasks"] += 1
    return summary


def _line_rules(plan: AnnualPlan, admin: User) -> None:
    """平顶山's plan rules on two lines; a full-coverage item must be 重点 (a 一般 item is capped)."""
    for line in plan.lines.select_related("item"):
        rule = LINE_RULES.get(line.item.code)
        if rule is None or (rule[0] == "full" and line.item.kind != "key"):
            continue
        services.plan_line_save(
            actor=admin, plan=plan, item=line.item, ratios=line.ratios, frequency=line.frequency, months=line.months,
            responsible_section=line.responsible_section, is_joint=line.is_joint, note=line.note,
            coverage_rule=rule[0], target_keywords=rule[1],
        )


def _publish_scheme(task: Task, admin: User, leader: User) -> None:
    scheme = services.scheme_generate(actor=admin, task=task)
    scheme = services.scheme_approve(actor=leader, scheme=scheme, comment="同意")
    services.scheme_publish(actor=admin, scheme=scheme)
