"""Demo draw rules (issue 18): the city's rules inherited by every county, the coverage floors of the seeds, and
dated risk flags with their sources for the flagged demo targets.

- 保定市卫健委 sets the rules once (5-year cycle begun two years ago, 非请勿扰 with the 玉溪 key 专业, 一般 cap 30%,
  all six mandatory flags); the counties inherit them (their draws say "沿用上级单位（保定市卫生健康委员会）设置").
- Floors: 莲池区 联合抽查计划 5% (seed 004), 涞源县 年度计划 3% (seed 001).
- Flags: every flag of a demo target gets a dated record (a penalty decision, a complaint, an imported list …),
  spread over the last 2½ years, so that the flags dated before 1 January of last year no longer make a target
  mandatory (大洼: 上年度……) and the draw page lists each mandatory target's reason.
"""

from __future__ import annotations

import datetime
import hashlib

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.demo.loader import DemoContext
from shuangsuiji.directory.models import FlagSource, Target, TargetFlagRecord
from shuangsuiji.planning import rule_services
from shuangsuiji.planning.models import CoverageFloor, DrawRuleSettings

FLAG_SOURCES = {
    "penalized": (FlagSource.PENALTY, "保{county}卫罚〔{year}〕{n}号"),
    "complaints": (FlagSource.COMPLAINT, "投诉举报登记 {year}-{n:04d}"),
    "incident": (FlagSource.INCIDENT, "突发公共卫生事件报告 {year}-{n:03d}"),
    "sampling_failed": (FlagSource.SAMPLING, "监督抽检报告 JC{year}{n:04d}"),
    "abnormal_list": (FlagSource.IMPORTED_LIST, "经营异常名录（{year}年第{n}批）"),
    "blacklist": (FlagSource.IMPORTED_LIST, "严重违法失信名单（{year}年第{n}批）"),
}
SPAN_DAYS = 900  # flags spread over the last ~2½ years


def _admin(ctx: DemoContext, key: str) -> User | None:
    bureau = ctx.bureaus.get(key)
    return User.objects.filter(organization=bureau, role=Role.PROGRAM_ADMIN, is_active=True).order_by("pk").first()


def step_rules(ctx: DemoContext) -> None:
    city_admin = _admin(ctx, "city")
    city = ctx.bureaus.get("city")
    if city is not None and city_admin is not None and not DrawRuleSettings.objects.filter(organization=city).exists():
        rule_services.draw_rules_save(
            actor=city_admin, organization=city,
            data={"cycle_years": 5, "cycle_mode": "prefer", "cycle_start_year": ctx.today.year - 2},
        )
        ctx.count("抽取规则设置", 1)
    floors = (("lianchi", "joint", "5", "莲池区2023年部门联合抽查方案：按照企业信用风险分级分类，抽查比例5%以上"),
              ("laiyuan", "annual", "3", "涞源县2024年实施方案：年度抽查监管主体占比达到3%以上"))
    for key, level, percent, basis in floors:
        admin = _admin(ctx, key)
        region = ctx.regions.get(key)
        if admin is None or region is None or CoverageFloor.objects.filter(region=region, level=level).exists():
            continue
        rule_services.coverage_floor_set(actor=admin, region=region, level=level, percent=percent, basis=basis)
        ctx.count("最低抽查比例", 1)
    ctx.count("风险标记记录", _flag_records(ctx))


def _flag_records(ctx: DemoContext) -> int:
    done = set(TargetFlagRecord.objects.values_list("target_id", flat=True).distinct())
    new = []
    flagged = Target.objects.exclude(risk_flags=[]).exclude(pk__in=done).select_related("region")
    for target in flagged.only("pk", "owner_id", "code", "risk_flags", "region__code").iterator(chunk_size=2000):
        for flag in target.risk_flags or []:
            if flag not in FLAG_SOURCES:
                continue
            # deterministic per target and flag (the demo is reproducible)
            digest = int.from_bytes(hashlib.sha256(f"{target.code}|{flag}".encode()).digest()[:8], "big")
            day = ctx.today - datetime.timedelta(days=1 + digest % SPAN_DAYS)
            source, pattern = FLAG_SOURCES[flag]
            reference = pattern.format(county=target.region.code[-2:], year=day.year, n=1 + digest % 97)
            new.append(TargetFlagRecord(
                owner_id=target.owner_id, target_id=target.pk, flag=flag, occurred_on=day, source=source,
                reference=reference, note="演示数据",
            ))
    TargetFlagRecord.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new)
