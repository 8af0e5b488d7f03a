"""`ssj experts verify`: 0 一致, 1 不一致, 2 bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shuangsuiji.cli.main import app
from shuangsuiji.core.experts import Expert, ExpertInputs, ExpertRequest, build_record


def test_verify_exit_codes(tmp_path: Path) -> None:
    record = build_record(
        ExpertInputs(requests=(ExpertRequest("T1", "radiation"),),
                     experts=(Expert("E1", ("radiation",)), Expert("E2", ("radiation",)))),
        ["2026-11-20 开奖 01 02"],
    )
    good = tmp_path / "good.json"
    good.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["experts", "verify", str(good)])
    assert result.exit_code == 0 and "一致" in result.output
    record["selections"][0][2] = "E1" if record["selections"][0][2] == "E2" else "E2"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["experts", "verify", str(bad)])
    assert result.exit_code == 1 and "不一致" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert runner.invoke(app, ["experts", "verify", str(broken)]).exit_code == 2
