"""Demo of the upper-level supervision (issue 20 item 7), built through the services.

保定市卫健委: a 专项督查 of 莲池区 and 涞源县, 通报 issued a few working days ago — 涞源 has answered and its 整改 was
accepted, 莲池's answer is still due (its deadline is in the reminder chain: ``step_deadlines`` runs after this);
and a 交叉检查 under way (满城区 checks 清苑区 and back), one problem recorded so far. Idempotent: looked up by title.
"""

from __future__ import annotations

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.demo.loader import DemoContext
from shuangsuiji.supervision import services
from shuangsuiji.supervision.models import Campaign, CampaignKind

SPECIAL_TITLE = "{year}年“双随机、一公开”监管工作专项督查"
CROSS_TITLE = "{year}年“双随机、一公开”监管工作交叉检查"


def _admin(ctx: DemoContext, key: str) -> User | None:
    return User.objects.filter(organization=ctx.bureaus[key], role=Role.PROGRAM_ADMIN, is_active=True).order_by("pk").first()


def step_supervision(ctx: DemoContext) -> None:
    city = _admin(ctx, "city")
    if city is None:
        return
    calendar = get_calendar()
    year = ctx.today.year
    created = 0
    title = SPECIAL_TITLE.format(year=year)
    if not Campaign.objects.filter(owner=ctx.bureaus["city"], title=title).exists():
        start = calendar.add_workdays(ctx.today, -25).date
        issued = calendar.add_workdays(ctx.today, -8).date
        campaign = services.campaign_create(
            actor=city, kind=CampaignKind.SPECIAL, title=title,
            basis="依据《关于在日常监管中全面推进“双随机、一公开”监管机制的通知》，重点检查年度抽查计划制定和公示、随机抽取和"
                  "人员匹配、一企一表录入、抽查结果公示时限及后续处置台账。",
            window_start=start, window_end=calendar.add_workdays(start, 10).date,
            bureaus=[ctx.bureaus["lianchi"], ctx.bureaus["laiyuan"]], rectify_workdays=15,
        )
        services.campaign_open(actor=city, campaign=campaign)
        lianchi = campaign.parts.get(bureau=ctx.bureaus["lianchi"])
        laiyuan = campaign.parts.get(bureau=ctx.bureaus["laiyuan"])
        for part, category, text in (
            (lianchi, "publication", "抽查的3户检查结果超过20个工作日才公示，未在期限台账中说明原因。"),
            (lianchi, "followup", "1件责令整改事项已到复查期限但未复查，后续处置台账未更新。"),
            (laiyuan, "lists", "执法人员名录库中2名人员执法证已过期，仍处于“在岗”状态。"),
        ):
            services.finding_add(actor=city, part=part, category=category, description=text)
        services.finding_add(actor=city, part=lianchi, category="other", description="月报表第1—3项内容较简略。",
                             requires_rectification=False)
        checked = calendar.add_workdays(start, 3).date
        services.part_conclude(actor=city, part=lianchi, checked_on=checked, rating="average",
                               summary="查阅年度计划、工作方案和后续处置台账，抽查一企一表12份，现场询问执法人员2名。")
        services.part_conclude(actor=city, part=laiyuan, checked_on=calendar.add_workdays(checked, 2).date,
                               rating="fair", summary="查阅一单两库和抽取记录，抽查一企一表8份。")
        services.campaign_issue(
            actor=city, campaign=campaign, notice_number=f"保卫监督〔{year}〕12号",
            summary="各县区均按年度计划开展了随机抽查，抽取记录可公开验证，结果公示率总体较高；部分单位存在公示超期、后续处置不及时、"
                    "名录库更新不及时等问题。",
            requirements="", issued_on=issued,
        )
        laiyuan_admin = _admin(ctx, "laiyuan")
        if laiyuan_admin is not None:
            laiyuan.refresh_from_db()
            fixes = {f.pk: "已将2名人员状态调整为“调离”，执法证到期前30天自动提醒。" for f in laiyuan.findings.all()}
            services.part_answer(actor=laiyuan_admin, part=laiyuan, answer="已逐项整改，名录库已更新。",
                                 rectifications=fixes)
            services.part_review(actor=city, part=laiyuan, accept=True, comment="整改到位。")
        created += 1
    cross = CROSS_TITLE.format(year=year)
    if not Campaign.objects.filter(owner=ctx.bureaus["city"], title=cross).exists():
        start = calendar.add_workdays(ctx.today, -3).date
        campaign = services.campaign_create(
            actor=city, kind=CampaignKind.CROSS, title=cross,
            basis="县区之间交叉检查随机抽查的全过程记录和结果录入质量。", window_start=start,
            window_end=calendar.add_workdays(start, 15).date,
            bureaus=[ctx.bureaus["mancheng"], ctx.bureaus["qingyuan"]],
            checked_by={ctx.bureaus["mancheng"].pk: ctx.bureaus["qingyuan"],
                        ctx.bureaus["qingyuan"].pk: ctx.bureaus["mancheng"]},
        )
        services.campaign_open(actor=city, campaign=campaign)
        part = campaign.parts.get(bureau=ctx.bureaus["mancheng"])
        services.finding_add(actor=city, part=part, category="inspection",
                             description="（清苑区检查组报告）2份一企一表拒签未记录见证人。")
        created += 1
    ctx.count("专项督查/交叉检查", created)
