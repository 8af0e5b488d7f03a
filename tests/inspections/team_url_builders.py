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
