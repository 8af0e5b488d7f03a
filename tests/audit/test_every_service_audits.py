"""Every write service audits: a function in a services module that runs in `transaction.atomic` must call
`audit_record` (directly or through a function of the same module it calls), unless the module lists it
in `AUDIT_EXEMPT` with a reason. A new service that forgets the audit entry fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import mask_changes
from shuangsuiji.directory import services as directory_services
from tests.conftest import World

SRC = Path(__file__).resolve().parents[2] / "src" / "shuangsuiji"


def _service_modules() -> list[Path]:
    found = [*SRC.glob("*/services.py"), *SRC.glob("*/services/*.py"), *SRC.glob("*/*_services.py")]
    return sorted(p for p in found if p.name != "__init__.py")


def _is_atomic(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "atomic" or (
        isinstance(target, ast.Name) and target.id == "atomic"
    )


def _called_names(func: ast.FunctionDef) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def _unaudited(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    exempt: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "AUDIT_EXEMPT" for t in node.targets):
            exempt = {elt.value for elt in ast.walk(node.value) if isinstance(elt, ast.Constant) and isinstance(elt.value, str)}
    audits: dict[str, bool] = {}

    def audits_fn(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name in audits:
            return audits[name]
        calls = _called_names(functions[name])
        result = "audit_record" in calls or any(
            c in functions and c not in seen and audits_fn(c, seen | {name}) for c in calls
        )
        audits[name] = result
        return result

    return [
        name for name, fn in functions.items()
        if any(_is_atomic(d) for d in fn.decorator_list) and name not in exempt and not audits_fn(name)
    ]


def test_service_modules_are_found() -> None:
    assert any(p.parent.name == "directory" for p in _service_modules())


@pytest.mark.parametrize("path", _service_modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_atomic_service_writes_an_audit_entry(path: Path) -> None:
    missing = _unaudited(path)
    assert not missing, f"{path.relative_to(SRC)}: services without audit_record(): {missing}"


def test_before_after_and_masking() -> None:
    changes = mask_changes({
        "phone": ("13812345678", "13987654321"), "id_number": "110101199003071234", "name": ("甲", "乙"),
        "password": "secret-value",
    })
    assert changes["phone"] == ["138****5678", "139****4321"]
    assert changes["id_number"] == "1101**********1234"
    assert changes["name"] == ["甲", "乙"]
    assert changes["password"] == "（已隐去）"


def test_update_through_a_page_records_before_and_after_masked(world: World) -> None:
    inspector = world.inspectors["a"]
    directory_services.inspector_update(
        actor=world.users["a_admin"], inspector=inspector, data={"phone": "13700001111", "expertise": "放射卫生"}
    )
    entry = AuditEntry.objects.filter(event="inspector.update").get()
    assert entry.changes["phone"] == ["139****5678", "137****1111"]
    assert entry.changes["expertise"] == ["", "放射卫生"]
    assert entry.actor_id == world.users["a_admin"].pk and entry.organization_id == world.orgs["a"].pk


def test_entries_record_the_client_address(world: World) -> None:
    client: Client = world.client("a_admin")
    client.post(f"/directory/targets/{world.targets['a'].pk}/retire/", {"reason": "注销"}, REMOTE_ADDR="198.51.100.4")
    entry = AuditEntry.objects.filter(event="target.retire").get()
    assert entry.ip_address == "198.51.100.4" and len(entry.request_id) == 32
