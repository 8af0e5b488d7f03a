"""The audit log is a leaf (DESIGN §7): it records and never decides. The second-factor policy is checked by
every service writing a sensitive event, before its audit entry; this test finds the services that would not."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from shuangsuiji.accounts.security import is_sensitive_event

SRC = Path(__file__).resolve().parents[2] / "src" / "shuangsuiji"
# Event names built at run time, with the services that must check: their sensitive values are known here.
DYNAMIC_SENSITIVE = {"plan_transition": ("plan.publish",)}  # PLAN_ACTIONS has "publish"


def _event_variants(node: ast.expr, app: str) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "events":
        return [str(getattr(importlib.import_module(f"shuangsuiji.{app}.events"), node.attr))]
    if isinstance(node, ast.IfExp):
        return _event_variants(node.body, app) + _event_variants(node.orelse, app)
    return []  # built at run time or variables: DYNAMIC_SENSITIVE names the functions whose values can be sensitive


def _calls(function: ast.AST, name: str) -> list[ast.Call]:
    return [
        n for n in ast.walk(function)
        if isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", None)) == name
    ]


def test_every_sensitive_audited_action_checks_the_second_factor_itself() -> None:
    unguarded = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.parent.name == "audit":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
            for call in _calls(function, "audit_record"):
                event = next((k.value for k in call.keywords if k.arg == "event"), None)
                app = path.relative_to(SRC).parts[0]
                variants = [*(_event_variants(event, app) if event is not None else []),
                            *DYNAMIC_SENSITIVE.get(function.name, ())]
                if not any(is_sensitive_event(v) for v in variants):
                    continue
                if not _calls(function, "require_second_factor_for"):
                    unguarded.append(f"{path.relative_to(SRC)}:{call.lineno} {function.name}")
    assert unguarded == []


def test_audit_imports_nothing_above_it() -> None:
    for path in (SRC / "audit").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shuangsuiji."):
                assert node.module.split(".")[1] in {"audit", "common", "core"}, (path.name, node.module)


def test_the_dynamic_events_named_above_are_sensitive() -> None:
    from shuangsuiji.planning.services.annual_plans import PLAN_ACTIONS

    assert "publish" in PLAN_ACTIONS and is_sensitive_event("plan.publish")


def test_audit_events_are_named_constants_not_free_strings() -> None:
    literal = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree, "audit_record"):
            for keyword in call.keywords:
                if keyword.arg == "event" and isinstance(keyword.value, ast.Constant | ast.JoinedStr):
                    literal.append(f"{path.relative_to(SRC)}:{call.lineno}")
    assert literal == [], "use the constants of <app>/events.py"
