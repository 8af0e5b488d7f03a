"""Objects for draw tests: a task with a published 工作方案, a directory with enough targets and inspectors."""

from __future__ import annotations

import datetime
from typing import Any

from shuangsuiji.core.uscc import complete_uscc
from shuangsuiji.directory.models import Inspector, Specialty, Target
from shuangsuiji.draws import services
from shuangsuiji.draws.match_inputs import MatchOptions
from shuangsuiji.draws.models import InspectorMatch, RedrawRequest, TargetDraw
from shuangsuiji.planning.models import SchemeStatus, Task, TaskState, WorkScheme
from tests.conftest import World

WINDOW = (datetime.date(2026, 3, 2), datetime.date(2026, 3, 27))
RISK_COUNTS = {"A": 10, "B": 15, "C": 10, "D": 5}


def uscc(region_code: str, n: int, salt: str = "0") -> str:
    body = f"91{region_code}MA{salt}{n:05d}X"
    return complete_uscc(body)


def add_targets(world: World, key: str = "a", *, counts: dict[str, int] | None = None, salt: str = "0") -> list[Target]:
    owner = world.orgs[key]
    region = world.regions[key] if key in world.regions else owner.region
    public_places = Specialty.objects.get(code="public_places")
    made = []
    n = 0
    for risk, count in (counts or RISK_COUNTS).items():
        for _ in range(count):
            n += 1
            code = uscc(region.code, n, salt)
            target = Target.objects.create(
                owner=owner, uscc=code, code=code, name=f"{region.name}测试宾馆{salt}{n:03d}", region=region,
                risk_class=risk, risk_flags=["complaints"] if risk == "D" and n % 2 == 0 else [],
            )
            target.specialties.set([public_places])
            made.append(target)
    return made


def add_inspectors(world: World, key: str = "a", count: int = 8, **overrides: Any) -> list[Inspector]:
    owner = world.orgs[key]
    region = world.regions[key]
    public_places = Specialty.objects.get(code="public_places")
    made = []
    start = Inspector.objects.filter(owner=owner).count()
    for n in range(start, start + count):
        fields: dict[str, Any] = {
            "owner": owner, "name": f"{key}检查员{n:02d}", "organization": owner, "region": region,
            "licence_no": f"冀{region.code}{n:04d}", "licence_valid_from": datetime.date(2024, 1, 1),
            "licence_valid_to": datetime.date(2028, 12, 31),
        }
        fields.update(overrides)
        inspector = Inspector.objects.create(**fields)
        inspector.qualifications.set([public_places])
        made.append(inspector)
    return made


def make_task(world: World, key: str = "a", *, state: str = TaskState.SCHEME_PUBLISHED, code: str = "RW-2026-001",
              **fields: Any) -> Task:
    owner = world.orgs[key]
    values: dict[str, Any] = {
        "owner": owner, "code": code, "title": "2026年公共场所卫生双随机抽查", "year": 2026,
        "ratios": {"A": 5, "B": 10, "C": 20, "D": 50}, "min_per_stratum": 1, "mandatory_flags": ["complaints"],
        "team_size": 2, "max_targets_per_inspector": 8, "window_start": WINDOW[0], "window_end": WINDOW[1],
        "state": state,
    }
    values.update(fields)
    task = Task.objects.create(**values)
    task.specialties.set([Specialty.objects.get(code="public_places")])
    task.items.set([world.items[key]])
    WorkScheme.objects.create(
        task=task, title=f"{task.title}工作方案", body="……",
        status=SchemeStatus.PUBLISHED if state != TaskState.DRAFT else SchemeStatus.DRAFT,
    )
    return task


def populated_task(world: World, **fields: Any) -> Task:
    add_targets(world)
    add_inspectors(world)
    return make_task(world, **fields)


def drawn(world: World, task: Task, *, operator: str = "a_admin") -> TargetDraw:
    draw = services.draw_freeze_pool(
        actor=world.users[operator], task=task, randomness_kind="announced", randomness_source="2026年3月1日 福彩3D"
    )
    return services.draw_execute(actor=world.users[operator], draw=draw, randomness=["2026-03-01 福彩3D 4 1 8"])


def confirmed(world: World, task: Task) -> TargetDraw:
    draw = drawn(world, task)
    draw = services.draw_confirm(actor=world.users["a_leader"], draw=draw)
    # a joint task: each participating department confirms its part (a user of that department)
    for confirmation in draw.department_confirmations.filter(confirmed_at__isnull=True):
        user = next(u for u in world.users.values() if u.organization_id == confirmation.organization_id)
        draw = services.draw_department_confirm(actor=user, confirmation=confirmation)
    return draw


def matched(world: World, task: Task, **options: Any) -> InspectorMatch:
    draw = confirmed(world, task)
    return services.match_run(
        actor=world.users["a_admin"], draw=draw, randomness=["2026-03-02 双色球 01 05 11 20 27 33 + 07"],
        options=MatchOptions(**options),
    )


def cached(world: World, name: str, build: Any) -> Any:
    """Build an object once per world (URL-coverage builders call this for every URL)."""
    store = world.__dict__.setdefault("_draws_cache", {})
    if name not in store:
        store[name] = build()
    return store[name]


def sample_match(world: World) -> InspectorMatch:
    def build() -> InspectorMatch:
        task = populated_task(world)
        return matched(world, task)

    return cached(world, "match", build)


def sample_redraw_request(world: World) -> RedrawRequest:
    def build() -> RedrawRequest:
        draw = sample_match(world).draw
        return services.redraw_request_create(actor=world.users["a_admin"], draw=draw, reason="演示：申请重新抽取")

    return cached(world, "redraw_request", build)
