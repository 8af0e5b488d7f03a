"""`ssj match` end to end on the example files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from shuangsuiji.cli.match import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "match"
runner = CliRunner()


def _input_args(folder: Path) -> list[str]:
    return [
        "--targets", str(folder / "targets.csv"),
        "--inspectors", str(folder / "inspectors.csv"),
        "--conflicts", str(folder / "conflicts.csv"),
        "--history", str(folder / "history.csv"),
        "--adjacency", str(folder / "adjacency.csv"),
        "--params", str(folder / "params.json"),
    ]  # fmt: skip


def _copy_examples(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES, folder)
    return folder


def test_run_verify_rematch_round_trip(tmp_path: Path) -> None:
    folder = _copy_examples(tmp_path)
    out = tmp_path / "a.json"
    result = runner.invoke(
        app, ["run", *_input_args(folder), "--random", "双色球 01 05 11", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["fairness"]["staffed_count"] == 9

    verified = runner.invoke(app, ["verify", str(out), *_input_args(folder)])
    assert verified.exit_code == 0 and "验证通过" in verified.output

    first = record["assignments"][0]
    new = tmp_path / "b.json"
    rematched = runner.invoke(
        app,
        [
            "rematch", str(out), *_input_args(folder), "--target", first["target_id"],
            "--inspector", first["team"][1]["inspector_id"], "--reason", "发现利害关系",
            "--random", "福彩3D 4 1 8", "--out", str(new),
        ],
    )  # fmt: skip
    assert rematched.exit_code == 0, rematched.output
    assert json.loads(out.read_text(encoding="utf-8")) == record  # the old record is untouched
    chained = runner.invoke(app, ["verify", str(new), "--previous", str(out), *_input_args(folder)])
    assert chained.exit_code == 0, chained.output


def test_verify_fails_on_changed_inputs(tmp_path: Path) -> None:
    folder = _copy_examples(tmp_path)
    out = tmp_path / "a.json"
    assert (
        runner.invoke(app, ["run", *_input_args(folder), "--random", "x", "--out", str(out)]).exit_code == 0
    )
    with (folder / "conflicts.csv").open("a", encoding="utf-8") as stream:
        stream.write("I14,T009,,,,新发现的利害关系\n")
    result = runner.invoke(app, ["verify", str(out), *_input_args(folder)])
    assert result.exit_code == 1
    assert "回避记录数据摘要不一致" in result.output


def test_gbk_csv_and_dotted_dates_are_accepted(tmp_path: Path) -> None:
    folder = _copy_examples(tmp_path)
    targets = folder / "targets.csv"
    targets.write_bytes(targets.read_text(encoding="utf-8").encode("gbk"))
    out = tmp_path / "a.json"
    result = runner.invoke(app, ["run", *_input_args(folder), "--random", "x", "--out", str(out)])
    assert result.exit_code == 0, result.output


def test_malformed_date_is_rejected_without_output(tmp_path: Path) -> None:
    folder = _copy_examples(tmp_path)
    targets = folder / "targets.csv"
    targets.write_text(
        targets.read_text(encoding="utf-8").replace("2024-06-28", "2024.13.45", 1), encoding="utf-8"
    )
    out = tmp_path / "a.json"
    result = runner.invoke(app, ["run", *_input_args(folder), "--random", "x", "--out", str(out)])
    assert result.exit_code == 2
    assert "不是有效日期" in result.output and "第2行" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [folder]


def test_inspector_without_qualification_is_rejected(tmp_path: Path) -> None:
    folder = _copy_examples(tmp_path)
    with (folder / "inspectors.csv").open("a", encoding="utf-8") as stream:
        stream.write("I99,红塔区,,2021-01-01,2026-12-31,执法人员,在岗,0\n")
    out = tmp_path / "a.json"
    result = runner.invoke(app, ["run", *_input_args(folder), "--random", "x", "--out", str(out)])
    assert result.exit_code == 2 and "I99 没有任何专业资格" in result.output
    assert not out.exists()


def test_team_size_larger_than_staff_is_rejected(tmp_path: Path) -> None:
    folder = _copy_examples(tmp_path)
    params = json.loads((folder / "params.json").read_text(encoding="utf-8"))
    (folder / "params.json").write_text(json.dumps({**params, "team_size": 40}), encoding="utf-8")
    out = tmp_path / "a.json"
    result = runner.invoke(app, ["run", *_input_args(folder), "--random", "x", "--out", str(out)])
    assert result.exit_code == 2 and "少于每组人数 40 人" in result.output
    assert not out.exists()
