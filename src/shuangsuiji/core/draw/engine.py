"""The draw: strata, quotas, mandatory/excluded targets, and the verifiable random selection.

Everything random comes from one SHA-256 counter-mode stream per stratum part, keyed by the seed
    seed = SHA-256(canonical JSON ["ssj-draw", 1, method, pool digest, pool size, params digest,
                                    randomness strings, previous record digest or ""])
    key  = SHA-256(canonical JSON [seed hex, stratum key, part number])
    block j = SHA-256(key || j as 8-byte big-endian), j = 0, 1, …; each block gives four 64-bit
    big-endian unsigned integers, used in order.
A uniform integer below m takes the next integer x, rejects it while x >= 2^64 - (2^64 mod m), and returns
x mod m (exactly uniform). Uniform selection of d out of a part of n candidates (in canonical id order) is a
partial Fisher–Yates shuffle: for i = 0 … d-1 swap position i with i + uniform(n - i); the first d
positions, in that order, are the drawn candidates and their ranks.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np

from shuangsuiji.core import rfc3797
from shuangsuiji.core.draw.model import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    LIST_SEPARATOR,
    RECORD_TYPE,
    RISK_CLASSES,
    STRATA_LABELS,
    DrawInputError,
    DrawParams,
    canonical_json,
    encode_params,
    parse_params,
    rounded_quota,
    sha256_hex,
)
from shuangsuiji.core.draw.pool import Pool

NO_DATE = np.iinfo(np.int32).min
WEIGHT_SCALE = 1_000_000  # weights are used in millionths
_TWO64 = 1 << 64
PART_NAMES = {0: "all", 1: "uncovered", 2: "covered"}
PART_LABELS = {"all": "全部可抽对象", "uncovered": "本周期尚未检查的对象", "covered": "本周期已检查过的对象"}


# ------------------------------------------------------------------------------------------------ stream


class Stream:
    """SHA-256 counter-mode stream of 64-bit unsigned integers."""

    def __init__(self, seed_hex: str, stratum_key: str, part: int) -> None:
        self.key = hashlib.sha256(canonical_json([seed_hex, stratum_key, part])).digest()
        self.position = 0  # index of the next 64-bit word

    def words(self, count: int) -> np.ndarray:
        first_block, offset = divmod(self.position, 4)
        blocks = (offset + count + 3) // 4
        digest = hashlib.sha256
        key = self.key
        data = b"".join(
            [digest(key + j.to_bytes(8, "big")).digest() for j in range(first_block, first_block + blocks)]
        )
        self.position += count
        return np.frombuffer(data, dtype=">u8")[offset : offset + count].astype(np.uint64)

    def uniform(self, m: int) -> int:
        """Exactly uniform integer in [0, m) by rejection (m < 2^64)."""
        limit = _TWO64 - (_TWO64 % m)
        while True:
            x = int(self.words(1)[0])
            if x < limit:
                return x % m


def partial_shuffle(n: int, d: int, stream: Stream) -> list[int]:
    """Positions (0-based, into a part of size n) of the first d elements of a Fisher–Yates shuffle."""
    if d <= 0:
        return []
    start = stream.position
    i = np.arange(d, dtype=np.uint64)
    m = np.uint64(n) - i
    x = stream.words(d)
    remainder = (np.uint64(0) - m) % m  # 2^64 mod m
    rejected = (remainder != 0) & (x >= np.uint64(0) - remainder)
    if rejected.any():  # astronomically rare for realistic sizes; the sequential definition, exactly
        stream.position = start
        targets = [k + stream.uniform(n - k) for k in range(d)]
    else:
        targets = (i + x % m).tolist()
    moved: dict[int, int] = {}
    out = []
    for k, j in enumerate(targets):
        value_j = moved.get(j, j)
        moved[j] = moved.get(k, k)
        out.append(value_j)
    return out


def systematic_pps(weights: np.ndarray, d: int, stream: Stream) -> tuple[list[int], list[float]]:
    """Systematic sampling with probability proportional to size over the part in canonical order.

    Integer weights w_i (millionths). Units with d·w_i >= W (W = total weight) are taken with certainty and
    removed, repeatedly; for the rest, with d' draws left and W' their total, U = uniform(W') and unit i is
    selected when a point U + j·W' (j = 0 … d'-1) falls in [d'·(w_1+…+w_{i-1}), d'·(w_1+…+w_i)).
    Inclusion probability: exactly d'·w_i / W' (1 for certainty units). Returns (positions, probabilities).
    """
    w = np.asarray(weights, dtype=np.int64)
    positive = np.flatnonzero(w > 0)  # weight 0: never selected
    d = min(d, len(positive))
    if d <= 0:
        return [], []
    if d == len(positive):
        return positive.tolist(), [1.0] * d
    n = len(w)
    certain = np.zeros(n, dtype=bool)
    remaining = d
    while remaining > 0:
        total = int(w[~certain].sum())
        big = ~certain & (w * remaining >= total)
        if not big.any():
            break
        certain |= big
        remaining = d - int(certain.sum())
    chosen = np.flatnonzero(certain).tolist()
    probabilities = [1.0] * len(chosen)
    if remaining > 0:
        rest = np.flatnonzero(~certain)
        rw = w[rest]
        total = int(rw.sum())
        u = stream.uniform(total)
        if remaining * total < (1 << 62):
            cumulative = np.cumsum(rw) * remaining
            points = u + np.arange(remaining, dtype=np.int64) * total
            hits = np.searchsorted(cumulative, points, side="right")
        else:  # exact big-integer fallback
            acc, cumulative_list = 0, []
            for value in rw.tolist():
                acc += value * remaining
                cumulative_list.append(acc)
            import bisect

            hits = np.asarray(
                [bisect.bisect_right(cumulative_list, u + j * total) for j in range(remaining)],
                dtype=np.int64,
            )
        picked = rest[hits].tolist()
        chosen.extend(picked)
        probabilities.extend((remaining * int(w[p]) / total) for p in picked)
    return chosen, probabilities


# ------------------------------------------------------------------------------------------------ prepare


@dataclass
class Prepared:
    """Per-row arrays derived from a pool and the params (all in canonical order)."""

    risk: np.ndarray  # int8 index into RISK_CLASSES
    region: np.ndarray
    region_values: tuple[str, ...]
    primary: np.ndarray
    primary_values: tuple[str, ...]
    mandatory: np.ndarray
    do_not_disturb: np.ndarray
    last_days: np.ndarray  # int32 days since 1970-01-01, NO_DATE when never inspected
    weights: np.ndarray | None


def _days(value: date) -> int:
    return (value - date(1970, 1, 1)).days


def prepare(pool: Pool, params: DrawParams) -> Prepared:
    cols = pool.columns
    risk_lookup = np.asarray([RISK_CLASSES.index(v) for v in cols["risk_class"].values], dtype=np.int8)
    risk = risk_lookup[cols["risk_class"].codes]
    spec = cols["specialties"]
    primaries = sorted({v.split(LIST_SEPARATOR)[0] for v in spec.values})
    primary_lookup = np.asarray(
        [primaries.index(v.split(LIST_SEPARATOR)[0]) for v in spec.values], dtype=np.int32
    )
    flags = cols["risk_flags"]
    wanted = set(params.mandatory_flags)
    flag_sets = [set(v.split(LIST_SEPARATOR)) - {""} for v in flags.values]
    mandatory = np.asarray([bool(s & wanted) for s in flag_sets], dtype=bool)[flags.codes]
    dnd_policy = params.do_not_disturb
    if dnd_policy.mode == "off":
        dnd = np.zeros(len(pool), dtype=bool)
    else:
        key = set(dnd_policy.key_specialties)
        no_key = np.asarray([not (set(v.split(LIST_SEPARATOR)) & key) for v in spec.values], dtype=bool)
        no_flags = np.asarray([not s for s in flag_sets], dtype=bool)
        in_class = np.isin(risk, [RISK_CLASSES.index(c) for c in dnd_policy.classes])
        dnd = in_class & no_key[spec.codes] & no_flags[flags.codes]
    last = cols["last_inspected_on"]
    last_lookup = np.asarray(
        [_days(date.fromisoformat(v)) if v else NO_DATE for v in last.values], dtype=np.int32
    )
    weights = None
    if params.weighted:
        if params.weighting is None:
            base = np.ones(len(pool), dtype=np.float64)
        elif params.weighting.by == "risk_class":
            table = dict(params.weighting.weights)
            missing = sorted({RISK_CLASSES[int(r)] for r in np.unique(risk)} - set(table))
            if missing:
                raise DrawInputError(f"加权参数 weights 缺少风险等级：{'、'.join(missing)}")
            base = np.asarray([table.get(c, 0.0) for c in RISK_CLASSES], dtype=np.float64)[risk]
        else:
            scores = cols["risk_score"]
            if "" in scores.values and bool((scores.codes == scores.values.index("")).any()):
                first = int(np.argmax(scores.codes == scores.values.index("")))
                raise DrawInputError(f"按风险分值加权时每个对象都必须有 risk_score，{pool.ids[first]} 没有")
            base = np.asarray([float(v) if v else 0.0 for v in scores.values], dtype=np.float64)[scores.codes]
        if dnd_policy.mode == "down_weight":
            base = np.where(dnd, base * dnd_policy.weight, base)
        weights = np.maximum(np.rint(base * WEIGHT_SCALE), 0).astype(np.int64)
        weights[(weights == 0) & (base > 0)] = 1
    return Prepared(
        risk=risk,
        region=cols["region"].codes,
        region_values=cols["region"].values,
        primary=primary_lookup[spec.codes],
        primary_values=tuple(primaries),
        mandatory=mandatory,
        do_not_disturb=dnd,
        last_days=last_lookup[last.codes],
        weights=weights,
    )


# ------------------------------------------------------------------------------------------------ draw


def _years_left(params: DrawParams) -> int:
    cycle = params.coverage_cycle
    assert cycle is not None and params.reference_date is not None
    ref, start = params.reference_date, cycle.start
    elapsed = ref.year - start.year - ((ref.month, ref.day) < (start.month, start.day))
    return max(1, cycle.years - max(0, elapsed))


def compute_seed(
    method: str,
    pool_digest: str,
    pool_size: int,
    params_digest: str,
    randomness: Sequence[str],
    previous: str,
) -> str:
    payload = [
        ALGORITHM_NAME,
        ALGORITHM_VERSION,
        method,
        pool_digest,
        pool_size,
        params_digest,
        list(randomness),
        previous,
    ]
    return sha256_hex(payload)


def clean_randomness(randomness: Sequence[str]) -> list[str]:
    if isinstance(randomness, str):
        randomness = [randomness]
    values = [str(r).strip() for r in randomness]
    if not values:
        raise DrawInputError("必须提供至少一个公开随机数")
    if any(not v for v in values):
        raise DrawInputError("公开随机数不能为空字符串")
    return values


def select_strata(
    pool: Pool,
    prep: Prepared,
    params: DrawParams,
    seed: str,
    randomness: Sequence[str],
) -> list[dict[str, Any]]:
    """The per-stratum results (pure function of its arguments)."""
    n = len(pool)
    dims = params.strata
    key = np.zeros(n, dtype=np.int64)
    sizes = {
        "risk_class": len(RISK_CLASSES),
        "region": len(prep.region_values),
        "specialty": len(prep.primary_values),
    }
    arrays = {"risk_class": prep.risk, "region": prep.region, "specialty": prep.primary}
    for dim in dims:
        key = key * sizes[dim] + arrays[dim].astype(np.int64)
    span = 1
    for dim in dims:
        span *= sizes[dim]
    small = np.int16 if span < (1 << 15) else np.int32 if span < (1 << 31) else np.int64
    order = np.argsort(key.astype(small), kind="stable")  # radix sort for small keys
    sorted_keys = key[order]
    bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = [0, *bounds.tolist()]
    stops = [*bounds.tolist(), n]

    ref_days = _days(params.reference_date) if params.reference_date else None
    recent = np.zeros(n, dtype=bool)
    if params.exclude_recent_days and ref_days is not None:
        exempt = np.isin(prep.risk, [RISK_CLASSES.index(c) for c in params.exclude_exempt_classes])
        since = ref_days - prep.last_days.astype(np.int64)
        recent = (prep.last_days != NO_DATE) & (since >= 0) & (since < params.exclude_recent_days) & ~exempt
    dnd_excluded = prep.do_not_disturb if params.do_not_disturb.mode == "exclude" else np.zeros(n, dtype=bool)
    covered = None
    if params.coverage_cycle is not None:
        covered = prep.last_days >= _days(params.coverage_cycle.start)

    results = []
    for number, (a, b) in enumerate(zip(starts, stops, strict=True), start=1):
        members = order[a:b]
        first = int(members[0])
        labels = {}
        for dim in dims:
            if dim == "risk_class":
                labels[dim] = RISK_CLASSES[int(prep.risk[first])]
            elif dim == "region":
                labels[dim] = prep.region_values[int(prep.region[first])]
            else:
                labels[dim] = prep.primary_values[int(prep.primary[first])]
        stratum_key = "|".join(labels.values()) if labels else "全部"
        risk_class = labels.get("risk_class")
        size = len(members)
        is_mandatory = prep.mandatory[members]
        is_recent = recent[members] & ~is_mandatory
        is_dnd = dnd_excluded[members] & ~is_mandatory & ~is_recent
        eligible = members[~is_mandatory & ~is_recent & ~is_dnd]
        mandatory = members[is_mandatory]
        notes: list[str] = []
        label_text = "、".join(f"{STRATA_LABELS[d]}{v}" for d, v in labels.items()) or "全部对象"

        explicit = params.count_for(risk_class)
        if params.count is not None:
            if explicit is None:
                raise DrawInputError(f"抽取数量 count 未给出风险等级 {risk_class} 类的数量")
            quota = explicit
        else:
            ratio = params.ratio_for(risk_class)
            if ratio is None:
                raise DrawInputError(f"抽取比例 ratio 未给出风险等级 {risk_class} 类的比例")
            if (
                params.item_kind == "一般"
                and params.general_ratio_cap is not None
                and ratio > params.general_ratio_cap
            ):
                notes.append(
                    f"一般事项比例上限 {float(params.general_ratio_cap):.2%}，比例由 {float(ratio):.2%} 降为上限"
                )
                ratio = params.general_ratio_cap
            quota = rounded_quota(ratio * size, params.rounding)
        floor = max(math.ceil(params.floor_ratio * size), params.floor_count)
        if floor > quota:
            notes.append(f"按最低抽取要求由 {quota} 个提高到 {floor} 个")
            quota = floor
        uncovered_count = 0
        needed_uncovered = 0
        if covered is not None:
            uncovered_mandatory = int((~covered[mandatory]).sum())
            uncovered_count = int((~covered[eligible]).sum()) + uncovered_mandatory
            if params.coverage_cycle is not None and params.coverage_cycle.mode == "ensure":
                # Uncovered mandatory targets are covered anyway; the rest must come from the random draw.
                needed_uncovered = math.ceil(uncovered_count / _years_left(params)) - uncovered_mandatory
        if quota > size:
            notes.append(f"本层只有 {size} 个对象，少于应抽数量 {quota}，已全部抽取")
        want = quota - len(mandatory) if params.mandatory_counts_toward_quota else quota
        want = max(0, want)
        if needed_uncovered > want:
            notes.append(
                f"为在覆盖周期内查遍全部对象（尚有 {uncovered_count} 个未检查，剩余 {_years_left(params)} 年），"
                f"随机抽取数由 {want} 个提高到 {needed_uncovered} 个"
            )
            want = needed_uncovered
            quota = want + (len(mandatory) if params.mandatory_counts_toward_quota else 0)
        take_all = want > len(eligible)
        if take_all:
            if quota <= size:
                notes.append(
                    f"可抽对象不足：应随机抽取 {want} 个，排除后只有 {len(eligible)} 个可抽，已全部抽取"
                )
            want = len(eligible)
        if len(mandatory) and params.mandatory_counts_toward_quota and len(mandatory) > quota:
            notes.append(f"必查对象 {len(mandatory)} 个，超过应抽数量 {quota}，全部列入")

        if covered is not None:
            part_rows = [(1, eligible[~covered[eligible]]), (2, eligible[covered[eligible]])]
        else:
            part_rows = [(0, eligible)]
        selected: list[dict[str, Any]] = [
            {"id": value, "rank": rank, "reason": "mandatory"}
            for rank, value in enumerate(pool.ids_at(mandatory), start=1)
        ]
        parts = []
        left = want
        for part, rows in part_rows:
            take = min(left, len(rows))
            left -= take
            info: dict[str, Any] = {"part": PART_NAMES[part], "size": len(rows), "drawn": take}
            if params.method == "rfc3797":
                sources = [*randomness, str(number)] + ([str(part)] if part else [])
                info["rfc3797_sources"] = sources
                try:
                    picked = [p - 1 for p in rfc3797.select(len(rows), take, sources)] if take else []
                except ValueError as error:
                    raise DrawInputError(f"{label_text}：{error}") from None
                probabilities = None
                info["probability"] = _ratio_text(take, len(rows))
            elif prep.weights is not None:
                stream = Stream(seed, stratum_key, part)
                positions, probs = systematic_pps(prep.weights[rows], take, stream)
                shuffle = partial_shuffle(len(positions), len(positions), stream)
                picked = [positions[k] for k in shuffle]
                probabilities = [probs[k] for k in shuffle]
                info["probability"] = "见各对象"
            else:
                stream = Stream(seed, stratum_key, part)
                picked = partial_shuffle(len(rows), take, stream)
                probabilities = None
                info["probability"] = _ratio_text(take, len(rows))
            picked_ids = pool.ids_at(rows[np.asarray(picked, dtype=np.int64)]) if picked else []
            for k, value in enumerate(picked_ids):
                reason = "take_all" if take_all else "drawn"
                entry: dict[str, Any] = {"id": value, "rank": len(selected) + 1, "reason": reason}
                if probabilities is not None:
                    entry["probability"] = round(probabilities[k], 12)
                selected.append(entry)
            parts.append(info)
        results.append(
            {
                "number": number,
                "key": stratum_key,
                "labels": labels,
                "size": size,
                "mandatory": len(mandatory),
                "excluded_recent": int(is_recent.sum()),
                "excluded_do_not_disturb": int(is_dnd.sum()),
                "eligible": len(eligible),
                "uncovered": uncovered_count if covered is not None else None,
                "quota": quota,
                "drawn": want,
                "parts": parts,
                "selected": selected,
                "notes": [f"{label_text}：{note}" for note in notes],
            }
        )
    return results


def _ratio_text(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "0"
    value = Fraction(numerator, denominator)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _seal(record: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in record.items() if k != "record_digest"}
    record["record_digest"] = sha256_hex(body)
    return record


def record_digest(record: Mapping[str, Any]) -> str:
    return sha256_hex({k: v for k, v in record.items() if k != "record_digest"})


def as_params(params: DrawParams | Mapping[str, Any]) -> DrawParams:
    return params if isinstance(params, DrawParams) else parse_params(params)


def run_draw(
    pool: Pool,
    params: DrawParams | Mapping[str, Any],
    randomness: Sequence[str],
    *,
    previous_record: Mapping[str, Any] | None = None,
    redraw_reason: str | None = None,
) -> dict[str, Any]:
    """Draw and return the sealed, JSON-serialisable record (see README 随机抽取 for its fields)."""
    parsed = as_params(params)
    values = clean_randomness(randomness)
    previous_digest = ""
    reason = None
    if previous_record is not None:
        reason = (redraw_reason or "").strip()
        if not reason:
            raise DrawInputError("重新抽取必须填写理由")
        previous_digest = str(previous_record.get("record_digest") or "")
        if not previous_digest or record_digest(previous_record) != previous_digest:
            raise DrawInputError("原抽取记录的摘要不一致，不能据此重新抽取")
        if list(previous_record.get("randomness", [])) == values:
            raise DrawInputError("重新抽取必须使用新的公开随机数（与原记录相同的随机数会让重抽结果可被操纵）")
    elif redraw_reason:
        raise DrawInputError("只有重新抽取（引用原记录）时才能填写重抽理由")
    encoded = encode_params(parsed)
    params_digest = sha256_hex(encoded)
    digest = pool.root().hex()
    seed = compute_seed(parsed.method, digest, len(pool), params_digest, values, previous_digest)
    strata = select_strata(pool, prepare(pool, parsed), parsed, seed, values)
    selected = sum(len(s["selected"]) for s in strata)
    mandatory = sum(s["mandatory"] for s in strata)
    record: dict[str, Any] = {
        "type": RECORD_TYPE,
        "algorithm": {"name": ALGORITHM_NAME, "version": ALGORITHM_VERSION, "method": parsed.method},
        "pool": {
            "digest": digest,
            "size": len(pool),
            "tree": "RFC 6962 Merkle tree, SHA-256, rows sorted by id",
        },
        "params": encoded,
        "params_digest": params_digest,
        "randomness": values,
        "seed": seed,
        "previous_record_digest": previous_digest or None,
        "redraw_reason": reason,
        "strata": strata,
        "summary": {
            "pool_size": len(pool),
            "strata": len(strata),
            "selected": selected,
            "mandatory": mandatory,
            "drawn": selected - mandatory,
        },
        "notes": [note for s in strata for note in s["notes"]],
    }
    return _seal(record)


def selected_ids(record: Mapping[str, Any]) -> list[str]:
    return [entry["id"] for stratum in record.get("strata", []) for entry in stratum.get("selected", [])]
