"""Demo data: small size, deterministic, idempotent, logins for every role, valid codes."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from shuangsuiji.accounts.models import Organization, Region, Role, User
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.core.idcard import is_valid_id_number
from shuangsuiji.core.uscc import is_valid_uscc
from shuangsuiji.deadlines.models import Accountability, Deadline, Notification, Supervision
from shuangsuiji.demo import (
    DEMO_PASSWORD,
    LIBRARY_STEPS,
    DemoContext,
    demo_logins,
    load_demo,
    write_targets_file,
)
from shuangsuiji.demo.data import HEALTH_ITEMS
from shuangsuiji.demo.generator import iter_targets
from shuangsuiji.directory.importers import TARGET_COLUMNS
from shuangsuiji.directory.models import CheckItem, ConflictDeclaration, Inspector, Specialty, Target
from shuangsuiji.draws.models import Assignment, InspectorMatch, TargetDraw
from shuangsuiji.planning.models import AnnualPlan, JointPlan, NationalTask, Task, WorkScheme
from tests.conftest import mark_otp_verified

TODAY = datetime.date(2026, 1, 1)


def counts() -> dict[str, int]:
    models: list[Any] = [Region, Organization, User, CheckItem, Target, Inspector, ConflictDeclaration,
                         Target.specialties.through, Inspector.qualifications.through, AnnualPlan, JointPlan,
                         NationalTask, Task, WorkScheme, TargetDraw, InspectorMatch, Assignment, Deadline,
                         Notification, Supervision, Accountability, AuditEntry]  # fmt: skip
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def demo(db: Any) -> DemoContext:
    """Every step of the demo (一单两库 and the workflow)."""
    return load_demo(size=600, inspectors=60, today=TODAY)


@pytest.fixture
def library(db: Any) -> DemoContext:
    """Only the 一单两库 steps: enough for the tests of the generator and the libraries (fast)."""
    return load_demo(size=600, inspectors=60, today=TODAY, steps=LIBRARY_STEPS)


def test_small_demo_is_complete(library: DemoContext) -> None:
    assert library.created["检查对象"] == 600 and library.created["执法检查人员"] == 60
    city = Region.objects.get(code="130600")
    assert city.children.count() == 7
    assert Region.objects.get(name="莲池区").adjacent.filter(name="竞秀区").exists()
    assert Organization.objects.filter(kind="other_department").values("system").distinct().count() == 3
    targets = list(Target.objects.all())
    assert all(is_valid_uscc(t.uscc) for t in targets if t.uscc)
    assert any(t.code.startswith("L:") for t in Target.objects.all()) or len(targets) < 1000
    assert {t.risk_class for t in targets} >= {"A", "B", "C"}
    used = set(Target.specialties.through.objects.values_list("specialty__code", flat=True))
    assert len(used) >= 10
    inspectors = list(Inspector.objects.all())
    assert all(is_valid_id_number(i.id_number) for i in inspectors)
    assert any(i.licence_valid_to and i.licence_valid_to < TODAY for i in inspectors)  # some expired
    assert {i.kind for i in inspectors} == {"officer", "assistant", "expert"}
    assert ConflictDeclaration.objects.exists()
    names = set(CheckItem.objects.filter(owner__code="130606-WJ").values_list("name", flat=True))
    assert len(names) == len(HEALTH_ITEMS) and "对托育（幼）机构卫生的监督检查" in names
    assert set(CheckItem.objects.values_list("specialty__code", flat=True)) == set(
        Specialty.objects.values_list("code", flat=True)
    )


def test_running_twice_changes_nothing(demo: DemoContext) -> None:
    assert {"年度抽查计划", "抽查任务", "对象抽取", "人员匹配", "期限"} <= set(demo.created)
    before = counts()
    again = load_demo(size=600, inspectors=60, today=TODAY)
    assert again.created == {}
    assert counts() == before


def test_larger_size_adds_only_the_missing_targets(library: DemoContext) -> None:
    codes = set(Target.objects.values_list("code", flat=True))
    bigger = load_demo(size=700, inspectors=60, today=TODAY, steps=LIBRARY_STEPS)
    assert bigger.created["检查对象"] == 100
    assert codes < set(Target.objects.values_list("code", flat=True))


def test_generator_is_deterministic_and_prefix_stable() -> None:
    small = [t.code for t in iter_targets(50, 7, TODAY)]
    large = [t.code for t in iter_targets(80, 7, TODAY)]
    assert small == large[:50] and len(set(large)) == 80
    assert small != [t.code for t in iter_targets(50, 8, TODAY)]


def test_logins_cover_every_role_and_work(library: DemoContext, settings: Any) -> None:
    settings.SSJ_REQUIRE_2FA = False  # the demo set-up relaxes the second factor (tests enforce it by default)
    rows = demo_logins()
    labels = {label for _, label, _ in rows}
    assert labels == {label for _, label in Role.choices}
    assert all(User.objects.get(username=u).is_demo for u, _, _ in rows)
    client = Client()
    response = client.post("/accounts/login/", {"username": "lianchi_admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    mark_otp_verified(client, User.objects.get(username="lianchi_admin"))
    assert client.get("/directory/targets/").status_code == 200
    inspector_user = User.objects.get(username="lianchi_inspector")
    profile = Inspector.objects.get(user=inspector_user)
    assert profile.licence_valid_on(TODAY) and profile.owner.code == "130606-WJ"


def test_steps_are_extensible(db: Any) -> None:
    seen: list[int] = []
    load_demo(size=10, inspectors=5, today=TODAY, steps=[*LIBRARY_STEPS, lambda ctx: seen.append(len(ctx.bureaus))])
    assert seen == [8]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_write_targets_file(tmp_path: Path, suffix: str) -> None:
    path = write_targets_file(tmp_path / f"t{suffix}", 30, 1)
    if suffix == ".xlsx":
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    else:
        rows = [line.split(",") for line in path.read_text(encoding="utf-8-sig").splitlines()]
    assert rows[0] == [c.header for c in TARGET_COLUMNS] and len(rows) == 31
    assert {row[3] for row in rows[1:]} == {"莲池区"}


def test_cli_load_and_logins(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from shuangsuiji.cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["demo", "load", "--targets", "50", "--inspectors", "10"])
    assert result.exit_code == 0, result.output
    assert "演示数据已加载" in result.output and "lianchi_admin" in result.output and DEMO_PASSWORD in result.output
    result = runner.invoke(app, ["demo", "load", "--targets", "50", "--inspectors", "10"])
    assert "没有变化" in result.output
    result = runner.invoke(app, ["demo", "logins"])
    assert result.exit_code == 0 and "city_supervisor" in result.output
