"""Match records across algorithm versions: stored 1.0, 2.0 and 2.1 records keep verifying; 2.2 is the default."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from shuangsuiji.cli.match import load_inputs
from shuangsuiji.core.matching import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    RECORD_HEADLINES,
    MatchInputs,
    build_record,
    verify_record,
)
from shuangsuiji.core.verification import Verification

V1 = Path(__file__).parent / "fixtures" / "v1"


def _v1_inputs() -> MatchInputs:
    return load_inputs(
        V1 / "targets.csv",
        V1 / "inspectors.csv",
        V1 / "conflicts.csv",
        V1 / "history.csv",
        V1 / "adjacency.csv",
        V1 / "params.json",
    )


def _read(name: str) -> dict[str, Any]:
    return json.loads((V1 / name).read_text(encoding="utf-8"))


def test_stored_version_1_records_still_verify() -> None:
    inputs = _v1_inputs()
    record, rematch = _read("record.json"), _read("rematch.json")
    assert record["algorithm"] == {"name": "flow-cap-euler-split", "version": "1.0"}
    assert verify_record(record, inputs).ok
    assert verify_record(rematch, inputs, record).ok
    # Recomputing a 1.0 record with the 1.0 engine gives it byte for byte.
    assert build_record(inputs, record["randomness"], "1.0") == record


def test_version_1_record_tampering_is_still_detected() -> None:
    inputs = _v1_inputs()
    record = _read("record.json")
    changed = copy.deepcopy(record)
    changed["assignments"][0]["team"][0]["probability"] = 0.25
    changed.pop("record_digest")
    from shuangsuiji.core.matching.model import sha256_hex

    changed["record_digest"] = sha256_hex(changed)  # re-sealed: only the recomputation can tell
    verification = verify_record(changed, inputs)
    assert not verification.ok and any("匹配结果" in m for m in verification.messages)


def test_new_records_use_version_2_and_report_fairness() -> None:
    inputs = _v1_inputs()
    record = build_record(inputs, ["双色球 2026001"])
    assert (
        record["algorithm"]
        == {"name": ALGORITHM_NAME, "version": ALGORITHM_VERSION}
        != _read("record.json")["algorithm"]
    )
    assert verify_record(record, inputs).ok
    fairness = record["fairness"]
    staffed = {a["target_id"] for a in record["assignments"]}
    assert {row["target_id"] for row in fairness["targets"]} == staffed
    for row in fairness["targets"]:
        assert row["uniform_share"] == row["team_size"] / row["eligible"]
        assert row["team_guess_bound"] <= row["max_probability"] <= inputs.params.probability_cap
        assert row["uniform_share"] <= row["rule_floor"] <= row["max_probability"] + 1e-6
    assert fairness["summary"]["ratio_p95"] >= fairness["summary"]["ratio_p50"] >= 1.0 - 1e-6
    assert len(fairness["pair_digest"]) == 64


def test_unknown_algorithm_version_is_refused_in_chinese() -> None:
    inputs = _v1_inputs()
    record = _read("record.json")
    record["algorithm"] = {"name": "flow-cap-euler-split", "version": "0.9"}
    verification = verify_record(record, inputs)
    assert not verification.ok and any("未知的匹配算法" in m for m in verification.messages)


def test_match_verification_is_the_one_result_type() -> None:
    """Issue 19: the match record answers with core.verification.Verification, like every other record."""
    inputs = _v1_inputs()
    record = _read("record.json")
    passed = verify_record(record, inputs)
    assert type(passed) is Verification and passed.ok and not passed.problems
    assert passed.summary(*RECORD_HEADLINES).splitlines() == [
        "验证通过：记录与输入数据、公开随机数完全一致。",
        f"重新计算得到相同的匹配：{len(record['assignments'])} 个检查对象已配齐，{len(record['unstaffed'])} 个未配齐",
        f"记录摘要 {record['record_digest']}",
    ]
    record["algorithm"] = {"name": "flow-cap-euler-split", "version": "0.9"}
    failed = verify_record(record, inputs)
    assert type(failed) is Verification and failed.verdict == "不一致" and not failed.notes
    assert failed.summary(*RECORD_HEADLINES).splitlines()[0] == "验证失败：记录与重新计算的结果不一致。"


def test_stored_version_2_0_records_still_verify() -> None:
    """2.0 used a fixed number of scaling iterations; 2.1 iterates to convergence within a budget."""
    inputs = _v1_inputs()
    record = json.loads((V1.parent / "v2_0" / "record.json").read_text(encoding="utf-8"))
    assert record["algorithm"] == {"name": ALGORITHM_NAME, "version": "2.0"}
    assert verify_record(record, inputs).ok
    assert build_record(inputs, record["randomness"], "2.0") == record
    assert ALGORITHM_VERSION != "2.0"


V2_1_MEDIUM = V1.parent / "v2_1_medium"


def test_stored_version_2_1_records_still_verify() -> None:
    """2.1 is frozen in engine_v2.py: its records are recomputed byte for byte (tiny and medium instance)."""
    from shuangsuiji.core.formats.match import record_json

    inputs = _v1_inputs()
    raw = (V1.parent / "v2_1" / "record.json").read_bytes()
    record = json.loads(raw)
    assert record["algorithm"] == {"name": ALGORITHM_NAME, "version": "2.1"}
    assert verify_record(record, inputs).ok
    assert record_json(build_record(inputs, record["randomness"], "2.1")) == raw

    medium = load_inputs(
        V2_1_MEDIUM / "targets.csv",
        V2_1_MEDIUM / "inspectors.csv",
        V2_1_MEDIUM / "conflicts.csv",
        V2_1_MEDIUM / "history.csv",
        V2_1_MEDIUM / "adjacency.csv",
        V2_1_MEDIUM / "params.json",
    )
    raw = (V2_1_MEDIUM / "record.json").read_bytes()
    record = json.loads(raw)
    # The medium instance uses every stage (same region, adjacent, 直接委派), experts and unstaffed targets.
    assert {m["basis"] for a in record["assignments"] for m in a["team"]} == {
        "本区域",
        "相邻区域",
        "直接委派",
    }
    assert record["unstaffed"] and record["expert_shortfall"]
    assert record_json(build_record(medium, record["randomness"], "2.1")) == raw
    assert verify_record(record, medium).ok


def test_version_2_2_records_rebuild_byte_for_byte() -> None:
    """The current version's fixtures (tiny and medium inputs): a later change must bump the version."""
    from shuangsuiji.core.formats.match import record_json

    v2_2 = V1.parent / "v2_2"
    medium = load_inputs(
        V2_1_MEDIUM / "targets.csv",
        V2_1_MEDIUM / "inspectors.csv",
        V2_1_MEDIUM / "conflicts.csv",
        V2_1_MEDIUM / "history.csv",
        V2_1_MEDIUM / "adjacency.csv",
        V2_1_MEDIUM / "params.json",
    )
    for inputs, name in ((_v1_inputs(), "record.json"), (medium, "medium_record.json")):
        raw = (v2_2 / name).read_bytes()
        record = json.loads(raw)
        assert record["algorithm"] == {"name": ALGORITHM_NAME, "version": "2.2"}
        assert record_json(build_record(inputs, record["randomness"], "2.2")) == raw
        assert verify_record(record, inputs).ok
    # The medium instance is short of capacity (every load at its cap): 2.1 and 2.2 draw the same teams
    # there; only the pair digest's encoding differs (2.2 hashes the integer arrays' bytes).
    older = json.loads((V2_1_MEDIUM / "record.json").read_bytes())
    assert older["assignments"] == record["assignments"]
    assert older["fairness"]["pair_digest"] != record["fairness"]["pair_digest"]
