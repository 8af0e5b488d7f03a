"""Chinese wording of stored draw/match parameters and record figures for the pages."""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.directory.models import RiskFlag
from shuangsuiji.directory.specialties import SPECIALTIES

FALLBACK_LABELS = {"none": "仅本区域", "adjacent": "本区域优先，不足时相邻区域", "direct": "相邻区域仍不足时直接委派"}
ROUNDING_LABELS = {"ceil": "向上取整", "round": "四舍五入", "floor": "向下取整"}
STRATA_LABELS = {"risk_class": "风险等级", "region": "区域", "specialty": "主专业"}
SPECIALTY_LABELS = dict(SPECIALTIES)


def _percent(text: Any) -> str:
    value = Fraction(str(text)) * 100
    return f"{float(value):g}%"


def _cn_date(value: Any) -> str:
    try:
        return format_cn_date(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def draw_params_lines(params: dict[str, Any]) -> list[str]:
    lines = []
    strata = "、".join(STRATA_LABELS.get(s, s) for s in params.get("strata", []))
    if strata:
        lines.append(f"分层：按{strata}")
    ratio = params.get("ratio")
    if isinstance(ratio, dict):
        table = "、".join(f"{k}类 {_percent(v)}" for k, v in sorted(ratio.items()))
        lines.append(f"抽查比例：{table}（{ROUNDING_LABELS.get(params.get('rounding', ''), '')}）")
    elif ratio is not None:
        lines.append(f"抽查比例：{_percent(ratio)}")
    floor_ratio, floor_count = params.get("floor_ratio", "0"), params.get("floor_count", 0)
    if Fraction(str(floor_ratio)) or floor_count:
        lines.append(f"每层最低：{_percent(floor_ratio)}，且不少于 {floor_count} 户")
    flags = dict(RiskFlag.choices)
    mandatory = "、".join(flags.get(f, f) for f in params.get("mandatory_flags", []))
    lines.append(f"高风险必查：{mandatory or '无'}")
    if params.get("exclude_recent_days"):
        exempt = "、".join(params.get("exclude_exempt_classes", []))
        lines.append(
            f"近期已检查排除：基准日前 {params['exclude_recent_days']} 天内检查过的对象不参加随机抽取"
            + (f"（{exempt}类除外）" if exempt else "")
        )
    if params.get("reference_date"):
        lines.append(f"抽取基准日：{_cn_date(params['reference_date'])}")
    cycle = params.get("coverage_cycle")
    if cycle:
        mode = "优先抽取本周期尚未检查的对象" if cycle.get("mode") == "prefer" else "确保周期内查遍，必要时提高抽取数"
        lines.append(f"全覆盖周期：{cycle.get('years')} 年，自{_cn_date(cycle.get('start'))}起（{mode}）")
    else:
        lines.append("全覆盖周期：未设置")
    dnd = params.get("do_not_disturb") or {}
    if dnd.get("mode", "off") != "off":
        keys = "、".join(SPECIALTY_LABELS.get(k, k) for k in dnd.get("key_specialties", [])) or "无"
        classes = "、".join(f"{c}类" for c in dnd.get("classes", []))
        action = "不参加随机抽取" if dnd["mode"] == "exclude" else f"抽取权重降为 {dnd.get('weight')}"
        lines.append(f"非请勿扰：{classes}且无风险标记的对象{action}；重点专业除外：{keys}")
    else:
        lines.append("非请勿扰：不适用")
    cap = params.get("general_ratio_cap")
    if params.get("item_kind") == "一般":
        lines.append(f"一般事项比例上限：{_percent(cap) if cap is not None else '未设置'}")
    weighting = params.get("weighting")
    if weighting and weighting.get("by") == "risk_score":
        lines.append("不同地区的抽查比重：按年度计划的地区权重加权抽取（对象池“风险分值”列为地区权重）")
    lines.append(f"事项类别：{params.get('item_kind', '一般')}；方法：{params.get('method', 'sha256')}")
    return lines


def strata_rows(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not record:
        return []
    return [
        {
            "key": s.get("key"),
            "size": s.get("size"),
            "mandatory": s.get("mandatory"),
            "excluded": (s.get("excluded_recent") or 0) + (s.get("excluded_do_not_disturb") or 0),
            "excluded_recent": s.get("excluded_recent") or 0,
            "excluded_dnd": s.get("excluded_do_not_disturb") or 0,
            "uncovered": s.get("uncovered"),
            "eligible": s.get("eligible"),
            "quota": s.get("quota"),
            "selected": len(s.get("selected", [])),
            "probability": "、".join(str(p.get("probability")) for p in s.get("parts", [])),
        }
        for s in record.get("strata", [])
    ]


def fallback_label(value: str) -> str:
    return FALLBACK_LABELS.get(value, value)
