"""Non-random inspections (投诉举报、转办交办、专项检查; 玉溪 (三), 大洼 四、六(一)): a task of their own kind that
names its source and its targets. Inspected, reviewed and published through the same 一企一表/result/publication
path as 双随机 tasks (the team is 指派 in ``inspections.nonrandom``), counted apart in the statistics and the
月报表, and never in 双随机 coverage figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem, InspectionMethod, ItemStatus, Target, TargetStatus
from shuangsuiji.planning import deadline_hooks
from shuangsuiji.planning.models import NonRandomBasis, NonRandomSource, Task, TaskKind
from shuangsuiji.planning.permissions import require_plan_edit
from shuangsuiji.planning.services import _check_window, _next_task_code, full_clean


@transaction.atomic
def nonrandom_task_create(
    *,
    actor: User,
    title: str,
    source: str,
    received_on: datetime.date,
    summary: str,
    items: Sequence[CheckItem],
    targets: Sequence[Target],
    window_start: datetime.date,
    window_end: datetime.date,
    methods: Sequence[str] = ("on_site",),
    reference: str = "",
) -> Task:
    """Record a non-random task with its source (one transaction, audited)."""
    from shuangsuiji.accounts.scope import Perm, bureau_for_write

    owner = bureau_for_write(actor, Perm.PLAN_EDIT)
    require_plan_edit(actor, owner.pk)
    if not title.strip():
        raise ApplicationError("请填写任务名称")
    if source not in NonRandomSource.values:
        raise ApplicationError("请选择非随机检查的来源（投诉举报、上级交办/转办、其他部门移送、数据监测发现、专项检查）")
    if not summary.strip():
        raise ApplicationError("请填写线索或交办内容")
    if received_on > window_start:
        raise ApplicationError("检查开始日期不能早于受理/交办日期")
    if not items:
        raise ApplicationError("请至少选择一个抽查事项")
    if not targets:
        raise ApplicationError("请至少选择一个检查对象")
    for item in items:
        if item.owner_id != owner.pk or not item.is_current or item.status != ItemStatus.PUBLISHED:
            raise ApplicationError(f"事项“{item.name}”不是本单位已公布的现行抽查事项")
    for target in targets:
        if target.owner_id != owner.pk:
            raise ApplicationError(f"检查对象“{target.name}”不在本单位名录库中")
        if target.status == TargetStatus.CANCELLED or target.is_retired:
            raise ApplicationError(f"检查对象“{target.name}”已注销或移出名录，不能检查")
    bad = [m for m in methods if m not in InspectionMethod.values]
    if bad or not methods:
        raise ApplicationError("请选择有效的检查方式")
    _check_window(window_start, window_end)
    task = Task(
        owner=owner, code=_next_task_code(owner, window_start.year), title=title.strip(), year=window_start.year,
        kind=TaskKind.NONRANDOM, ratios={}, methods=list(dict.fromkeys(methods)), window_start=window_start,
        window_end=window_end, min_per_stratum=0,
    )
    try:
        task.full_clean(exclude=["ratios"])  # no draw, so no ratios per risk class
    except ValidationError:
        full_clean(task)  # the same errors, in Chinese
    task.save()
    task.items.set(items)
    task.specialties.set(sorted({i.specialty_id for i in items}))
    basis = NonRandomBasis.objects.create(
        task=task, source=source, reference=reference.strip()[:100], received_on=received_on,
        summary=summary.strip(),
    )
    basis.targets.set(targets)
    audit_record(
        actor=actor, event="task.create_nonrandom", target=task,
        changes={
            "code": task.code, "title": task.title, "source": basis.get_source_display(), "reference": basis.reference,
            "received_on": received_on, "items": [i.code for i in items], "targets": [t.code for t in targets],
            "window": (window_start, window_end),
        },
    )
    deadline_hooks.on_task_created(task, actor=actor)
    return task
