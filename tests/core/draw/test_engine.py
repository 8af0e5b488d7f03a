"""The draw: properties (hypothesis), statistics (chi-square, fixed seeds), methods, re-draws, bad input."""

from __future__ import annotations

import copy
import math
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from shuangsuiji.core import rfc3797
from shuangsuiji.core.draw import (
    Candidate,
    DrawInputError,
    Pool,
    parse_params,
    run_draw,
    selected_ids,
    verify_record,
)
from shuangsuiji.core.draw.engine import Stream, partial_shuffle, systematic_pps
from tests.core.draw.factories import RATIOS, make_candidates, make_pool, unique_candidates

RANDOM = ["2024-05-31 双色球 03 07 12 19 25 31 + 09"]
BASE: dict[str, Any] = {"ratio": RATIOS, "floor_count": 1, "reference_date": "2024-06-01"}


def by_reason(record: dict[str, Any], reason: str) -> set[str]:
    return {e["id"] for s in record["strata"] for e in s["selected"] if e["reason"] == reason}


params_strategy = st.fixed_dictionaries(
    {
        "ratio": st.sampled_from([RATIOS, "5%", 0.5, {"A": 0, "B": 1, "C": "1/3", "D": 0.07}]),
        "rounding": st.sampled_from(["ceil", "round", "floor"]),
        "floor_count": st.integers(0, 3),
        "floor_ratio": st.sampled_from([0, "3%"]),
        "strata": st.sampled_from([["risk_class"], ["risk_class", "region"], ["risk_class", "specialty"]]),
        "mandatory_counts_toward_quota": st.booleans(),
        "reference_date": st.just("2024-06-01"),
        "exclude_recent_days": st.sampled_from([0, 365]),
    }
)


@settings(max_examples=60, deadline=None)
@given(unique_candidates(min_size=1, max_size=50), params_strategy, st.randoms(use_true_random=False))
def test_properties(candidates: list[Candidate], params: dict[str, Any], shuffler: random.Random) -> None:
    record = run_draw(Pool.from_candidates(candidates), params, RANDOM)
    # Order independence: shuffling the input rows changes nothing.
    shuffled = list(candidates)
    shuffler.shuffle(shuffled)
    assert run_draw(Pool.from_candidates(shuffled), params, RANDOM) == record
    parsed = parse_params(params)
    by_id = {c.id: c for c in candidates}
    chosen = selected_ids(record)
    assert len(chosen) == len(set(chosen))
    for stratum in record["strata"]:
        size = stratum["size"]
        ratio = parsed.ratio_for(stratum["labels"]["risk_class"])
        assert ratio is not None
        exact = ratio * size
        rounded = {"ceil": math.ceil(exact), "floor": math.floor(exact), "round": math.floor(exact + 0.5)}
        quota = max(rounded[params["rounding"]], math.ceil(parsed.floor_ratio * size), params["floor_count"])
        assert stratum["quota"] == quota
        mandatory, drawn = stratum["mandatory"], stratum["drawn"]
        want = max(0, quota - mandatory) if params["mandatory_counts_toward_quota"] else quota
        assert drawn == min(want, stratum["eligible"])
        assert len(stratum["selected"]) == mandatory + drawn
        assert [e["rank"] for e in stratum["selected"]] == list(range(1, mandatory + drawn + 1))
        for entry in stratum["selected"]:
            c = by_id[entry["id"]]
            assert c.risk_class == stratum["labels"]["risk_class"]
    # Mandatory targets are always in; recently inspected (non-D, not mandatory) targets never are.
    flagged = {c.id for c in candidates if {"complaints", "penalized"} & set(c.risk_flags)}
    assert flagged <= set(chosen) and by_reason(record, "mandatory") == flagged
    for stratum in record["strata"]:
        reasons = {e["reason"] for e in stratum["selected"]} - {"mandatory"}
        assert reasons in (set(), {"drawn"}, {"take_all"})
        if reasons == {"take_all"}:
            assert stratum["drawn"] == stratum["eligible"]
    if params["exclude_recent_days"]:
        recent = {
            c.id
            for c in candidates
            if c.last_inspected_on
            and 0 <= (parsed.reference_date - c.last_inspected_on).days < 365  # type: ignore[operator]
            and c.risk_class != "D"
            and c.id not in flagged
        }
        assert not recent & (by_reason(record, "drawn") | by_reason(record, "take_all"))
    # verify(run(x)) passes, and fails on a change of any single field of the record.
    pool = Pool.from_candidates(candidates)
    assert verify_record(record, pool).ok
    for key in record:
        if key in ("type",):
            continue
        tampered = copy.deepcopy(record)
        tampered[key] = "x" if tampered[key] != "x" else "y"
        assert not verify_record(tampered, pool).ok, key


def test_verify_detects_changed_pool_params_result_and_tampering() -> None:
    candidates = make_candidates(400, seed=2)
    pool = Pool.from_candidates(candidates)
    record = run_draw(pool, BASE, RANDOM)
    assert verify_record(record, pool).ok
    # changed pool (one target's risk class)
    changed = list(candidates)
    changed[5] = Candidate(
        **{**changed[5].__dict__, "risk_class": "D" if changed[5].risk_class != "D" else "A"}
    )
    result = verify_record(record, Pool.from_candidates(changed))
    assert not result.ok and any("对象库摘要不一致" in p for p in result.problems)
    # changed result, with the digest re-sealed by a forger: the recomputation catches it
    forged = copy.deepcopy(record)
    forged["strata"][1]["selected"][0]["id"] = "ZZZ"
    from shuangsuiji.core.draw.engine import record_digest

    forged["record_digest"] = record_digest(forged)
    result = verify_record(forged, pool)
    assert not result.ok and any("抽取结果与重新计算的不一致" in p for p in result.problems)
    # changed params, re-sealed: params digest and seed no longer match
    forged = copy.deepcopy(record)
    forged["params"]["floor_count"] = 2
    forged["record_digest"] = record_digest(forged)
    result = verify_record(forged, pool)
    assert not result.ok and any("参数摘要不一致" in p for p in result.problems)
    # a nested single-field edit without re-sealing
    tampered = copy.deepcopy(record)
    tampered["strata"][0]["selected"][0]["rank"] = 99
    assert "记录摘要不一致" in verify_record(tampered, pool).problems[0]
    # without a pool, only the record itself is checked
    alone = verify_record(record)
    assert alone.ok and "未提供对象库" in alone.notes[-1]


def test_uniform_selection_passes_chi_square() -> None:
    """Every candidate of a stratum is equally likely: 3000 draws of 4 out of 20, fixed seeds."""
    pool = Pool.from_candidates(
        [Candidate(id=f"C{k:02d}", region="r", specialties=("医疗卫生",), risk_class="B") for k in range(20)]
    )
    counts: Counter[str] = Counter()
    runs = 3000
    for seed in range(runs):
        record = run_draw(pool, {"count": 4}, [f"seed {seed}"])
        counts.update(selected_ids(record))
    observed = [counts[f"C{k:02d}"] for k in range(20)]
    assert sum(observed) == 4 * runs
    assert stats.chisquare(observed).pvalue > 0.001
    # Pairs are uniform too (a partial Fisher–Yates gives a uniform subset): check the first two ranks.
    first = Counter()
    for seed in range(runs):
        first[selected_ids(run_draw(pool, {"count": 1}, [f"first {seed}"]))[0]] += 1
    assert stats.chisquare([first[f"C{k:02d}"] for k in range(20)]).pvalue > 0.001


def test_weighted_selection_matches_documented_probabilities() -> None:
    """Systematic PPS: P(i) = d·w_i/W exactly; 4000 runs, chi-square against the recorded probabilities."""
    weights = [1, 1, 2, 2, 3, 5, 8, 8, 1, 4]
    pool = Pool.from_candidates(
        [
            Candidate(id=f"W{k}", region="r", specialties=("医疗卫生",), risk_class="B", risk_score=str(w))
            for k, w in enumerate(weights)
        ]
    )
    params = {"count": 3, "strata": [], "weighting": {"by": "risk_score"}}
    counts: Counter[str] = Counter()
    probabilities: dict[str, float] = {}
    runs = 4000
    for seed in range(runs):
        record = run_draw(pool, params, [f"w {seed}"])
        for entry in record["strata"][0]["selected"]:
            counts[entry["id"]] += 1
            probabilities[entry["id"]] = entry["probability"]
    total = sum(weights)
    for k, w in enumerate(weights):
        expected = min(1.0, 3 * w / total)
        assert probabilities[f"W{k}"] == pytest.approx(expected) or w == 8  # 8s are certainty units
    # W6 and W7 (weight 8 each, 3*8/35 < 1): not certain; check overall frequencies.
    expected_counts = [runs * 3 * w / total for w in weights]
    observed = [counts[f"W{k}"] for k in range(len(weights))]
    assert stats.chisquare(observed, expected_counts).pvalue > 0.001


def test_systematic_pps_certainty_units() -> None:
    stream = Stream("0" * 64, "k", 0)
    chosen, probabilities = systematic_pps(__import__("numpy").array([100, 1, 1, 1, 1]), 2, stream)
    assert 0 in chosen and probabilities[chosen.index(0)] == 1.0
    assert sorted(chosen) == sorted(set(chosen)) and len(chosen) == 2


def test_partial_shuffle_is_fisher_yates() -> None:
    stream = Stream("ab" * 32, "k", 0)
    again = Stream("ab" * 32, "k", 0)
    picked = partial_shuffle(10, 10, stream)
    assert sorted(picked) == list(range(10))
    # The sequential definition gives the same permutation.
    a = list(range(10))
    for i in range(10):
        j = i + again.uniform(10 - i)
        a[i], a[j] = a[j], a[i]
    assert a == picked


def test_rfc3797_method_reproduces_the_rfc_over_canonical_order() -> None:
    pool = make_pool(200, seed=4, flag_share=0)
    record = run_draw(pool, {"method": "rfc3797", "ratio": "10%"}, ["9319", "2 5 12 8 10"])
    for stratum in record["strata"]:
        part = stratum["parts"][0]
        members = [i for i in pool.ids if pool.candidate(pool.index_of(i) or 0).risk_class == stratum["key"]]
        positions = rfc3797.select(len(members), part["drawn"], part["rfc3797_sources"])
        assert [e["id"] for e in stratum["selected"]] == [members[p - 1] for p in positions]
        assert part["rfc3797_sources"] == ["9319", "2 5 12 8 10", str(stratum["number"])]
    assert verify_record(record, pool).ok


def test_redraw_references_previous_record() -> None:
    pool = make_pool(300)
    first = run_draw(pool, BASE, RANDOM)
    snapshot = copy.deepcopy(first)
    second = run_draw(
        pool, BASE, ["2024-06-07 福彩3D 4 1 8"], previous_record=first, redraw_reason="抽中对象已注销"
    )
    assert first == snapshot
    assert second["previous_record_digest"] == first["record_digest"]
    assert second["redraw_reason"] == "抽中对象已注销"
    assert verify_record(second, pool, previous_record=first).ok
    assert not verify_record(second, pool, previous_record=second).ok
    with pytest.raises(DrawInputError, match="理由"):
        run_draw(pool, BASE, ["new"], previous_record=first)
    with pytest.raises(DrawInputError, match="新的公开随机数"):
        run_draw(pool, BASE, RANDOM, previous_record=first, redraw_reason="x")
    tampered = {**first, "strata": []}
    with pytest.raises(DrawInputError, match="摘要不一致"):
        run_draw(pool, BASE, ["new"], previous_record=tampered, redraw_reason="x")


def test_coverage_cycle_prefers_uncovered_and_ensure_raises_quota() -> None:
    pool = make_pool(600, seed=9, flag_share=0)
    params = {**BASE, "coverage_cycle": {"start": "2024-01-01", "years": 3}}
    record = run_draw(pool, params, RANDOM)
    for stratum in record["strata"]:
        uncovered, covered = stratum["parts"]
        assert (uncovered["part"], covered["part"]) == ("uncovered", "covered")
        assert covered["drawn"] == 0 or uncovered["drawn"] == uncovered["size"]
    ensure = run_draw(
        pool, {**params, "coverage_cycle": {**params["coverage_cycle"], "mode": "ensure"}}, RANDOM
    )
    a = next(s for s in ensure["strata"] if s["key"] == "A")
    assert a["mandatory"] == 0 and a["drawn"] == math.ceil(a["uncovered"] / 3)
    assert any("覆盖周期" in n for n in ensure["notes"])


def test_do_not_disturb_and_cap_and_floor_notes() -> None:
    pool = make_pool(500, seed=3, flag_share=0)
    record = run_draw(pool, {**BASE, "do_not_disturb": {"mode": "exclude", "classes": ["A"]}}, RANDOM)
    a = next(s for s in record["strata"] if s["key"] == "A")
    assert a["excluded_do_not_disturb"] == a["size"] and a["drawn"] == 0
    assert any("可抽对象不足" in n for n in record["notes"])
    capped = run_draw(pool, {**BASE, "item_kind": "一般", "general_ratio_cap": "15%"}, RANDOM)
    d = next(s for s in capped["strata"] if s["key"] == "D")
    assert d["quota"] == math.ceil(0.15 * d["size"])
    small = Pool.from_candidates(make_candidates(3, seed=1))
    floored = run_draw(small, {"ratio": "1%", "floor_count": 5}, RANDOM)
    assert all(s["drawn"] == s["size"] for s in floored["strata"])
    assert {e["reason"] for s in floored["strata"] for e in s["selected"]} == {"take_all"}
    assert any("已全部抽取" in n for n in floored["notes"])
    down = run_draw(pool, {**BASE, "do_not_disturb": {"mode": "down_weight", "weight": 0.25}}, RANDOM)
    assert all("probability" in e for s in down["strata"] for e in s["selected"] if e["reason"] == "drawn")
    assert verify_record(down, pool).ok


def test_full_ratio_orders_all_targets_randomly() -> None:
    pool = make_pool(50, flag_share=0)
    record = run_draw(pool, {"ratio": 1, "item_kind": "重点"}, RANDOM)
    assert sorted(selected_ids(record)) == sorted(pool.ids)
    assert selected_ids(record) != sorted(pool.ids)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ratio": 1.5}, "不能超过 100%"),
        ({"ratio": -0.1}, "不能为负数"),
        ({"ratio": "abc"}, "不是有效比例"),
        ({}, "必须且只能给出"),
        ({"ratio": 0.1, "count": 3}, "必须且只能给出"),
        ({"ratio": 0.1, "colour": 1}, "未知参数：colour"),
        ({"ratio": {"A": 0.1}, "strata": ["region"]}, "必须包含 risk_class"),
        ({"ratio": 0.1, "strata": ["size"]}, "分层维度『size』无效"),
        ({"ratio": 0.1, "exclude_recent_days": 30}, "reference_date"),
        ({"ratio": 0.1, "method": "rfc3797", "weighting": {"by": "risk_score"}}, "RFC 3797"),
        ({"count": 2.5}, "必须是整数"),
        ({"ratio": 0.1, "mandatory_counts_toward_quota": "false"}, "必须是 true 或 false"),
        ({"ratio": 0.1, "coverage_cycle": {"years": 3}}, "起始日 start"),
        ({"ratio": 0.1, "weighting": {"by": "risk_class"}}, "必须给出 weights"),
    ],
)
def test_bad_params(params: dict[str, Any], message: str) -> None:
    with pytest.raises(DrawInputError, match=message):
        parse_params(params)


def test_bad_randomness_and_missing_class_ratio() -> None:
    pool = make_pool(40)
    for randomness in ([], [""], ["ok", "  "]):
        with pytest.raises(DrawInputError, match="随机数"):
            run_draw(pool, BASE, randomness)
    with pytest.raises(DrawInputError, match="未给出风险等级 D"):
        run_draw(pool, {"ratio": {"A": 0.1, "B": 0.1, "C": 0.1}}, RANDOM)
