"""The pool: canonical rows, CSV reading (fast and general paths, one or two processes), bad files."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core import merkle
from shuangsuiji.core.draw import (
    COLUMNS,
    Candidate,
    DrawInputError,
    Pool,
    pool_digest,
    pool_to_csv,
    read_pool_csv,
)
from shuangsuiji.core.draw import pool as pool_module
from tests.core.draw.factories import make_candidates, unique_candidates

HEADER = "id,region,specialties,risk_class,risk_flags,last_inspected_on,risk_score\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_candidate_canonical_form() -> None:
    c = Candidate(
        id=" 91130606MA0001 ",
        region="莲池区",
        specialties="医疗卫生；公共场所卫生、医疗卫生",
        risk_class="较高",
        risk_flags=("投诉举报多", "blacklist", "complaints"),
        last_inspected_on="2023年7月2日",
        risk_score="2.50",
    )
    assert c.row_fields() == (
        "91130606MA0001", "莲池区", "医疗卫生;公共场所卫生", "C", "blacklist;complaints", "2023-07-02", "2.5"
    )  # fmt: skip
    assert c.row_bytes() == "\x1f".join(c.row_fields()).encode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "  ", "检查对象编号不能为空"),
        ("id", "A\x01", "控制字符"),
        ("risk_class", "E", "风险等级『E』无效"),
        ("specialties", " ; ", "专业不能为空"),
        ("last_inspected_on", "2023.13.45", "不是有效日期"),
        ("risk_score", "-1", "非负数"),
    ],
)
def test_candidate_rejects_bad_values(field: str, value: str, message: str) -> None:
    data = {"id": "X1", "region": "莲池区", "specialties": "医疗卫生", "risk_class": "A", field: value}
    with pytest.raises(DrawInputError, match=message):
        Candidate(**data)  # type: ignore[arg-type]


def test_csv_round_trip_gives_same_digest_in_every_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidates = make_candidates(3000, seed=5)
    expected = pool_digest(Pool.from_candidates(candidates))
    leaves = merkle.leaf_hashes(c.row_bytes() for c in sorted(candidates, key=lambda c: c.id))
    assert expected == merkle.tree_root(leaves).hex()
    canonical = tmp_path / "canonical.csv"
    pool_to_csv(Pool.from_candidates(candidates), canonical)
    monkeypatch.setattr(pool_module, "PARALLEL_MIN_ROWS", 100)  # exercise the two-process paths
    for parallel in (True, False):
        fast = read_pool_csv(canonical, parallel=parallel)
        assert isinstance(fast.ids, pool_module.IdSequence)  # the fast reader was used
        assert pool_digest(fast) == expected
        assert list(fast.ids) == sorted(c.id for c in candidates)
        assert fast.candidate(fast.index_of(candidates[7].id) or 0) == candidates[7]
    # Shuffled rows, other column order, an extra column, CRLF, quotes: the general reader, same digest.
    rows = canonical.read_text(encoding="utf-8").splitlines()[1:]
    random.Random(3).shuffle(rows)
    shuffled = tmp_path / "shuffled.csv"
    body = "\r\n".join(
        '"' + r.split(",")[1] + '",名称,' + ",".join(r.split(",")[i] for i in (0, 2, 3, 4, 5, 6))
        for r in rows
    )
    write(
        shuffled, "region,name,id,specialties,risk_class,risk_flags,last_inspected_on,risk_score\r\n" + body
    )
    for parallel in (True, False):
        general = read_pool_csv(shuffled, parallel=parallel)
        assert pool_digest(general) == expected
        assert general.leaf_hashes() == leaves


@settings(max_examples=40, deadline=None)
@given(unique_candidates())
def test_any_pool_survives_csv(candidates: list[Candidate]) -> None:
    import tempfile

    pool = Pool.from_candidates(candidates)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        pool_to_csv(pool, path)
        again = read_pool_csv(path, parallel=False)
    assert pool_digest(again) == pool_digest(pool)
    assert [again.candidate(i) for i in range(len(again))] == sorted(candidates, key=lambda c: c.id)


def test_non_canonical_values_are_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.csv",
        "id,region,specialties,risk_class,last_inspected_on\n"
        " B2 ,竞秀区,医疗卫生、放射卫生,d,2023/7/2\n"
        "A1,莲池区,公共场所卫生,A类,\n\n",
    )
    pool = read_pool_csv(path)
    assert list(pool.ids) == ["A1", "B2"]
    assert pool.row_fields(1) == ("B2", "竞秀区", "医疗卫生;放射卫生", "D", "", "2023-07-02", "")


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("", "utf-8", "空文件"),
        ("id,region,specialties,risk_class\n", "utf-8", "对象库为空"),
        ("id,region,risk_class\nA,莲池区,A\n", "utf-8", "缺少列：specialties"),
        (
            HEADER + "A,莲池区,医疗卫生,B,,,\nA,竞秀区,医疗卫生,C,,,\n",
            "utf-8",
            r"编号重复：A（第2行与第3行）",
        ),
        (HEADER + "A,莲池区,医疗卫生,B,,,\n", "gbk", "不是 UTF-8 编码"),
        (HEADER + "A,莲池区,医疗卫生,Z,,,\n", "utf-8", "第2行 risk_class（风险等级）"),
        (HEADER + "A,莲池区,医疗卫生,B,,2023-02-30,\n", "utf-8", "第2行 last_inspected_on"),
        (HEADER + "A,莲池区,医疗卫生,B,,,\n,莲池区,医疗卫生,B,,,\n", "utf-8", "第3行 id（检查对象编号）为空"),
        (HEADER + "A,莲池区,,B,,,\n", "utf-8", "第2行 specialties（专业）不能为空"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, encoding: str, message: str) -> None:
    path = write(tmp_path / "bad.csv", text, encoding)
    with pytest.raises(DrawInputError, match=message):
        read_pool_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DrawInputError, match="无法读取对象库文件"):
        read_pool_csv(tmp_path / "none.csv")


def test_from_candidates_rejects_duplicates() -> None:
    c = make_candidates(2)
    with pytest.raises(DrawInputError, match="编号重复"):
        Pool.from_candidates([c[0], c[1], c[0]])
    with pytest.raises(DrawInputError, match="对象库为空"):
        Pool.from_candidates([])


def test_candidate_round_trip_keeps_dates() -> None:
    pool = Pool.from_candidates(
        [
            Candidate(
                id="X",
                region="r",
                specialties=("医疗卫生",),
                risk_class="B",
                last_inspected_on=date(2024, 2, 29),
            )
        ]
    )
    assert pool.candidate(0).last_inspected_on == date(2024, 2, 29)


def test_invalid_utf8_in_a_canonical_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode() + b"A\xb0\xa1,r,s,B,,,\nB,r,s,B,,,\n")
    with pytest.raises(DrawInputError, match="不是 UTF-8 编码"):
        read_pool_csv(path)


def test_blank_line_in_canonical_file_falls_back_to_general_reader(tmp_path: Path) -> None:
    pool = Pool.from_candidates(make_candidates(50))
    path = tmp_path / "p.csv"
    pool_to_csv(pool, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:10], "", *lines[10:]]) + "\n", encoding="utf-8")
    again = read_pool_csv(path)
    assert pool_digest(again) == pool_digest(pool)
    assert again.row_numbers is not None and [int(r) for r in again.row_numbers[8:10]] == [
        10,
        12,
    ]  # the blank line counts


def test_from_rows_equals_from_candidates() -> None:
    candidates = make_candidates(500, seed=8)
    rows = [
        (
            c.id,
            c.region,
            list(c.specialties),
            c.risk_class,
            list(c.risk_flags),
            c.last_inspected_on,
            c.risk_score or None,
        )
        for c in reversed(candidates)
    ]
    assert pool_digest(Pool.from_rows(rows)) == pool_digest(Pool.from_candidates(candidates))
    with pytest.raises(DrawInputError, match="检查对象『A』的 risk_class（风险等级）『X』无效"):
        Pool.from_rows([("A", "r", "医疗卫生", "X", "", None, None)])
    with pytest.raises(DrawInputError, match="对象库为空"):
        Pool.from_rows([])


@settings(max_examples=30, deadline=None)
@given(unique_candidates(), st.randoms(use_true_random=False))
def test_general_reader_agrees_on_messy_files(candidates: list[Candidate], rng: random.Random) -> None:
    """Shuffled rows and columns, an extra column, padding, other separators and spellings: same digest."""
    import csv
    import io
    import tempfile

    labels = {"A": "低", "B": "B类", "C": "较高", "D": "d"}
    order = ["name", *rng.sample(list(COLUMNS), len(COLUMNS))]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=rng.choice(["\n", "\r\n"]))
    writer.writerow(order)
    for c in rng.sample(candidates, len(candidates)):
        values = {
            "name": "某某, 有限公司",
            "id": f" {c.id}" if rng.random() < 0.3 else c.id,
            "region": c.region,
            "specialties": rng.choice(["；", "、", ";"]).join(c.specialties),
            "risk_class": labels[c.risk_class] if rng.random() < 0.5 else c.risk_class,
            "risk_flags": "|".join(c.risk_flags),
            "last_inspected_on": c.last_inspected_on.strftime("%Y年%m月%d日") if c.last_inspected_on else "",
            "risk_score": c.risk_score + ("0" if "." in c.risk_score else ""),
        }
        writer.writerow([values[k] for k in order])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "messy.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
        pool = read_pool_csv(path, parallel=False)
    assert pool_digest(pool) == pool_digest(Pool.from_candidates(candidates))


def _fast(path: Path) -> pool_module.Pool:
    """Read with the fast (columnar) reader only, both halves in this process."""
    raw = path.read_bytes()
    body_start = raw.index(b"\n") + 1
    pool = pool_module._read_canonical(raw, body_start, parallel=False)
    assert pool is not None, "the fast reader refused a canonical file"
    return pool


def test_fast_reader_with_ids_of_different_lengths_and_numeric_looking_values(tmp_path: Path) -> None:
    """Ids of several lengths (padded in the S<width> array) and region codes that look like numbers."""
    rows = [
        ("1", "130602", "医疗卫生", "A", "", "", "7"),
        ("12", "130602", "医疗卫生;放射卫生", "B", "complaints", "2024-02-29", "10"),
        ("12甲", "130606", "公共场所卫生", "C", "", "", ""),
        ("2", "130606", "医疗卫生", "D", "", "2023-07-02", "2.5"),
    ]
    path = write(tmp_path / "p.csv", HEADER + "".join(",".join(r) + "\n" for r in rows))
    expected = merkle.tree_root(merkle.leaf_hashes("\x1f".join(r).encode() for r in rows)).hex()
    fast = _fast(path)
    assert list(fast.ids) == ["1", "12", "12甲", "2"]
    assert [fast.row_fields(i) for i in range(4)] == rows
    assert pool_digest(fast) == expected == pool_digest(read_pool_csv(path))


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (" B2,莲池区,医疗卫生,B,,,", "id with a leading space"),
        ("B2 ,莲池区,医疗卫生,B,,,", "id with a trailing space"),
        ("B\t2,莲池区,医疗卫生,B,,,", "tab inside an id"),
        ("B2,莲池区 ,医疗卫生,B,,,", "untrimmed region"),
        ("B2,莲池区,医疗卫生、放射卫生,B,,,", "non-canonical separator"),
        ("B2,莲池区,医疗卫生,b,,,", "lower-case class"),
        ("B2,莲池区,医疗卫生,B,,", "six fields"),
        ("B2,莲池区,医疗卫生,B,,,,", "eight fields"),
        ("A0,莲池区,医疗卫生,B,,,", "not sorted"),
        ("A1,莲池区,医疗卫生,B,,,", "duplicate id"),
    ],
)
def test_fast_reader_refuses_what_is_not_canonical(tmp_path: Path, line: str, why: str) -> None:
    """The fast reader hands anything non-canonical to the general reader (which fixes or reports it)."""
    path = write(tmp_path / "p.csv", HEADER + "A1,莲池区,医疗卫生,B,,,\n" + line + "\n")
    raw = path.read_bytes()
    assert pool_module._read_canonical(raw, raw.index(b"\n") + 1, parallel=False) is None, why


def test_control_characters_in_ids_are_refused_by_every_reader(tmp_path: Path) -> None:
    for bad in ("B\x7f2", "B\x012"):
        path = write(tmp_path / "p.csv", HEADER + "A1,莲池区,医疗卫生,B,,,\n" + bad + ",莲池区,医疗卫生,B,,,\n")
        with pytest.raises(DrawInputError, match="第3行 id（检查对象编号）含有控制字符"):
            read_pool_csv(path)


def test_untrimmed_id_in_an_otherwise_canonical_file_is_trimmed(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", HEADER + "A1,莲池区,医疗卫生,B,,,\n B2,莲池区,医疗卫生,B,,,\n")
    pool = read_pool_csv(path)
    assert list(pool.ids) == ["A1", "B2"]
    trimmed = write(tmp_path / "q.csv", HEADER + "A1,莲池区,医疗卫生,B,,,\nB2,莲池区,医疗卫生,B,,,\n")
    assert pool_digest(pool) == pool_digest(_fast(trimmed))


@settings(max_examples=30, deadline=None)
@given(unique_candidates(min_size=2))
def test_fast_reader_equals_the_general_reader(candidates: list[Candidate]) -> None:
    """Same ids, columns and digest from the columnar fast reader and the general (pandas) reader."""
    import tempfile

    pool = Pool.from_candidates(candidates)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        pool_to_csv(pool, path)
        fast = _fast(path)
        raw = path.read_bytes()
        general = pool_module._merge_chunks(
            [pool_module._parse_chunk((raw[: raw.index(b"\n") + 1], raw[raw.index(b"\n") + 1 :], 2, "p.csv", COLUMNS))]
        )
    assert pool_digest(fast) == pool_digest(general) == pool_digest(pool)
    assert [fast.row_fields(i) for i in range(len(fast))] == [general.row_fields(i) for i in range(len(general))]
