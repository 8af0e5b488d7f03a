"""提醒、培训、约谈、记分 of inspected targets counted for the dashboard and the 月报表 (issue 20 item 5)."""

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


def measure_text(owner_ids: list[int], period: Period) -> str:
    """One sentence for the 月报表 (empty when nothing was recorded)."""
    rows = [r for r in measure_figures(owner_ids, period) if r.count]
    if not rows:
        return ""
    parts = [f"{r.label}{r.count}次（{r.targets}户{'，共' + str(r.points) + '分' if r.points else ''}）" for r in rows]
    return "本月对检查对象" + "、".join(parts)
