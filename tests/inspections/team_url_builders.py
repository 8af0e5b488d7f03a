"""County A objects of the issue-20 team features for tests/test_url_coverage.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.inspections import url_builders as ib


def expert_draw(w: World) -> Any:
    from shuangsuiji.directory.models import InspectorKind, Specialty
    from shuangsuiji.draws.experts import expert_draw_run
    from shuangsuiji.draws.models import ExpertDraw
    from tests.inspections.factories import make_inspector

    found = ExpertDraw.objects.filter(owner=w.orgs["a"]).first()
    if found is not None:
        return found
    task = ib.task(w)
    task.items.filter(specialty__code="medical").update(needs_expert=True)
    expert = make_inspector(w, "a", "专家甲", kind=InspectorKind.EXPERT)
    expert.qualifications.set(Specialty.objects.filter(code="medical"))
    return expert_draw_run(actor=w.users["a_admin"], task=task, randomness=["r"], randomness_source="s")


def assigned_member(w: World) -> Any:
    from shuangsuiji.inspections.models import MemberSource, RecordMember
    from shuangsuiji.inspections.team import record_member_assign
    from tests.inspections.factories import make_inspector

    found = RecordMember.objects.filter(record__owner=w.orgs["a"], source=MemberSource.ASSIGNED).first()
    if found is not None:
        return found
    return record_member_assign(actor=w.users["a_admin"], record=ib.record(w), inspector=make_inspector(w, "a", "钱七"),
                                role="assist", reason="放射专业", sent_by=w.orgs["a_institute"])


def nonrandom_task(w: World) -> Any:
    import datetime

    from shuangsuiji.planning.models import Task, TaskKind
    from shuangsuiji.planning.nonrandom import nonrandom_task_create

    found = Task.objects.filter(owner=w.orgs["a"], kind=TaskKind.NONRANDOM).first()
    return found or nonrandom_task_create(
        actor=w.users["a_admin"], title="投诉核查", source="complaint", received_on=datetime.date(2026, 11, 2),
        summary="s", items=[w.items["a"]], targets=[w.targets["a"]], window_start=datetime.date(2026, 11, 3),
        window_end=datetime.date(2026, 11, 30),
    )


def testing(w: World) -> Any:
    import datetime

    from shuangsuiji.inspections import testing as lab
    from shuangsuiji.inspections.models import TestingRecord

    found = TestingRecord.objects.filter(owner=w.orgs["a"]).first()
    return found or lab.testing_create(
        actor=w.users["a_admin"], record=ib.record(w), agency_name="莲池区疾控中心", agency_kind="cdc", sample="毛巾",
        test_items="细菌总数", sampled_on=datetime.date(2026, 11, 2), sent_on=datetime.date(2026, 11, 3),
    )
