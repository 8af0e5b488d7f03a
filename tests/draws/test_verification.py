"""Stored records verify with the core verify functions, the server-side check and the `ssj` CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from shuangsuiji.cli.main import app
from shuangsuiji.core.draw import read_pool_csv
from shuangsuiji.core.draw import verify_record as verify_draw_record
from shuangsuiji.core.matching import verify_record as verify_match_record
from shuangsuiji.draws import services
from shuangsuiji.draws.match_inputs import load_stored_inputs
from shuangsuiji.draws.models import DrawnTarget
from shuangsuiji.draws.verification import verify_draw, verify_match
from tests.conftest import World
from tests.draws.factories import add_inspectors, drawn, populated_task, sample_match


def _download(world: World, url: str, path: Path) -> Path:
    response = world.client("a_admin").get(url)
    assert response.status_code == 200, url
    path.write_bytes(response.content)
    return path


def test_draw_verifies_with_core_and_server(world: World, tmp_path: Path) -> None:
    match = sample_match(world)
    draw = match.draw
    pool_path = _download(world, f"/draws/{draw.pk}/pool.csv", tmp_path / "pool.csv")
    result = verify_draw_record(draw.record, read_pool_csv(pool_path))  # type: ignore[arg-type]
    assert result.ok, result.problems
    server = verify_draw(draw)
    assert server.ok and server.verdict == "一致", server.messages


def test_tampering_is_detected_by_the_server_check(world: World) -> None:
    match = sample_match(world)
    draw = match.draw
    row = DrawnTarget.objects.filter(draw=draw).first()
    assert row is not None
    DrawnTarget.objects.filter(pk=row.pk).update(rank=row.rank + 1000)
    result = verify_draw(draw)
    assert not result.ok and result.verdict == "不一致"
    assert any("抽中对象清单" in m for m in result.messages)


def test_draw_verifies_with_the_cli(world: World, tmp_path: Path) -> None:
    task = populated_task(world)
    draw = drawn(world, task)
    record = _download(world, f"/draws/{draw.pk}/record.json", tmp_path / "record.json")
    pool = _download(world, f"/draws/{draw.pk}/pool.csv", tmp_path / "pool.csv")
    result = CliRunner().invoke(app, ["draw", "verify", str(record), "--pool", str(pool)])
    assert result.exit_code == 0, result.output
    # a changed pool row is caught
    lines = pool.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",B,", ",A,") if ",B," in lines[1] else lines[1].replace(",A,", ",B,")
    pool.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["draw", "verify", str(record), "--pool", str(pool)])
    assert result.exit_code != 0


def _unpack(world: World, match_pk: int, folder: Path) -> Path:
    response = world.client("a_admin").get(f"/draws/matches/{match_pk}/inputs.zip")
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    return folder


MATCH_ARGS = [
    "--targets", "targets.csv", "--inspectors", "inspectors.csv", "--conflicts", "conflicts.csv",
    "--history", "history.csv", "--adjacency", "adjacency.csv", "--params", "params.json",
]


def _cli_verify(folder: Path, *extra: str) -> tuple[int, str]:
    args = ["match", "verify", str(folder / "record.json")]
    for k in range(0, len(MATCH_ARGS), 2):
        args += [MATCH_ARGS[k], str(folder / MATCH_ARGS[k + 1])]
    result = CliRunner().invoke(app, [*args, *extra])
    return result.exit_code, result.output


def test_match_and_rematch_verify_with_core_server_and_cli(world: World, tmp_path: Path) -> None:
    task = populated_task(world)
    add_inspectors(world, count=4)
    from tests.draws.factories import matched

    match = matched(world, task)
    folder = _unpack(world, match.pk, tmp_path / "first")
    assert verify_match_record(match.record, load_stored_inputs(folder)).ok
    assert verify_match(match).ok
    code, output = _cli_verify(folder)
    assert code == 0 and "验证通过" in output, output

    victim = match.assignments.first()
    assert victim is not None
    new = services.assignment_replace(
        actor=world.users["a_admin"], assignment=victim, reason="发现利害关系", randomness=["2026-03-03 福彩3D 5 5 2"]
    )
    assert verify_match(new).ok
    second = _unpack(world, new.pk, tmp_path / "second")
    code, output = _cli_verify(second, "--previous", str(second / "previous.json"))
    assert code == 0 and "验证通过" in output, output
    # the superseded record still verifies with its own inputs
    assert verify_match(match).ok

    record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    record["assignments"][0]["team"][0]["inspector_id"] = "I999999"
    (folder / "record.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    code, _ = _cli_verify(folder)
    assert code != 0


def test_redraw_verifies_with_the_cli_and_the_previous_record(world: World, tmp_path: Path) -> None:
    task = populated_task(world)
    first = drawn(world, task)
    request = services.redraw_request_create(actor=world.users["a_admin"], draw=first, reason="随机数录入有误")
    services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=True)
    second = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    second = services.draw_execute(actor=world.users["a_admin"], draw=second, randomness=["2026-03-05 福彩3D 7 7 0"])
    from shuangsuiji.draws.instructions import draw_verify_commands

    command = draw_verify_commands(second)[0]
    assert "--previous draw-" in command
    _download(world, f"/draws/{first.pk}/record.json", tmp_path / f"draw-{task.code}-1.json")
    _download(world, f"/draws/{second.pk}/record.json", tmp_path / f"draw-{task.code}-2.json")
    _download(world, f"/draws/{second.pk}/pool.csv", tmp_path / f"pool-{task.code}-2.csv")
    args = [str(tmp_path / part) if part.endswith((".json", ".csv")) else part for part in command.split()[1:]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert verify_draw(second).ok and verify_draw(first).ok  # the superseded record still verifies
