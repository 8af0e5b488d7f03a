"""The input files and the record of ``ssj match`` (inspector matching), from bytes and to bytes.

Inputs: ``targets.csv``, ``inspectors.csv``, ``conflicts.csv``, ``history.csv``, ``adjacency.csv`` (the last
three optional) and ``params.json``; the columns are described in README (随机匹配执法检查人员) and
examples/match/. The CLI reads them from the paths it is given, the draws app from the bundle it stored or
built, and both call ``load_inputs`` here, so a stored match verifies with ``ssj match verify`` on the
downloaded files by construction. Dates use the one parser of ``core.dates``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from shuangsuiji.core.dates import DateParseError
from shuangsuiji.core.dates import parse_date as parse_any_date
from shuangsuiji.core.formats.text import FormatError, json_bytes, read_csv_rows, read_json_object
from shuangsuiji.core.matching import (
    Conflict,
    FallbackPolicy,
    Inspector,
    InspectorKind,
    InspectorStatus,
    MatchInputs,
    MatchParams,
    PreviousAssignment,
    RegionAdjacency,
    Target,
)

INPUT_FILES = ("targets.csv", "inspectors.csv", "conflicts.csv", "history.csv", "adjacency.csv", "params.json")
OPTIONAL_FILES = frozenset({"conflicts.csv", "history.csv", "adjacency.csv"})
TARGET_COLUMNS = ("id", "region", "specialties", "window_start", "window_end", "group")
INSPECTOR_COLUMNS = ("id", "region", "qualifications", "licence_valid_from", "licence_valid_to", "kind", "status",
                     "existing_workload")
CONFLICT_COLUMNS = ("inspector_id", "target_id", "target_group", "period_start", "period_end", "reason")
HISTORY_COLUMNS = ("inspector_id", "target_id", "round")
ADJACENCY_COLUMNS = ("region_a", "region_b")
RECORD_TYPE = "ssj.match"

LIST_SEPARATORS = re.compile(r"[;；、|,，/]")
DATE_FORMATS_HINT = "可用格式：2023-07-20、2023/7/20、2023.7.20、2023年7月20日"


def parse_date(text: str, where: str, *, optional: bool = False) -> date | None:
    """One date of an input file (``core.dates``); ``where`` (file, row, column) leads the Chinese error."""
    text = text.strip()
    if not text:
        if optional:
            return None
        raise FormatError(f"{where}：日期不能为空")
    try:
        return parse_any_date(text)
    except DateParseError:
        raise FormatError(f"{where}：『{text}』不是有效日期（{DATE_FORMATS_HINT}）") from None


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
        raise FormatError(f"{where}：『{text}』不是有效取值（可选：{allowed}）") from None


def load_targets(raw: bytes, name: str = "targets.csv") -> tuple[Target, ...]:
    rows = read_csv_rows(raw, name, ("id", "region", "specialties", "window_start", "window_end"))
    return tuple(
        Target(
            id=row["id"],
            region=row["region"],
            specialties=_split(row["specialties"]),
            window_start=_required_date(row["window_start"], f"{name} 第{n}行 window_start"),
            window_end=_required_date(row["window_end"], f"{name} 第{n}行 window_end"),
            group=row.get("group", ""),
        )
        for n, row in enumerate(rows, start=2)
    )


def load_inspectors(raw: bytes, name: str = "inspectors.csv") -> tuple[Inspector, ...]:
    rows = read_csv_rows(raw, name, ("id", "region", "qualifications", "licence_valid_from", "licence_valid_to"))
    inspectors = []
    for n, row in enumerate(rows, start=2):
        where = f"{name} 第{n}行"
        workload = row.get("existing_workload", "") or "0"
        if not workload.isdigit():
            raise FormatError(f"{where} existing_workload：『{workload}』不是非负整数")
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


def load_conflicts(raw: bytes | None, name: str = "conflicts.csv") -> tuple[Conflict, ...]:
    if raw is None:
        return ()
    rows = read_csv_rows(raw, name, ("inspector_id",))
    return tuple(
        Conflict(
            inspector_id=row["inspector_id"],
            target_id=row.get("target_id", ""),
            target_group=row.get("target_group", ""),
            period_start=parse_date(row.get("period_start", ""), f"{name} 第{n}行 period_start", optional=True),
            period_end=parse_date(row.get("period_end", ""), f"{name} 第{n}行 period_end", optional=True),
            reason=row.get("reason", ""),
        )
        for n, row in enumerate(rows, start=2)
    )


def load_history(raw: bytes | None, name: str = "history.csv") -> tuple[PreviousAssignment, ...]:
    if raw is None:
        return ()
    rows = read_csv_rows(raw, name, ("inspector_id", "target_id"))
    return tuple(PreviousAssignment(row["inspector_id"], row["target_id"], row.get("round", "")) for row in rows)


def load_adjacency(raw: bytes | None, name: str = "adjacency.csv") -> tuple[RegionAdjacency, ...]:
    if raw is None:
        return ()
    rows = read_csv_rows(raw, name, ("region_a", "region_b"))
    return tuple(RegionAdjacency(row["region_a"], row["region_b"]) for row in rows)


def load_params(raw: bytes, name: str = "params.json") -> MatchParams:
    data = read_json_object(raw, name, "参数文件")
    known = set(MatchParams.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise FormatError(f"参数文件含未知参数：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
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
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"参数文件 {name} 中的数值无效：{error}") from error


def load_inputs(files: Mapping[str, bytes | None], names: Mapping[str, str] | None = None) -> MatchInputs:
    """``MatchInputs`` from the contents of the six files, keyed by their standard names (``INPUT_FILES``).

    A missing optional file (or ``None``) is empty; ``names`` gives the names to use in errors (the user's
    own file names in the CLI).
    """
    shown = {key: (names or {}).get(key, key) for key in INPUT_FILES}
    for key in INPUT_FILES:
        if key not in OPTIONAL_FILES and files.get(key) is None:
            raise FormatError(f"缺少输入文件 {shown[key]}")
    return MatchInputs(
        targets=load_targets(files["targets.csv"] or b"", shown["targets.csv"]),
        inspectors=load_inspectors(files["inspectors.csv"] or b"", shown["inspectors.csv"]),
        conflicts=load_conflicts(files.get("conflicts.csv"), shown["conflicts.csv"]),
        history=load_history(files.get("history.csv"), shown["history.csv"]),
        adjacency=load_adjacency(files.get("adjacency.csv"), shown["adjacency.csv"]),
        params=load_params(files["params.json"] or b"", shown["params.json"]),
    )


def params_json(params: Mapping[str, Any]) -> bytes:
    """``params.json`` as the draws app writes it (canonical JSON)."""
    return json_bytes(dict(params))


def read_record(raw: bytes, name: str = "record.json") -> dict[str, Any]:
    """A match record (``"type": "ssj.match"``) from its JSON bytes."""
    try:
        data = read_json_object(raw, name, "匹配记录")
    except FormatError as error:
        raise FormatError(str(error).replace("必须是 JSON 对象", "不是执法检查人员匹配记录")) from None
    if data.get("type") != RECORD_TYPE:
        raise FormatError(f"{name} 不是执法检查人员匹配记录")
    return data


def record_json(record: Mapping[str, Any]) -> bytes:
    """The match record as written by ``ssj match run``."""
    return json_bytes(dict(record))
