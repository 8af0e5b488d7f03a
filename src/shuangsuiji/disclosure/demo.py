"""Demo data of the portal, built through the publication services on top of the other demos.

``load_demo_disclosure(today=…)`` publishes, for every task with reviewed 一企一表 (审核通过) not yet
published, those results (as the task bureau's 双随机办 or 科室 user), then every decided 行政处罚 whose result
is published. Items, plans, 工作方案 and draws are published by their own demos; the portal shows them as
they are. Idempotent: a second call publishes nothing new.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.scope import Perm, has_perm, user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.selectors_results import publishable_records, unpublished_penalty_cases
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from shuangsuiji.planning.models import Task


def _publisher(task: Task) -> User | None:
    candidates = User.objects.filter(is_active=True, role__in=[Role.PROGRAM_ADMIN, Role.SECTION_STAFF]).select_related(
        "organization"
    ).order_by("role", "pk")
    for user in candidates:
        bureau = user_bureau(user)
        if bureau is not None and bureau.pk == task.owner_id and has_perm(user, Perm.PLAN_EDIT):
            return user
    return None


@transaction.atomic
def load_demo_disclosure(*, today: datetime.date) -> dict[str, Any]:
    """Publish the demo's reviewed results and decided penalties; returns what was published."""
    summary: dict[str, Any] = {"results": 0, "withheld": 0, "penalties": 0, "tasks": []}
    task_ids = (
        InspectionRecord.objects.filter(status=RecordStatus.APPROVED).values_list("task_id", flat=True).distinct()
    )
    for task in Task.objects.filter(pk__in=list(task_ids)).select_related("owner").order_by("pk"):
        publisher = _publisher(task)
        if publisher is None:
            continue
        if publishable_records(actor=publisher, task=task).exists():
            published = services.results_publish_task(actor=publisher, task=task)
            summary["results"] += published.published
            summary["withheld"] += published.withheld
            summary["tasks"].append(task.code)
        for case in unpublished_penalty_cases(actor=publisher, task=task):
            try:
                services.penalty_publish_case(actor=publisher, case_id=case.pk)
            except ApplicationError:
                continue  # its result is not published yet (record not reviewed)
            summary["penalties"] += 1
    summary["message"] = (
        f"公示抽查结果 {summary['results']} 户、行政处罚 {summary['penalties']} 件（{today:%Y-%m-%d}）"
        if summary["results"] or summary["penalties"] else "没有待公示的抽查结果或处罚决定"
    )
    return summary
