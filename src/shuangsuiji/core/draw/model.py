"""Candidates, canonical row encoding and draw parameters (with Chinese validation messages)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from shuangsuiji.core import dates

ALGORITHM_NAME = "ssj-draw"
ALGORITHM_VERSION = 1
RECORD_TYPE = "ssj.draw"

RISK_CLASSES = ("A", "B", "C", "D")
RISK_CLASS_LABELS = {
    "A": "A类（信用风险低）",
    "B": "B类（信用风险一般）",
    "C": "C类（信用风险较高）",
    "D": "D类（信用风险高）",
}
_RISK_CLASS_ALIASES = {
    "A": "A", "A类": "A", "低": "A", "信用风险低": "A",
    "B": "B", "B类": "B", "一般": "B", "信用风险一般": "B",
    "C": "C", "C类": "C", "较高": "C", "信用风险较高": "C",
    "D": "D", "D类": "D", "高": "D", "信用风险高": "D",
}  # fmt: skip

# The risk flags of the directory (codes) and their Chinese labels, which are accepted and stored as codes.
FLAG_LABELS = {
    "complaints": "投诉举报多",
    "penalized": "受过行政处罚",
    "incident": "发生突发事件",
    "sampling_failed": "抽检不合格",
    "abnormal_list": "列入经营异常名录",
    "blacklist": "严重违法失信名单",
}
_FLAG_ALIASES = {label: code for code, label in FLAG_LABELS.items()} | {
    "受处罚": "penalized",
    "突发事件": "incident",
    "经营异常名录": "abnormal_list",
    "经营异常": "abnormal_list",
    "黑名单": "blacklist",
    "严重违法失信": "blacklist",
}
DEFAULT_MANDATORY_FLAGS = tuple(FLAG_LABELS)

STRATA_DIMENSIONS = ("risk_class", "region", "specialty")
STRATA_LABELS = {"risk_class": "风险等级", "region": "区域", "specialty": "主专业"}

COLUMNS = ("id", "region", "specialties", "risk_class", "risk_flags", "last_inspected_on", "risk_score")
REQUIRED_COLUMNS = ("id", "region", "specialties", "risk_class")
FIELD_SEPARATOR = "\x1f"
LIST_SEPARATOR = ";"
_LIST_SPLIT = re.compile(r"[;；、|/,，]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TRIM = " \t"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DrawInputError(ValueError):
    """Bad pool, parameters or randomness; the message is Chinese and meant for the user."""


# ------------------------------------------------------------------------------------------------ fields
# One canonical text per field; the pool digest is computed over these texts, so the CSV reader, the
# in-memory Candidate and any independent re-implementation must agree on them (see README 随机抽取).


def clean_text(value: str, what: str, *, required: bool = True) -> str:
    text = str(value).strip(_TRIM)
    if required and not text:
        raise DrawInputError(f"{what}不能为空")
    if _CONTROL.search(text):
        raise DrawInputError(f"{what}含有控制字符")
    return text


def canonical_list(value: str | Sequence[str], what: str, *, sort: bool) -> tuple[str, ...]:
    items = _LIST_SPLIT.split(value) if isinstance(value, str) else [str(v) for v in value]
    seen: dict[str, None] = {}
    for item in items:
        text = clean_text(item, what, required=False)
        if text and _LIST_SPLIT.search(text):
            raise DrawInputError(f"{what}『{text}』含有分隔符")
        if text:
            seen.setdefault(text, None)
    result = tuple(seen)
    return tuple(sorted(result)) if sort else result


def canonical_specialties(value: str | Sequence[str], what: str = "专业") -> tuple[str, ...]:
    """Order kept (the first is the 主专业), duplicates dropped; at least one."""
    result = canonical_list(value, what, sort=False)
    if not result:
        raise DrawInputError(f"{what}不能为空")
    return result


def canonical_flags(value: str | Sequence[str], what: str = "风险标记") -> tuple[str, ...]:
    items = canonical_list(value, what, sort=False)
    return tuple(sorted({_FLAG_ALIASES.get(item, item) for item in items}))


def canonical_risk_class(value: str, what: str = "风险等级") -> str:
    text = clean_text(value, what).upper()
    found = _RISK_CLASS_ALIASES.get(text)
    if found is None:
        raise DrawInputError(f"{what}『{text}』无效（可用：A、B、C、D 或 低、一般、较高、高）")
    return found


def parse_date(value: str | date | None, what: str) -> date | None:
    """A date of the pool or the parameters, read by the project's one date parser (``core.dates``)."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip(_TRIM)
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):  # the canonical form: most values of a stored pool
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    try:
        return dates.parse_date(text)
    except dates.DateParseError:
        raise DrawInputError(
            f"{what}『{text}』不是有效日期（可用格式：2023-07-20、2023/7/20、2023.7.20、2023年7月20日）"
        ) from None


def canonical_score(value: str | float | int | Decimal | None, what: str = "风险分值") -> str:
    if value is None:
        return ""
    text = str(value).strip(_TRIM)
    if not text:
        return ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise DrawInputError(f"{what}『{text}』不是数字") from None
    if not number.is_finite() or number < 0:
        raise DrawInputError(f"{what}『{text}』必须是非负数")
    if number == 0:
        return "0"
    normal = format(number.normalize(), "f")
    return normal


@dataclass(frozen=True)
class Candidate:
    """One target in a draw pool (canonicalised on construction; invalid values raise DrawInputError)."""

    id: str
    region: str
    specialties: tuple[str, ...]
    risk_class: str
    risk_flags: tuple[str, ...] = ()
    last_inspected_on: date | None = None
    risk_score: str = ""

    def __post_init__(self) -> None:
        where = f"检查对象『{self.id}』"
        object.__setattr__(self, "id", clean_text(self.id, "检查对象编号"))
        object.__setattr__(self, "region", clean_text(self.region, f"{where}的区域"))
        object.__setattr__(self, "specialties", canonical_specialties(self.specialties, f"{where}的专业"))
        object.__setattr__(self, "risk_class", canonical_risk_class(self.risk_class, f"{where}的风险等级"))
        object.__setattr__(self, "risk_flags", canonical_flags(self.risk_flags, f"{where}的风险标记"))
        object.__setattr__(
            self, "last_inspected_on", parse_date(self.last_inspected_on, f"{where}的最近检查日期")
        )
        object.__setattr__(self, "risk_score", canonical_score(self.risk_score, f"{where}的风险分值"))

    def row_fields(self) -> tuple[str, str, str, str, str, str, str]:
        return (
            self.id,
            self.region,
            LIST_SEPARATOR.join(self.specialties),
            self.risk_class,
            LIST_SEPARATOR.join(self.risk_flags),
            self.last_inspected_on.isoformat() if self.last_inspected_on else "",
            self.risk_score,
        )

    def row_bytes(self) -> bytes:
        """The canonical row: the seven fields joined by U+001F, UTF-8 (the Merkle leaf data)."""
        return FIELD_SEPARATOR.join(self.row_fields()).encode("utf-8")


def row_from_fields(fields: Sequence[str]) -> bytes:
    if len(fields) != len(COLUMNS):
        raise DrawInputError(f"对象行必须有 {len(COLUMNS)} 个字段")
    return FIELD_SEPARATOR.join(fields).encode("utf-8")


# ------------------------------------------------------------------------------------------------ params


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


@dataclass(frozen=True)
class CoverageCycle:
    start: date
    years: int
    mode: str = "prefer"  # prefer: not-yet-covered first; ensure: also raise the quota to finish in time


@dataclass(frozen=True)
class DoNotDisturb:
    mode: str = "off"  # off | exclude | down_weight
    classes: tuple[str, ...] = ("A",)
    key_specialties: tuple[str, ...] = ()
    weight: float = 0.5


@dataclass(frozen=True)
class Weighting:
    by: str  # risk_class | risk_score
    weights: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class DrawParams:
    method: str = "sha256"  # sha256 | rfc3797
    strata: tuple[str, ...] = ("risk_class",)
    ratio: tuple[tuple[str, Fraction], ...] | None = None  # per risk class, or ("*", r) for all strata
    count: tuple[tuple[str, int], ...] | None = None
    rounding: str = "ceil"  # ceil | round | floor
    floor_ratio: Fraction = Fraction(0)
    floor_count: int = 0
    item_kind: str = "一般"  # 一般 | 重点
    general_ratio_cap: Fraction | None = None
    mandatory_flags: tuple[str, ...] = DEFAULT_MANDATORY_FLAGS
    mandatory_counts_toward_quota: bool = True
    reference_date: date | None = None
    exclude_recent_days: int = 0
    exclude_exempt_classes: tuple[str, ...] = ("D",)
    do_not_disturb: DoNotDisturb = field(default_factory=DoNotDisturb)
    coverage_cycle: CoverageCycle | None = None
    weighting: Weighting | None = None

    def ratio_for(self, risk_class: str | None) -> Fraction | None:
        if self.ratio is None:
            return None
        table = dict(self.ratio)
        if "*" in table:
            return table["*"]
        return table.get(risk_class or "")

    def count_for(self, risk_class: str | None) -> int | None:
        if self.count is None:
            return None
        table = dict(self.count)
        if "*" in table:
            return table["*"]
        return table.get(risk_class or "")

    @property
    def weighted(self) -> bool:
        return self.weighting is not None or self.do_not_disturb.mode == "down_weight"


KNOWN_KEYS = (
    "method", "strata", "ratio", "count", "rounding", "floor_ratio", "floor_count", "item_kind",
    "general_ratio_cap", "mandatory_flags", "mandatory_counts_toward_quota", "reference_date",
    "exclude_recent_days", "exclude_exempt_classes", "do_not_disturb", "coverage_cycle", "weighting",
)  # fmt: skip


def _fraction(value: Any, what: str, *, upper: Fraction | None = Fraction(1)) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DrawInputError(f"{what}必须是数字")
    text = str(value).strip()
    if text.endswith("%"):
        try:
            number = Fraction(Decimal(text[:-1])) / 100
        except (InvalidOperation, ValueError):
            raise DrawInputError(f"{what}『{value}』不是有效比例") from None
    elif "/" in text:
        try:
            number = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise DrawInputError(f"{what}『{value}』不是有效比例") from None
    else:
        try:
            number = Fraction(Decimal(repr(value) if isinstance(value, float) else text))
        except (InvalidOperation, ValueError):
            raise DrawInputError(f"{what}『{value}』不是有效比例") from None
    if number < 0:
        raise DrawInputError(f"{what}不能为负数（现为 {value}）")
    if upper is not None and number > upper:
        raise DrawInputError(f"{what}不能超过 100%（现为 {value}）")
    return number


def _int(value: Any, what: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise DrawInputError(f"{what}必须是整数（现为 {value!r}）")
    if value < minimum:
        raise DrawInputError(f"{what}不能小于 {minimum}（现为 {value}）")
    return int(value)


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise DrawInputError(f"{what}必须是 true 或 false（现为 {value!r}）")
    return value


def _choice(value: Any, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise DrawInputError(f"{what}『{value}』无效（可选：{'、'.join(allowed)}）")
    return str(value)


def _str_list(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise DrawInputError(f"{what}必须是字符串列表")
    return tuple(v.strip() for v in value if v.strip())


def _per_class(value: Any, what: str, convert: Any) -> tuple[tuple[str, Any], ...]:
    if isinstance(value, dict):
        result = []
        for key, item in value.items():
            risk = canonical_risk_class(str(key), f"{what}中的风险等级")
            result.append((risk, convert(item, f"{what}（{risk}类）")))
        if not result:
            raise DrawInputError(f"{what}不能为空")
        return tuple(sorted(result))
    return (("*", convert(value, what)),)


def parse_params(data: Mapping[str, Any]) -> DrawParams:
    """Validate a params mapping (e.g. params.json); raises DrawInputError with a Chinese message."""
    if not isinstance(data, Mapping):
        raise DrawInputError("抽取参数必须是 JSON 对象")
    unknown = sorted(set(data) - set(KNOWN_KEYS))
    if unknown:
        raise DrawInputError(f"抽取参数含未知参数：{'、'.join(unknown)}（可用：{'、'.join(KNOWN_KEYS)}）")
    method = _choice(data.get("method", "sha256"), ("sha256", "rfc3797"), "抽取方法 method")
    strata = _str_list(data.get("strata", ["risk_class"]), "分层 strata")
    for item in strata:
        _choice(item, STRATA_DIMENSIONS, "分层维度")
    if len(set(strata)) != len(strata):
        raise DrawInputError("分层 strata 含重复维度")
    strata = tuple(d for d in STRATA_DIMENSIONS if d in strata)
    if ("ratio" in data) == ("count" in data):
        raise DrawInputError("必须且只能给出抽取比例 ratio 或抽取数量 count 之一")
    ratio = count = None
    if "ratio" in data:
        ratio = _per_class(data["ratio"], "抽取比例 ratio", lambda v, w: _fraction(v, w))
    else:
        count = _per_class(data["count"], "抽取数量 count", lambda v, w: _int(v, w))
    if (ratio or count or (("*", 0),))[0][0] != "*" and "risk_class" not in strata:
        raise DrawInputError("按风险等级给出比例或数量时，分层 strata 必须包含 risk_class")
    rounding = _choice(data.get("rounding", "ceil"), ("ceil", "round", "floor"), "取整规则 rounding")
    item_kind = _choice(data.get("item_kind", "一般"), ("一般", "重点"), "事项类别 item_kind")
    cap_value = data.get("general_ratio_cap")
    cap = None if cap_value is None else _fraction(cap_value, "一般事项比例上限 general_ratio_cap")
    reference = parse_date(data.get("reference_date"), "抽取基准日 reference_date")
    exclude_days = _int(data.get("exclude_recent_days", 0), "近期已检查排除天数 exclude_recent_days")
    if exclude_days and reference is None:
        raise DrawInputError("设置 exclude_recent_days 时必须给出抽取基准日 reference_date")
    exempt = tuple(
        sorted(
            {
                canonical_risk_class(c, "排除豁免等级")
                for c in _str_list(data.get("exclude_exempt_classes", ["D"]), "exclude_exempt_classes")
            }
        )
    )
    dnd_data = data.get("do_not_disturb") or {}
    if not isinstance(dnd_data, dict):
        raise DrawInputError("非请勿扰 do_not_disturb 必须是 JSON 对象")
    unknown = sorted(set(dnd_data) - {"mode", "classes", "key_specialties", "weight"})
    if unknown:
        raise DrawInputError(f"do_not_disturb 含未知参数：{'、'.join(unknown)}")
    dnd_weight = float(_fraction(dnd_data.get("weight", 0.5), "非请勿扰权重 weight"))
    if dnd_weight <= 0:
        raise DrawInputError("非请勿扰权重 weight 必须大于 0（要完全排除请用 mode=exclude）")
    dnd = DoNotDisturb(
        mode=_choice(dnd_data.get("mode", "off"), ("off", "exclude", "down_weight"), "非请勿扰 mode"),
        classes=tuple(
            sorted(
                {
                    canonical_risk_class(c, "非请勿扰等级")
                    for c in _str_list(dnd_data.get("classes", ["A"]), "classes")
                }
            )
        ),
        key_specialties=tuple(sorted(set(_str_list(dnd_data.get("key_specialties", []), "key_specialties")))),
        weight=dnd_weight,
    )
    cycle = None
    cycle_data = data.get("coverage_cycle")
    if cycle_data is not None:
        if not isinstance(cycle_data, dict):
            raise DrawInputError("覆盖周期 coverage_cycle 必须是 JSON 对象")
        unknown = sorted(set(cycle_data) - {"start", "years", "mode"})
        if unknown:
            raise DrawInputError(f"coverage_cycle 含未知参数：{'、'.join(unknown)}")
        start = parse_date(cycle_data.get("start"), "覆盖周期起始日 start")
        if start is None:
            raise DrawInputError("覆盖周期 coverage_cycle 必须给出起始日 start")
        years = _int(cycle_data.get("years", 3), "覆盖周期年数 years", minimum=1)
        if years > 10:
            raise DrawInputError("覆盖周期年数 years 不能超过 10")
        mode = _choice(cycle_data.get("mode", "prefer"), ("prefer", "ensure"), "覆盖周期 mode")
        if mode == "ensure" and reference is None:
            raise DrawInputError("覆盖周期 mode=ensure 需要抽取基准日 reference_date")
        cycle = CoverageCycle(start=start, years=years, mode=mode)
    weighting = None
    weighting_data = data.get("weighting")
    if weighting_data is not None:
        if not isinstance(weighting_data, dict):
            raise DrawInputError("加权 weighting 必须是 JSON 对象")
        by = _choice(weighting_data.get("by"), ("risk_class", "risk_score"), "加权依据 weighting.by")
        weights: tuple[tuple[str, float], ...] = ()
        if by == "risk_class":
            raw = weighting_data.get("weights")
            if not isinstance(raw, dict) or not raw:
                raise DrawInputError('按风险等级加权时必须给出 weights，如 {"A": 1, "D": 4}')
            weights = tuple(
                (risk, float(_fraction(value, f"{risk}类权重", upper=None)))
                for risk, value in sorted((canonical_risk_class(k, "权重等级"), v) for k, v in raw.items())
            )
            if any(w <= 0 for _, w in weights):
                raise DrawInputError("加权权重必须大于 0")
        weighting = Weighting(by=by, weights=weights)
    params = DrawParams(
        method=method,
        strata=strata,
        ratio=ratio,
        count=count,
        rounding=rounding,
        floor_ratio=_fraction(data.get("floor_ratio", 0), "最低比例 floor_ratio"),
        floor_count=_int(data.get("floor_count", 0), "最低数量 floor_count"),
        item_kind=item_kind,
        general_ratio_cap=cap,
        mandatory_flags=tuple(
            sorted(
                canonical_flags(
                    _str_list(data.get("mandatory_flags", list(DEFAULT_MANDATORY_FLAGS)), "mandatory_flags")
                )
            )
        ),
        mandatory_counts_toward_quota=_bool(
            data.get("mandatory_counts_toward_quota", True),
            "必查对象是否计入应抽数量 mandatory_counts_toward_quota",
        ),
        reference_date=reference,
        exclude_recent_days=exclude_days,
        exclude_exempt_classes=exempt,
        do_not_disturb=dnd,
        coverage_cycle=cycle,
        weighting=weighting,
    )
    if params.method == "rfc3797" and params.weighted:
        raise DrawInputError("RFC 3797 方法只支持等概率抽取，不能与加权或非请勿扰降权同用")
    return params


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def encode_params(params: DrawParams) -> dict[str, Any]:
    """The normalised parameters as stored in the record (and hashed into params_digest)."""

    def per_class(table: tuple[tuple[str, Any], ...] | None, convert: Any) -> Any:
        if table is None:
            return None
        if table[0][0] == "*":
            return convert(table[0][1])
        return {key: convert(value) for key, value in table}

    return {
        "method": params.method,
        "strata": list(params.strata),
        "ratio": per_class(params.ratio, _fraction_text),
        "count": per_class(params.count, int),
        "rounding": params.rounding,
        "floor_ratio": _fraction_text(params.floor_ratio),
        "floor_count": params.floor_count,
        "item_kind": params.item_kind,
        "general_ratio_cap": None
        if params.general_ratio_cap is None
        else _fraction_text(params.general_ratio_cap),
        "mandatory_flags": list(params.mandatory_flags),
        "mandatory_counts_toward_quota": params.mandatory_counts_toward_quota,
        "reference_date": params.reference_date.isoformat() if params.reference_date else None,
        "exclude_recent_days": params.exclude_recent_days,
        "exclude_exempt_classes": list(params.exclude_exempt_classes),
        "do_not_disturb": {
            "mode": params.do_not_disturb.mode,
            "classes": list(params.do_not_disturb.classes),
            "key_specialties": list(params.do_not_disturb.key_specialties),
            "weight": params.do_not_disturb.weight,
        },
        "coverage_cycle": None
        if params.coverage_cycle is None
        else {**asdict(params.coverage_cycle), "start": params.coverage_cycle.start.isoformat()},
        "weighting": None
        if params.weighting is None
        else {"by": params.weighting.by, "weights": dict(params.weighting.weights)},
    }


def decode_params(encoded: Mapping[str, Any]) -> DrawParams:
    """Inverse of encode_params: the record's params are valid input for parse_params."""
    return parse_params({k: v for k, v in encoded.items() if v is not None})


def rounded_quota(value: Fraction, rounding: str) -> int:
    if rounding == "ceil":
        return math.ceil(value)
    if rounding == "floor":
        return math.floor(value)
    return math.floor(value + Fraction(1, 2))
