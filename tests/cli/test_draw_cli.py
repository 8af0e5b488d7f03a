"""`ssj draw` end to end on the example files, and its bad-input behaviour (exit codes, no partial files)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shuangsuiji.cli.draw import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "draw"
RANDOM = "2024-05-31 双色球 03 07 12 19 25 31 + 09"
runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "in"
    shutil.copytree(EXAMPLES, target)
    return target


def run(folder: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["run", "--pool", str(folder / "pool.csv"), "--params", str(folder / "params.json"),
         "--random", RANDOM, "--out", str(out), *extra],
    )  # fmt: skip
    return result.exit_code, result.output


def test_run_verify_prove_round_trip(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    code, output = run(folder, out)
    assert code == 0, output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["summary"]["selected"] == sum(len(s["selected"]) for s in record["strata"])
    assert "记录摘要" in output
    verified = runner.invoke(app, ["verify", str(out), "--pool", str(folder / "pool.csv")])
    assert verified.exit_code == 0 and "验证通过" in verified.output
    alone = runner.invoke(app, ["verify", str(out)])
    assert alone.exit_code == 0 and "未提供对象库" in alone.output

    chosen = record["strata"][0]["selected"][0]["id"]
    proof_path = tmp_path / "proof.json"
    proved = runner.invoke(
        app, ["prove", str(out), "--pool", str(folder / "pool.csv"), "--id", chosen, "--out", str(proof_path)]
    )
    assert proved.exit_code == 0 and "在对象库中" in proved.output
    checked = runner.invoke(app, ["verify-proof", str(proof_path), "--record", str(out)])
    assert checked.exit_code == 0 and "证明有效" in checked.output
    printed = runner.invoke(app, ["prove", str(out), "--pool", str(folder / "pool.csv"), "--id", "NOPE"])
    assert printed.exit_code == 0 and json.loads(printed.output)["present"] is False
    wrong_root = runner.invoke(app, ["verify-proof", str(proof_path), "--root", "00" * 32])
    assert wrong_root.exit_code == 1


def test_verify_fails_on_changed_pool_and_tampered_record(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    assert run(folder, out)[0] == 0
    pool = folder / "pool.csv"
    lines = pool.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",A,", ",D,") if ",A," in lines[3] else lines[3].replace(",B,", ",A,")
    changed = tmp_path / "changed.csv"
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["verify", str(out), "--pool", str(changed)])
    assert result.exit_code == 1 and "对象库摘要不一致" in result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    record["strata"][0]["selected"][0]["rank"] = 42
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["verify", str(tampered), "--pool", str(pool)])
    assert result.exit_code == 1 and "记录摘要不一致" in result.output


def test_redraw_chain(folder: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    assert run(folder, first)[0] == 0
    before = first.read_bytes()
    second = tmp_path / "second.json"
    result = runner.invoke(
        app,
        ["run", "--pool", str(folder / "pool.csv"), "--params", str(folder / "params.json"),
         "--random", "2024-06-07 福彩3D 4 1 8", "--previous", str(first), "--reason", "抽中对象已注销",
         "--out", str(second)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert first.read_bytes() == before
    verified = runner.invoke(
        app, ["verify", str(second), "--pool", str(folder / "pool.csv"), "--previous", str(first)]
    )
    assert verified.exit_code == 0, verified.output
    same = runner.invoke(
        app,
        ["run", "--pool", str(folder / "pool.csv"), "--params", str(folder / "params.json"),
         "--random", "x", "--previous", str(first), "--reason", "r", "--out", str(first)],
    )  # fmt: skip
    assert same.exit_code == 2 and "不能覆盖原记录" in same.output


def test_simulate(folder: Path) -> None:
    result = runner.invoke(
        app,
        [
            "simulate",
            "--pool",
            str(folder / "pool.csv"),
            "--params",
            str(folder / "params.json"),
            "--years",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "第3年" in result.output and "累计覆盖" in result.output


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("empty_pool", "对象库为空"),
        ("ratio_over", "不能超过 100%"),
        ("ratio_negative", "不能为负数"),
        ("duplicate", "编号重复"),
        ("missing_column", "缺少列"),
        ("gbk", "不是 UTF-8 编码"),
        ("empty_random", "公开随机数不能为空"),
        ("bad_json", "不是有效的 JSON"),
    ],
)
def test_bad_input_exits_2_without_output(folder: Path, tmp_path: Path, case: str, message: str) -> None:
    pool, params = folder / "pool.csv", folder / "params.json"
    text = pool.read_text(encoding="utf-8")
    data = json.loads(params.read_text(encoding="utf-8"))
    random = RANDOM
    if case == "empty_pool":
        pool.write_text(text.splitlines()[0] + "\n", encoding="utf-8")
    elif case == "ratio_over":
        data["ratio"]["B"] = 1.2
    elif case == "ratio_negative":
        data["ratio"]["C"] = "-5%"
    elif case == "duplicate":
        pool.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    elif case == "missing_column":
        pool.write_text(
            "\n".join(",".join(line.split(",")[:3]) for line in text.splitlines()), encoding="utf-8"
        )
    elif case == "gbk":
        pool.write_bytes(text.encode("gbk"))
    elif case == "empty_random":
        random = "  "
    elif case == "bad_json":
        params.write_text("{ratio: 1}", encoding="utf-8")
    if case != "bad_json":
        params.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out" / "record.json"
    result = runner.invoke(
        app, ["run", "--pool", str(pool), "--params", str(params), "--random", random, "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_small_stratum_takes_all_and_says_so(folder: Path, tmp_path: Path) -> None:
    params = folder / "params.json"
    data = json.loads(params.read_text(encoding="utf-8"))
    data["floor_count"] = 30
    params.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, output = run(folder, tmp_path / "r.json")
    assert code == 0, output
    assert "已全部抽取" in output
