"""`ssj match`: random inspector matching from CSV files (run, verify, rematch); no database needed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from shuangsuiji.core.formats import match as match_files
from shuangsuiji.core.formats.text import FormatError
from shuangsuiji.core.matching import (
    RECORD_HEADLINES,
    MatchError,
    MatchInputError,
    MatchInputs,
    build_record,
    rematch_slot,
    verify_record,
)

app = typer.Typer(no_args_is_help=True, help="随机匹配执法检查人员：运行、验证、替换（无需数据库）")

CliInputError = FormatError  # a file-level problem (encoding, columns, dates) reported in Chinese


# ------------------------------------------------------------------------------------------------ reading


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliInputError(f"无法读取文件 {path}：{error.strerror}") from error


def load_inputs(
    targets: Path,
    inspectors: Path,
    conflicts: Path | None,
    history: Path | None,
    adjacency: Path | None,
    params: Path,
) -> MatchInputs:
    """The files' bytes go to the readers of ``core.formats.match`` (the same ones the web app uses)."""
    paths = dict(zip(match_files.INPUT_FILES, (targets, inspectors, conflicts, history, adjacency, params),
                     strict=True))
    files = {key: _read(path) for key, path in paths.items()}
    names = {key: path.name for key, path in paths.items() if path is not None}
    return match_files.load_inputs(files, names)


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write to a temporary file beside the target, then rename: never a partial output file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(match_files.record_json(payload))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_record(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CliInputError(f"无法读取匹配记录 {path}：{error.strerror}") from error
    return match_files.read_record(raw, path.name)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=2)


# ------------------------------------------------------------------------------------------------ commands

TargetsOpt = Annotated[Path, typer.Option("--targets", help="检查对象 CSV")]
InspectorsOpt = Annotated[Path, typer.Option("--inspectors", help="检查人员 CSV")]
ConflictsOpt = Annotated[Path | None, typer.Option("--conflicts", help="回避（利害关系）CSV")]
HistoryOpt = Annotated[Path | None, typer.Option("--history", help="上一轮匹配记录 CSV")]
AdjacencyOpt = Annotated[Path | None, typer.Option("--adjacency", help="区域相邻关系 CSV")]
ParamsOpt = Annotated[Path, typer.Option("--params", help="参数 JSON")]
RandomOpt = Annotated[list[str], typer.Option("--random", help="公开随机数（可重复，顺序有意义）")]


def _summary(record: dict[str, Any]) -> str:
    fairness = record["fairness"]
    return (
        f"已配齐 {fairness['staffed_count']} 个检查对象，未配齐 {fairness['unstaffed_count']} 个"
        f"（最大流上界 {fairness['max_flow_bound']}）；最大单对概率 {fairness['max_pair_probability']:.3f}；"
        f"工作量 max/mean {fairness['spread_actual']:.3f}（理想 {fairness['spread_ideal']:.3f}）\n"
        f"记录摘要 {record['record_digest']}"
    )


@app.command("run")
def run_command(
    targets: TargetsOpt,
    inspectors: InspectorsOpt,
    params: ParamsOpt,
    random: RandomOpt,
    out: Annotated[Path, typer.Option("--out", help="输出的匹配记录 JSON")],
    conflicts: ConflictsOpt = None,
    history: HistoryOpt = None,
    adjacency: AdjacencyOpt = None,
) -> None:
    """随机匹配执法检查人员并写出可验证的匹配记录。"""
    if not [s for s in random if s.strip()]:
        raise _fail("错误：必须提供至少一个公开随机数（--random）")
    try:
        inputs = load_inputs(targets, inspectors, conflicts, history, adjacency, params)
        record = build_record(inputs, random)
        write_json_atomically(out, record)
    except (CliInputError, MatchInputError, MatchError) as error:
        raise _fail(f"错误：{error}") from None
    typer.echo(_summary(record))
    for row in record["unstaffed"]:
        typer.echo(f"未配齐 {row['target_id']}：{row['reason']}")
    typer.echo(f"已写出 {out}")


@app.command("verify")
def verify_command(
    record_path: Annotated[Path, typer.Argument(help="匹配记录 JSON")],
    targets: TargetsOpt,
    inspectors: InspectorsOpt,
    params: ParamsOpt,
    conflicts: ConflictsOpt = None,
    history: HistoryOpt = None,
    adjacency: AdjacencyOpt = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="替换记录所引用的原记录")] = None,
) -> None:
    """根据输入数据与公开随机数重新计算并核对匹配记录。"""
    try:
        record = read_record(record_path)
        inputs = load_inputs(targets, inspectors, conflicts, history, adjacency, params)
        previous_record = read_record(previous) if previous else None
        verification = verify_record(record, inputs, previous_record)
    except (CliInputError, MatchInputError, MatchError) as error:
        raise _fail(f"错误：{error}") from None
    if not verification.ok:
        typer.echo(verification.summary(*RECORD_HEADLINES), err=True)
        raise typer.Exit(code=1)
    typer.echo(verification.summary(*RECORD_HEADLINES))


@app.command("rematch")
def rematch_command(
    record_path: Annotated[Path, typer.Argument(help="原匹配记录 JSON（不会被修改）")],
    targets: TargetsOpt,
    inspectors: InspectorsOpt,
    params: ParamsOpt,
    random: RandomOpt,
    target: Annotated[str, typer.Option("--target", help="检查对象编号")],
    inspector: Annotated[str, typer.Option("--inspector", help="需替换的检查人员编号")],
    reason: Annotated[str, typer.Option("--reason", help="替换理由（如：发现利害关系）")],
    out: Annotated[Path, typer.Option("--out", help="新的匹配记录 JSON")],
    conflicts: ConflictsOpt = None,
    history: HistoryOpt = None,
    adjacency: AdjacencyOpt = None,
) -> None:
    """替换某检查对象检查组中的一名人员（只重抽该位置），生成引用原记录的新记录。"""
    try:
        previous_record = read_record(record_path)
        inputs = load_inputs(targets, inspectors, conflicts, history, adjacency, params)
        record = rematch_slot(
            previous_record, inputs, target_id=target, inspector_id=inspector, reason=reason, randomness=random
        )
        if out.resolve() == record_path.resolve():
            raise CliInputError("新记录不能覆盖原记录，请使用不同的 --out 文件")
        write_json_atomically(out, record)
    except (CliInputError, MatchInputError, MatchError) as error:
        raise _fail(f"错误：{error}") from None
    change = record["changes"][-1]
    typer.echo(
        f"检查对象 {target}：{change['replaced']} → {change['replacement']}（{change['basis']}，"
        f"候选 {change['candidate_count']} 人，概率 {change['probability']:.3f}）；"
        f"已替换 {record['swap_count']}/{record['swap_limit']} 人次"
    )
    typer.echo(f"已写出 {out}（原记录摘要 {record['previous_record_digest'][:16]}…）")
