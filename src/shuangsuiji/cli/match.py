"""`ssj match`: random inspector matching from CSV files (run, verify, rematch); no database needed."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from shuangsuiji.core.matching import (
    Conflict,
    FallbackPolicy,
    Inspector,
    InspectorKind,
    InspectorStatus,
    MatchError,
    MatchInputError,
    MatchInputs,
    MatchParams,
    PreviousAssignment,
    RegionAdjacency,
    Target,
    build_record,
    rematch_slot,
    verify_record,
)

app = typer.Typer(no_args_is_help=True, help="随机匹配执法检查人员：运行、验证、替换（无需数据库）")

LIST_SEPARATORS = re.compile(r"[;；、|,，/]")
DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class CliInputError(ValueError):
    """A file-level problem (encoding, columns, dates) reported in Chinese."""


# ------------------------------------------------------------------------------------------------ reading


def read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV file in UTF-8 (with or without BOM) or GBK; checks the header."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CliInputError(f"无法读取文件 {path}：{error.strerror}") from error
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CliInputError(f"文件 {path} 既不是 UTF-8 也不是 GBK 编码")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise CliInputError(f"文件 {path.name} 缺少列：{'、'.join(missing)}（现有列：{'、'.join(header) or '无'}）")
    rows = []
    for row in reader:
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if any(cleaned.values()):
            rows.append(cleaned)
    return rows


def parse_date(text: str, where: str, *, optional: bool = False) -> date | None:
    """Accepts 2023-07-20, 2023/7/20, 2023.7.20, 2023年7月20日 and 20230720; anything else is rejected."""
    text = text.strip()
    if not text:
        if optional:
            return None
        raise CliInputError(f"{where}：日期不能为空")
    for pattern in DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            year, month, day = (int(g) for g in found.groups())
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise CliInputError(f"{where}：『{text}』不是有效日期（可用格式：2023-07-20、2023/7/20、2023.7.20、2023年7月20日）")


def _required_date(text: str, where: str) -> date:
    value = parse_date(text, where)
    assert value is not None
    return value


def _split(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in LIST_SEPARATORS.split(text) if part.strip())


def _enum_value(enum_type: Any, text: str, default: Any, where: str) -> Any:
    if not text:
        return default
    try:
        return enum_type(text)
    except ValueError:
        allowed = "、".join(member.value for member in enum_type)
        raise CliInputError(f"{where}：『{text}』不是有效取值（可选：{allowed}）") from None


def load_targets(path: Path) -> tuple[Target, ...]:
    rows = read_rows(path, ("id", "region", "specialties", "window_start", "window_end"))
    return tuple(
        Target(
            id=row["id"],
            region=row["region"],
            specialties=_split(row["specialties"]),
            window_start=_required_date(row["window_start"], f"{path.name} 第{n}行 window_start"),
            window_end=_required_date(row["window_end"], f"{path.name} 第{n}行 window_end"),
            group=row.get("group", ""),
        )
        for n, row in enumerate(rows, start=2)
    )


def load_inspectors(path: Path) -> tuple[Inspector, ...]:
    rows = read_rows(path, ("id", "region", "qualifications", "licence_valid_from", "licence_valid_to"))
    inspectors = []
    for n, row in enumerate(rows, start=2):
        where = f"{path.name} 第{n}行"
        workload = row.get("existing_workload", "") or "0"
        if not workload.isdigit():
            raise CliInputError(f"{where} existing_workload：『{workload}』不是非负整数")
        inspectors.append(
            Inspector(
                id=row["id"],
                region=row["region"],
                qualifications=_split(row["qualifications"]),
                licence_valid_from=parse_date(row["licence_valid_from"], f"{where} licence_valid_from", optional=True),
                licence_valid_to=parse_date(row["licence_valid_to"], f"{where} licence_valid_to", optional=True),
                kind=_enum_value(InspectorKind, row.get("kind", ""), InspectorKind.LAW_ENFORCEMENT, f"{where} kind"),
                status=_enum_value(InspectorStatus, row.get("status", ""), InspectorStatus.ON_DUTY, f"{where} status"),
                existing_workload=int(workload),
            )
        )
    return tuple(inspectors)


def load_conflicts(path: Path | None) -> tuple[Conflict, ...]:
    if path is None:
        return ()
    rows = read_rows(path, ("inspector_id",))
    return tuple(
        Conflict(
            inspector_id=row["inspector_id"],
            target_id=row.get("target_id", ""),
            target_group=row.get("target_group", ""),
            period_start=parse_date(row.get("period_start", ""), f"{path.name} 第{n}行 period_start", optional=True),
            period_end=parse_date(row.get("period_end", ""), f"{path.name} 第{n}行 period_end", optional=True),
            reason=row.get("reason", ""),
        )
        for n, row in enumerate(rows, start=2)
    )


def load_history(path: Path | None) -> tuple[PreviousAssignment, ...]:
    if path is None:
        return ()
    rows = read_rows(path, ("inspector_id", "target_id"))
    return tuple(PreviousAssignment(row["inspector_id"], row["target_id"], row.get("round", "")) for row in rows)


def load_adjacency(path: Path | None) -> tuple[RegionAdjacency, ...]:
    if path is None:
        return ()
    rows = read_rows(path, ("region_a", "region_b"))
    return tuple(RegionAdjacency(row["region_a"], row["region_b"]) for row in rows)


def load_params(path: Path) -> MatchParams:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise CliInputError(f"无法读取参数文件 {path}：{error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CliInputError(f"参数文件 {path.name} 不是有效的 JSON：第{error.lineno}行 {error.msg}") from error
    if not isinstance(data, dict):
        raise CliInputError(f"参数文件 {path.name} 必须是 JSON 对象")
    known = set(MatchParams.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise CliInputError(f"参数文件含未知参数：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
    defaults = MatchParams()
    try:
        return MatchParams(
            team_size=int(data.get("team_size", defaults.team_size)),
            max_targets_per_inspector=int(data.get("max_targets_per_inspector", defaults.max_targets_per_inspector)),
            add_experts=bool(data.get("add_experts", defaults.add_experts)),
            fallback=_enum_value(FallbackPolicy, str(data.get("fallback", "")), defaults.fallback, "参数 fallback"),
            direct_assignment_reason=str(data.get("direct_assignment_reason", "")),
            probability_cap=float(data.get("probability_cap", defaults.probability_cap)),
            swap_limit_ratio=float(data.get("swap_limit_ratio", defaults.swap_limit_ratio)),
            previous_round=str(data.get("previous_round", "")),
        )
    except (TypeError, ValueError) as error:
        if isinstance(error, CliInputError):
            raise
        raise CliInputError(f"参数文件 {path.name} 中的数值无效：{error}") from error


def load_inputs(
    targets: Path,
    inspectors: Path,
    conflicts: Path | None,
    history: Path | None,
    adjacency: Path | None,
    params: Path,
) -> MatchInputs:
    return MatchInputs(
        targets=load_targets(targets),
        inspectors=load_inspectors(inspectors),
        conflicts=load_conflicts(conflicts),
        history=load_history(history),
        adjacency=load_adjacency(adjacency),
        params=load_params(params),
    )


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write to a temporary file beside the target, then rename: never a partial output file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, ensure_ascii=False, indent=2, sort_keys=True)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_record(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CliInputError(f"无法读取匹配记录 {path}：{error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CliInputError(f"匹配记录 {path.name} 不是有效的 JSON：{error.msg}") from error
    if not isinstance(data, dict) or data.get("type") != "ssj.match":
        raise CliInputError(f"{path.name} 不是执法检查人员匹配记录")
    return data


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
        typer.echo(verification.summary(), err=True)
        raise typer.Exit(code=1)
    typer.echo(verification.summary())


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
