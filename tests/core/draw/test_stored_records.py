"""Records and pool digests stored by the code as it was before the hashing was made faster (issue 21).

The record format and every digest are part of the public specification (README 随机抽取): a record made
by an earlier version must still verify, and the same pool must give the same Merkle root in every reader.
The files in data/ were written once by that earlier code and are never regenerated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.core.draw import Pool, pool_digest, pool_to_csv, read_pool_csv, run_draw, verify_record
from tests.core.draw.factories import make_candidates

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "draw"
DIGESTS: dict[str, str] = json.loads((DATA / "pool_digests.json").read_text(encoding="utf-8"))
BIG_PARAMS: dict[str, Any] = {
    "ratio": {"A": "0.1%", "B": "0.1%", "C": "0.2%", "D": "0.3%"},
    "reference_date": "2024-06-01",
    "exclude_recent_days": 90,
}


def load(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return record


@pytest.mark.parametrize("parallel", [True, False])
def test_stored_example_record_still_verifies(parallel: bool) -> None:
    record = load("example_record.json")
    pool = read_pool_csv(EXAMPLES / "pool.csv", parallel=parallel)
    assert pool_digest(pool) == record["pool"]["digest"]
    result = verify_record(record, pool)
    assert result.ok, result.problems
    params = json.loads((EXAMPLES / "params.json").read_text(encoding="utf-8"))
    assert run_draw(pool, params, record["randomness"]) == record


def test_stored_example_record_detects_a_changed_pool(tmp_path: Path) -> None:
    record = load("example_record.json")
    lines = (EXAMPLES / "pool.csv").read_text(encoding="utf-8").splitlines()
    changed = tmp_path / "pool.csv"
    fields = lines[5].split(",")
    fields[3] = "D" if fields[3] != "D" else "A"  # another risk class for one target
    changed.write_text("\n".join([*lines[:5], ",".join(fields), *lines[6:]]) + "\n", encoding="utf-8")
    result = verify_record(record, read_pool_csv(changed))
    assert not result.ok and "对象库摘要不一致" in result.problems[0]


@pytest.mark.parametrize("size", sorted(int(n) for n in DIGESTS if int(n) < 10_000))
def test_stored_pool_digests(size: int, tmp_path: Path) -> None:
    pool = Pool.from_candidates(make_candidates(size, seed=size))
    assert pool_digest(pool) == DIGESTS[str(size)]
    path = tmp_path / "pool.csv"
    pool_to_csv(pool, path)
    assert pool_digest(read_pool_csv(path)) == DIGESTS[str(size)]
    assert pool_digest(read_pool_csv(path, parallel=False)) == DIGESTS[str(size)]


@pytest.fixture(scope="module")
def big_pool() -> Pool:
    return Pool.from_candidates(make_candidates(70001, seed=70001, flag_share=0.0005))


def test_stored_large_record_still_verifies(big_pool: Pool, tmp_path: Path) -> None:
    """70,001 rows: above the two-process threshold, an odd size, both CSV readers."""
    record = load("record_70001.json")
    assert pool_digest(Pool.from_candidates(make_candidates(70001, seed=70001))) == DIGESTS["70001"]
    path = tmp_path / "pool.csv"
    pool_to_csv(big_pool, path)
    for pool in (big_pool, read_pool_csv(path), read_pool_csv(path, parallel=False)):
        result = verify_record(record, pool)
        assert result.ok, result.problems
    # The general reader (a non-canonical file: other column order, an extra column).
    lines = path.read_text(encoding="utf-8").splitlines()
    messy = tmp_path / "messy.csv"
    messy.write_text(
        "\n".join(
            f"x{k},{line}" if k else f"name,{line}" for k, line in enumerate(reversed(lines[1:] + [lines[0]]))
        )
        + "\n",
        encoding="utf-8",
    )
    general = read_pool_csv(messy)
    assert verify_record(record, general).ok
    assert run_draw(big_pool, BIG_PARAMS, record["randomness"]) == record


def test_csv_bytes_equal_what_csv_writer_writes() -> None:
    """The fast CSV (canonical lines with "," for U+001F) is byte for byte csv.writer's, quoting included."""
    import csv
    import io

    from shuangsuiji.core.draw import COLUMNS, Candidate
    from shuangsuiji.core.draw.pool import pool_csv_bytes

    plain = Pool.from_candidates(make_candidates(300, seed=3))
    quoted = Pool.from_candidates(
        [
            *make_candidates(20, seed=4),
            Candidate("X1", 'A区,"东"', ("公共场所卫生",), "B"),
            Candidate("X2", "B区", ("医疗卫生",), "C"),
        ]
    )
    for pool in (plain, quoted):
        stream = io.StringIO(newline="")
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(pool.rows())
        assert pool_csv_bytes(pool) == stream.getvalue().encode("utf-8")


def test_from_columns_equals_from_candidates() -> None:
    """Unsorted ids, None dates and scores, list-valued 专业 and flags: same pool digest as Candidate objects."""
    candidates = make_candidates(500, seed=8)
    shuffled = list(reversed(candidates))
    columns: dict[str, list[Any]] = {
        "id": [c.id for c in shuffled],
        "region": [c.region for c in shuffled],
        "specialties": [list(c.specialties) for c in shuffled],
        "risk_class": [c.risk_class for c in shuffled],
        "risk_flags": [list(c.risk_flags) for c in shuffled],
        "last_inspected_on": [c.last_inspected_on for c in shuffled],
        "risk_score": [c.risk_score or None for c in shuffled],
    }
    assert pool_digest(Pool.from_columns(columns)) == pool_digest(Pool.from_candidates(candidates))


@pytest.mark.parametrize(
    ("ids", "message"),
    [(["B", "A", "B"], "编号重复"), (["A", " B"], ""), (["A", "B\x01"], "控制字符"), (["A", ""], "不能为空")],
)
def test_from_columns_checks_ids(ids: list[str], message: str) -> None:
    from shuangsuiji.core.draw import DrawInputError

    columns: dict[str, list[Any]] = {
        "id": ids, "region": ["莲池区"] * len(ids), "specialties": ["公共场所卫生"] * len(ids),
        "risk_class": ["B"] * len(ids), "risk_flags": [""] * len(ids), "last_inspected_on": [None] * len(ids),
        "risk_score": [""] * len(ids),
    }  # fmt: skip
    if not message:  # surrounding spaces are trimmed, as Candidate does
        assert Pool.from_columns(columns).ids == ["A", "B"]
        return
    with pytest.raises(DrawInputError, match=message):
        Pool.from_columns(columns)
