"""The exact commands a citizen runs to check a draw or a match from the downloaded files (如何验证)."""

from __future__ import annotations

from shuangsuiji.draws.models import InspectorMatch, TargetDraw


def draw_file_names(draw: TargetDraw) -> tuple[str, str]:
    return f"draw-{draw.task.code}-{draw.sequence}.json", f"pool-{draw.task.code}-{draw.sequence}.csv"


def draw_verify_commands(draw: TargetDraw) -> list[str]:
    record, pool = draw_file_names(draw)
    command = f"ssj draw verify {record} --pool {pool}"
    if draw.previous is not None:
        previous, _ = draw_file_names(draw.previous)
        command += f" --previous {previous}"
    return [
        command,
        f"# 某一对象是否在对象池中（Merkle 证明）：ssj draw prove {record} --pool {pool} --id <统一社会信用代码>",
    ]


MATCH_INPUT_OPTIONS = (
    "--targets targets.csv --inspectors inspectors.csv --conflicts conflicts.csv "
    "--history history.csv --adjacency adjacency.csv --params params.json"
)


def match_verify_commands(match: InspectorMatch, *, in_archive: bool = False) -> list[str]:
    archive = f"match-{match.task.code}-{match.sequence}.zip"
    previous = " --previous previous.json" if match.previous_id is not None else ""
    lines = [] if in_archive else [f"unzip {archive} -d match-{match.sequence} && cd match-{match.sequence}"]
    lines.append(f"ssj match verify record.json {MATCH_INPUT_OPTIONS}{previous}")
    return lines
