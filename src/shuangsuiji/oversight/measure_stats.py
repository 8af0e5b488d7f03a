"""提醒、培训、约谈、记分 of inspected targets counted for the dashboard, the 月报表 and the 半年/全年情况报告
(issue 20 item 5: "counted in the reports")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum

from shuangsuiji.inspections.models import MeasureKind, TargetMeasure
from shuangsuiji.oversight.dashboard import Period


@dataclass
class MeasureRow:
    kind: str
    label: str
    count: int = 0
    targets: int = 0
    points: int = 0


def measure_figures(owner_ids: list[int], period: Period) -> list[MeasureRow]:
    rows = {value: MeasureRow(value, label) for value, label in MeasureKind.choices}
    found = (
        TargetMeasure.objects.filter(owner_id__in=owner_ids, occurred_on__gte=period.start, occurred_on__lte=period.end)
        .order_by().values("kind").annotate(n=Count("pk"), t=Count("target_id", distinct=True), p=Sum("points"))
    )
    for row in found:
        if row["kind"] in rows:
            rows[row["kind"]].count, rows[row["kind"]].targets = row["n"], row["t"]
            rows[row["kind"]].points = int(row["p"] or 0)
    return list(rows.values())


def measure_cell(row: MeasureRow) -> str:
    """``2次（2户，共6分）``: times, targets and (记分) points of one kind."""
    return f"{row.count}次（{row.targets}户{'，共' + str(row.points) + '分' if row.points else ''}）"


def measure_phrase(rows: list[MeasureRow]) -> str:
    """``提醒1次（1户）、约谈1次（1户）`` over the kinds recorded (empty when none was)."""
    return "、".join(f"{r.label}{measure_cell(r)}" for r in rows if r.count)


def measure_text(owner_ids: list[int], period: Period) -> str:
    """One sentence for the 月报表 (empty when nothing was recorded)."""
    phrase = measure_phrase(measure_figures(owner_ids, period))
    return "本月对检查对象" + phrase if phrase else ""
