"""Match inputs from the database, written in the exact file format of ``ssj match``.

The service builds the CSV/JSON files as bytes and reads them back with the readers of ``core.formats.match``
(the ones ``ssj match`` uses), so the stored record verifies with ``ssj match verify`` on the downloaded files
by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shuangsuiji.accounts.models import Organization, Region
from shuangsuiji.accounts.scope import BUREAU_KINDS
from shuangsuiji.core.formats import match as match_files
from shuangsuiji.core.formats.text import csv_bytes
from shuangsuiji.core.matching import FallbackPolicy, MatchInputs
from shuangsuiji.directory.models import (
    ConflictDeclaration,
    Inspector,
    InspectorKind,
    InspectorStatus,
    Target,
)
from shuangsuiji.draws.models import Assignment, DrawnTarget, MatchStatus, TargetDraw

KIND_LABELS = {
    InspectorKind.OFFICER: "执法人员",
    InspectorKind.ASSISTANT: "辅助检查人员",
    InspectorKind.EXPERT: "专家",
}
STATUS_LABELS = {
    InspectorStatus.ON_DUTY: "在岗",
    InspectorStatus.ON_LEAVE: "休假",
    InspectorStatus.TRANSFERRED: "调离",
}
INPUT_FILES = match_files.INPUT_FILES
HISTORY_ROUND = "上一轮"


def inspector_key(inspector_id: int) -> str:
    return f"I{inspector_id}"


def inspector_pk(key: str) -> int:
    return int(key.removeprefix("I"))


@dataclass(frozen=True)
class MatchOptions:
    fallback: str = FallbackPolicy.ADJACENT.value
    direct_assignment_reason: str = ""
    add_experts: bool = False
    probability_cap: float = 0.5
    swap_limit_ratio: float = 0.15


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def inspector_queryset(draw: TargetDraw, options: MatchOptions) -> Any:
    """执法检查人员名录库 of the task's bureau and, for joint tasks, of the participating departments.

    When the matching may fall back to other regions, the same-line bureaus of the regions adjacent to the
    drawn targets' regions lend their inspectors too (相邻区域匹配 / 直接委派).
    """
    task = draw.task
    owners = {task.owner_id, *task.participants.values_list("pk", flat=True)}
    if options.fallback != FallbackPolicy.NONE.value:
        target_regions = Region.objects.filter(
            pk__in=DrawnTarget.objects.filter(draw=draw).values("target__region_id")
        )
        adjacent = Region.objects.filter(adjacent__in=target_regions).values_list("path", flat=True)
        for path in set(adjacent):
            owners |= set(
                Organization.objects.filter(
                    kind__in=BUREAU_KINDS, system=task.owner.system, region__path__startswith=path
                ).values_list("pk", flat=True)
            )
    return (
        Inspector.objects.filter(owner_id__in=owners, is_retired=False)
        .select_related("region")
        .prefetch_related("qualifications")
        .order_by("pk")
    )


def _required_specialties(target: Target, task_codes: set[str]) -> set[str]:
    own = {s.code for s in target.specialties.all()}
    return (own & task_codes) or own or set(task_codes)


def build_input_files(draw: TargetDraw, options: MatchOptions) -> dict[str, bytes]:
    """The six input files of ``ssj match`` for the drawn targets of ``draw``."""
    task = draw.task
    task_codes = set(task.specialties.values_list("code", flat=True))
    task_codes |= set(task.items.values_list("specialty__code", flat=True))
    selections = list(
        DrawnTarget.objects.filter(draw=draw).select_related("target__region").prefetch_related("target__specialties")
    )
    target_rows = [
        [
            sel.target.code,
            sel.target.region.code,
            ";".join(sorted(_required_specialties(sel.target, task_codes))),
            task.window_start.isoformat(),
            task.window_end.isoformat(),
            "",
        ]
        for sel in selections
    ]
    inspectors = [i for i in inspector_queryset(draw, options) if i.qualifications.all()]
    inspector_rows = [
        [
            inspector_key(i.pk),
            i.region.code,
            ";".join(sorted(q.code for q in i.qualifications.all())),
            _iso(i.licence_valid_from) if i.licence_no else "",
            _iso(i.licence_valid_to) if i.licence_no else "",
            KIND_LABELS.get(InspectorKind(i.kind), "执法人员"),
            STATUS_LABELS.get(InspectorStatus(i.status), "在岗"),
            0,
        ]
        for i in inspectors
    ]
    inspector_ids = {i.pk for i in inspectors}
    target_ids = [sel.target_id for sel in selections]
    code_of = {sel.target_id: sel.target.code for sel in selections}
    conflict_rows: set[tuple[str, str, str, str, str, str]] = set()
    for conflict in ConflictDeclaration.objects.filter(target_id__in=target_ids, inspector_id__in=inspector_ids):
        conflict_rows.add(
            (
                inspector_key(conflict.inspector_id),
                code_of[conflict.target_id],
                "",
                _iso(conflict.valid_from),
                _iso(conflict.valid_to),
                conflict.reason.replace("\n", " "),
            )
        )
    history_rows = previous_round_rows(draw, inspector_ids=inspector_ids, codes=set(code_of.values()))
    regions = {row[1] for row in target_rows} | {row[1] for row in inspector_rows}
    adjacency: set[tuple[str, str]] = set()
    for region in Region.objects.filter(code__in=regions).prefetch_related("adjacent"):
        neighbours = [r.code for r in region.adjacent.all() if r.code in regions]
        if not neighbours:
            adjacency.add((region.code, ""))
        for code in neighbours:
            adjacency.add(tuple(sorted((region.code, code))))  # type: ignore[arg-type]
    params = {
        "team_size": task.team_size,
        "max_targets_per_inspector": task.max_targets_per_inspector,
        "add_experts": options.add_experts,
        "fallback": options.fallback,
        "direct_assignment_reason": options.direct_assignment_reason.strip(),
        "probability_cap": options.probability_cap,
        "swap_limit_ratio": options.swap_limit_ratio,
        "previous_round": "",
    }
    return {
        "targets.csv": csv_bytes(match_files.TARGET_COLUMNS, target_rows),
        "inspectors.csv": csv_bytes(match_files.INSPECTOR_COLUMNS, inspector_rows),
        "conflicts.csv": csv_bytes(match_files.CONFLICT_COLUMNS, [list(r) for r in conflict_rows]),
        "history.csv": csv_bytes(match_files.HISTORY_COLUMNS, history_rows),
        "adjacency.csv": csv_bytes(match_files.ADJACENCY_COLUMNS, [list(r) for r in adjacency]),
        "params.json": match_files.params_json(params),
    }


def previous_round_rows(draw: TargetDraw, *, inspector_ids: set[int], codes: set[str]) -> list[list[str]]:
    """Who inspected each drawn target in its most recent earlier task (回避 of consecutive rounds)."""
    earlier = (
        Assignment.objects.filter(
            is_active=True,
            drawn_target__target__code__in=codes,
            match__status__in=[MatchStatus.MATCHED, MatchStatus.CONFIRMED],
        )
        .exclude(match__task_id=draw.task_id)
        .filter(inspector_id__in=inspector_ids)
        .values_list("drawn_target__target__code", "match__task_id", "match__matched_at", "inspector_id")
    )
    latest: dict[str, Any] = {}
    for code, task_id, matched_at, _ in earlier:
        if code not in latest or matched_at > latest[code][1]:
            latest[code] = (task_id, matched_at)
    return [
        [inspector_key(inspector_id), code, HISTORY_ROUND]
        for code, task_id, _, inspector_id in earlier
        if latest[code][0] == task_id
    ]


def load_input_files(files: dict[str, bytes]) -> MatchInputs:
    """Read the input files (bytes) with the readers ``ssj match verify`` runs (``core.formats.match``)."""
    return match_files.load_inputs(files)


def load_stored_inputs(folder: Path) -> MatchInputs:
    """Read a stored bundle of input files (a folder of the private storage)."""
    return load_input_files({name: (folder / name).read_bytes() for name in INPUT_FILES if (folder / name).exists()})
