"""Demo of the plan rules and dated flags that the other demo steps do not reach (issue 18 items 1 and 4, issue 20
item 8), built through the services like real data.

保定市卫生健康委员会 supervises the 煤矿和非煤矿山 of the city directly (职业卫生): eleven mines in 涞源县, 易县 and
满城区. During the year it **adjusts** its annual plan (玉溪: 年度抽查工作计划可根据实际动态调整):

- a new 重点 item, 对煤矿和非煤矿山用人单位职业病防治的监督检查, passes the 政策法规科's 合法性审查 and is published;
  the plan line requires **全覆盖（100%）** of the class (平顶山 2021: 煤矿和非煤矿山……应当全覆盖检查);
- **不同地区的抽查比重** (玉溪: 明确……不同地区的抽查比重): 涞源县 ×2, 易县 ×1.5, where the mines are;
- the coverage cycle in **ensure** mode (大洼: 3—5 年全面覆盖一次 — the draw takes as many not-yet-inspected
  targets as needed to finish the cycle in time).

Dated flags: a 投诉举报 entered by hand on one mine (12345 热线转办), and an imported **经营异常名录** (国家企业
信用信息公示系统, 保定市市场监督管理局's batch): two mines matched and flagged (one listed long ago and still listed),
one listed and 移出 before last year (no longer counts), four enterprises that are not in the 名录库 (reported).

The 用人单位职业卫生 task of the adjusted plan is drawn and confirmed: its stored record carries the coverage cycle
(ensure), 非请勿扰, the 一般 cap, the region weights and the mandatory flags, and the draw page lists the mandatory
mines with their dated reasons.

Idempotent: every object is looked up before it is created (by code, batch, plan version, task title).
"""

from __future__ import annotations

import datetime
from typing import Any

from shuangsuiji.accounts.models import Organization, Role, User
from shuangsuiji.core.uscc import complete_uscc
from shuangsuiji.demo.loader import DemoContext
from shuangsuiji.directory import flag_services, item_review, services
from shuangsuiji.directory.models import (
    CheckItem,
    FlagSource,
    ItemKind,
    ItemStatus,
    Specialty,
    Target,
    TargetFlagRecord,
)
from shuangsuiji.directory.models_flags import FlagListImport
from shuangsuiji.draws.demo import draw_only
from shuangsuiji.draws.models import TargetDraw
from shuangsuiji.planning import rule_services
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import AnnualPlan, CoverageRule, PlanStatus, Task
from shuangsuiji.planning.permissions import is_legal_section

MINE_ITEM = ("WJ-ZYWS-03", "对煤矿和非煤矿山用人单位职业病防治的监督检查")
MINE_KEYWORDS = "煤矿、矿业、矿山、铁矿、采石"
REGION_WEIGHTS = {"130630": "2", "130633": "1.5"}  # 涞源县, 易县: where the mines are
ADJUST_REASON = (
    "按照省卫生健康委职业卫生监督抽查工作要求，增加煤矿和非煤矿山用人单位职业病防治监督检查（全覆盖），"
    "按矿山分布提高涞源县、易县的抽查比重，本轮全覆盖周期内未检查的对象确保按期检查"
)
LIST_BATCH = "保定市市场监督管理局 第{n}批"
LIST_SOURCE = "国家企业信用信息公示系统（河北）"

# name, county code, risk class, last inspected (days before today; None = never), uscc serial
MINES: tuple[tuple[str, str, str, int | None, int], ...] = (
    ("涞源县鑫隆矿业有限公司", "130630", "C", 420, 1),
    ("涞源县银坊镇宏源铁矿", "130630", "D", None, 2),
    ("河北涞源金岭矿业有限公司", "130630", "C", 1500, 3),
    ("涞源县走马驿采石有限公司", "130630", "B", 300, 4),
    ("涞源县永盛矿业有限公司", "130630", "B", None, 5),
    ("涞源县恒泰矿山工程有限公司", "130630", "C", 1700, 6),
    ("易县太行石材矿山有限公司", "130633", "B", 380, 7),
    ("易县紫荆关鑫磊采石有限公司", "130633", "C", None, 8),
    ("易县华晟矿业有限公司", "130633", "B", 1300, 9),
    ("保定满城宏基矿业有限公司", "130607", "B", 200, 10),
    ("满城区坨南采石有限公司", "130607", "A", 900, 11),
)
TOWNS = ("银坊镇东北沟", "银坊镇浮图峪村", "金家井乡大沟村", "走马驿镇南关村", "北石佛乡石佛村", "王安镇桃木疃村",
         "西陵镇忠义村", "紫荆关镇北城村", "凌云册乡凌云册村", "神星镇神星村", "坨南乡龙门村")  # fmt: skip
COMPLAINT_MINE = 2
LISTED = {3: 60, 6: 800}  # mine serial → listed this many days before the list date, still listed
REMOVED = {8: (1150, 790)}  # listed, then 移出 (days before the list date): before last year, no longer counts
OUTSIDERS = (("保定市莲池区顺達商贸有限公司", "130606"), ("保定市竞秀区鸿运建材经销部", "130602"),
             ("易县恒通物流有限公司", "130633"), ("涞源县旺达农资有限公司", "130630"))  # fmt: skip


def _uscc(region: str, serial: int, prefix: str = "MA0KM") -> str:
    return complete_uscc(f"91{region}{prefix}{serial:04d}")


def _user(bureau: Organization, roles: tuple[str, ...], *, legal: bool = False) -> User | None:
    for user in User.objects.filter(is_active=True, role__in=roles).select_related("organization").order_by("pk"):
        org = user.organization
        if org is None or org.bureau.pk != bureau.pk or (legal and not is_legal_section(org)):
            continue
        return user
    return None


def step_mines(ctx: DemoContext) -> None:
    city = ctx.bureaus.get("city")
    if city is None:
        return
    admin = _user(city, (Role.PROGRAM_ADMIN,))
    if admin is None:
        return
    mines = _mine_targets(ctx, admin)
    _complaint(ctx, admin, mines)
    _imported_list(ctx, admin)
    item = _mine_item(ctx, city, admin)
    if item is None:
        return
    plan = _adjusted_plan(ctx, city, admin, item)
    if plan is not None:
        _drawn_task(ctx, city, admin, plan)


def _mine_targets(ctx: DemoContext, admin: User) -> dict[int, Target]:
    occupational = Specialty.objects.get(code="occupational")
    regions = {r.code: r for r in ctx.regions.values()}
    found: dict[int, Target] = {}
    for name, county, risk, inspected, serial in MINES:
        code = _uscc(county, serial)
        target = Target.objects.filter(owner=admin.organization.bureau if admin.organization else None, code=code).first()
        if target is None:
            place = regions[county].name
            target = services.target_create(actor=admin, data={
                "uscc": code, "name": name, "address": f"河北省保定市{place}{TOWNS[serial - 1]}",
                "region": regions[county], "specialties": [occupational], "risk_class": risk,
                "legal_representative": "", "contact_person": "安全环保部", "contact_phone": f"0312-{5_800_000 + serial:07d}",
                "last_inspected_on": ctx.today - datetime.timedelta(days=inspected) if inspected else None,
            })
            if inspected:
                Target.objects.filter(pk=target.pk).update(last_result="未发现问题" if serial % 3 else "发现问题已责令改正")
            ctx.count("检查对象", 1)
        found[serial] = target
    return found


def _complaint(ctx: DemoContext, admin: User, mines: dict[int, Target]) -> None:
    target = mines[COMPLAINT_MINE]
    reference = f"12345热线转办 {ctx.today.year}-0318"
    if TargetFlagRecord.objects.filter(target=target, source=FlagSource.COMPLAINT, reference=reference).exists():
        return
    flag_services.target_flag_record(
        actor=admin, target=target, flag="complaints", source=FlagSource.COMPLAINT,
        occurred_on=ctx.today - datetime.timedelta(days=95), reference=reference,
        note="职工反映井下凿岩作业粉尘大、未按规定发放防尘口罩",
    )
    ctx.count("风险标记记录", 1)


def _list_file(list_date: datetime.date) -> bytes:
    lines = ["统一社会信用代码,企业名称,列入日期,列入原因,作出决定机关,移出日期,移出原因"]
    names = {serial: (name, county) for name, county, _, _, serial in MINES}
    for serial, days in LISTED.items():
        name, county = names[serial]
        reason = "未依照规定的期限公示年度报告" if serial % 2 else "通过登记的住所或者经营场所无法联系"
        lines.append(f"{_uscc(county, serial)},{name},{(list_date - datetime.timedelta(days=days)).isoformat()},"
                     f"{reason},保定市市场监督管理局,,")
    for serial, (listed, removed) in REMOVED.items():
        name, county = names[serial]
        lines.append(f"{_uscc(county, serial)},{name},{(list_date - datetime.timedelta(days=listed)).isoformat()},"
                     f"未依照规定的期限公示年度报告,易县市场监督管理局,"
                     f"{(list_date - datetime.timedelta(days=removed)).isoformat()},已补报年度报告并公示")
    for n, (name, county) in enumerate(OUTSIDERS, start=1):
        lines.append(f"{_uscc(county, n, 'MA0KN')},{name},{(list_date - datetime.timedelta(days=30 * n)).isoformat()},"
                     "未依照规定的期限公示年度报告,保定市市场监督管理局,,")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _imported_list(ctx: DemoContext, admin: User) -> None:
    list_date = ctx.today - datetime.timedelta(days=20)
    batch = LIST_BATCH.format(n=f"{list_date.year}-{list_date.month:02d}")
    if FlagListImport.objects.filter(owner=admin.organization.bureau if admin.organization else None,
                                     batch=batch).exists():
        return
    imported = flag_services.flag_list_import(
        actor=admin, kind="abnormal_list", source=LIST_SOURCE, list_date=list_date, batch=batch,
        content=_list_file(list_date), file_name=f"经营异常名录（{list_date.year}年{list_date.month}月）.csv",
        note="市场监管部门推送的列入/移出经营异常名录企业，按统一社会信用代码与职业卫生名录库比对",
    )
    ctx.count("导入的名单", 1)
    ctx.count("风险标记记录", imported.created_count)


def _mine_item(ctx: DemoContext, city: Organization, admin: User) -> CheckItem | None:
    """The 重点 item of the mines, reviewed by the 政策法规科 and published (issue 20 item 6)."""
    item = CheckItem.objects.filter(owner=city, code=MINE_ITEM[0], is_current=True).first()
    if item is None:
        item = services.item_create(actor=admin, data={
            "code": MINE_ITEM[0], "specialty": Specialty.objects.get(code="occupational"), "name": MINE_ITEM[1],
            "legal_basis": "《中华人民共和国职业病防治法》第六十二条；《工作场所职业卫生管理规定》第四十五条",
            "subject": city.name, "target_type": "煤矿和非煤矿山企业", "methods": ["on_site", "documents"],
            "sub_items": ["职业病危害项目申报", "粉尘、噪声等职业病危害因素检测", "劳动者职业健康检查",
                          "防尘降噪设施和个人防护用品", "职业病危害告知和警示标识"],
            "ratio_percent": 100, "kind": ItemKind.KEY, "frequency": "每年1次（全覆盖）",
        })
        ctx.count("抽查事项", 1)
    if item.status == ItemStatus.PUBLISHED:
        return item
    legal = _user(city, tuple(Role.values), legal=True)
    if legal is None:
        return None
    entry = item_review.pending_entry(item) or item_review.approved_entry(item)
    if entry is None:
        review = item_review.item_review_submit(actor=admin, items=[item], note="新增煤矿和非煤矿山职业卫生检查事项（全覆盖）")
        entry = review.entries.get()
    if entry.review.status == "submitted":
        item_review.item_review_decide(
            actor=legal, review=entry.review, approve=True,
            opinion="抽查依据现行有效，检查对象和全覆盖要求符合职业病防治法和省级工作要求，同意公布。",
        )
    item_review.item_review_publish(actor=admin, review=entry.review)
    ctx.count("事项清单合法性审查", 1)
    item.refresh_from_db()
    return item


def _adjusted_plan(ctx: DemoContext, city: Organization, admin: User, item: CheckItem) -> AnnualPlan | None:
    year = ctx.today.year
    adjusted = AnnualPlan.objects.filter(owner=city, year=year, adjustment_reason=ADJUST_REASON).first()
    if adjusted is not None:
        return adjusted if adjusted.status == PlanStatus.PUBLISHED else None
    current = AnnualPlan.objects.filter(owner=city, year=year, status=PlanStatus.PUBLISHED).order_by("-version").first()
    if current is None or AnnualPlan.objects.filter(previous=current).exists():
        return None
    leader = _user(city, (Role.LEADER,)) or admin
    reviewer = _user(city, tuple(Role.values), legal=True) or admin
    plan = planning.plan_adjust(actor=admin, plan=current, reason=ADJUST_REASON)
    ratios = dict.fromkeys(("A", "B", "C", "D"), 100)
    line = plan.lines.filter(item__code="WJ-ZYWS-01").select_related("item").first()
    months = line.months if line is not None else []
    planning.plan_line_save(
        actor=admin, plan=plan, item=item, ratios=ratios, frequency="每年1次（全覆盖）", months=months,
        coverage_rule=CoverageRule.FULL, target_keywords=MINE_KEYWORDS,
        note="平顶山 2021：煤矿和非煤矿山应当全覆盖检查",
    )
    rule_services.plan_rules_save(actor=admin, plan=plan, cycle_mode="ensure", region_weights=REGION_WEIGHTS)
    for action, actor in (("submit", admin), ("review", reviewer), ("approve", leader), ("file", admin),
                          ("publish", admin)):
        plan = planning.plan_transition(
            actor=actor, plan=plan, action=action, comment="同意",
            justification="演示：按名录库实际户数安排，不足部分由国家和省级随机抽查任务补足",
        )
    ctx.count("年度抽查计划", 1)
    return plan


def _drawn_task(ctx: DemoContext, city: Organization, admin: User, plan: AnnualPlan) -> None:
    line = plan.lines.filter(item__code="WJ-ZYWS-01").select_related("item").first()
    if line is None:
        return
    title = f"{plan.year}年煤矿和非煤矿山等用人单位职业卫生随机抽查"
    task = Task.objects.filter(owner=city, title=title).first()
    if task is None:
        start, end = ctx.today + datetime.timedelta(days=14), ctx.today + datetime.timedelta(days=90)
        task = planning.task_create_from_plan_line(
            actor=admin, line=line, data={"title": title, "window_start": start, "window_end": end},
        )
        leader = _user(city, (Role.LEADER,)) or admin
        scheme = planning.scheme_generate(actor=admin, task=task)
        scheme = planning.scheme_approve(actor=leader, scheme=scheme, comment="同意")
        planning.scheme_publish(actor=admin, scheme=scheme)
        ctx.count("抽查任务", 1)
    if TargetDraw.objects.filter(task=task).exists():
        return
    draw = draw_only(today=ctx.today, task=task)
    ctx.count("对象抽取", int(draw is not None))


def mine_summary() -> dict[str, Any]:
    """For the tests and the README: the demo draw of the mines and its mandatory targets."""
    task = Task.objects.filter(title__endswith="煤矿和非煤矿山等用人单位职业卫生随机抽查").first()
    draw = TargetDraw.objects.filter(task=task).order_by("-pk").first() if task else None
    return {"task": task, "draw": draw, "mandatory": (draw.rules or {}).get("mandatory", {}) if draw else {}}
