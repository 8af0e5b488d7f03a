#!/usr/bin/env python3
"""Counts how the apps of src/shuangsuiji import each other, against the layer order of DESIGN §7.

Prints (and with --json writes) three numbers and their details:
- upward arrows: distinct (lower app -> higher app) pairs, i.e. an app importing one listed above it in
  the order below (a lower layer must never import a higher one, not even inside a function);
- cycles between apps: strongly connected groups of apps in the app-level import graph (any import kind);
- function-local cross-app imports: import statements inside a function/method body that reach another app
  (they usually exist only to dodge a cycle).

Usage: python scripts/layer_report.py [--json] [--verbose]
It reads the source with `ast` only (no import of the project), so it runs without the virtualenv.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "shuangsuiji"
PACKAGE = "shuangsuiji"

# Bottom-up, DESIGN §7. Apps on the same rank (the entry points) may import each other's lower layers only.
ORDER: list[tuple[str, ...]] = [
    ("core",),
    ("common",),
    ("audit",),
    ("accounts",),
    ("directory",),
    ("deadlines",),
    ("planning",),
    ("draws",),
    ("inspections",),
    ("disclosure",),
    ("oversight",),
    ("supervision",),  # 专项督查 (issue 20): the city's campaigns over its bureaus, above the statistics
    ("api", "cli", "demo"),
]
RANK = {app: rank for rank, group in enumerate(ORDER) for app in group}
# Top-level project modules (settings, urls, wsgi, manage) wire everything together: rank above all apps.
TOP_RANK = len(ORDER)


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """Absolute module names an ImportFrom refers to (the module, plus `from pkg import submodule`)."""
    if node.level:
        base = module.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    names = [target]
    names.extend(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


class _Visitor(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.depth = 0  # function nesting
        self.type_checking = 0
        self.imports: list[tuple[str, int, bool, bool]] = []  # (target, line, local, type_checking_only)

    def _func(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _func
    visit_AsyncFunctionDef = _func
    visit_Lambda = _func

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        is_tc = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        if is_tc:
            self.type_checking += 1
            for child in node.body:
                self.visit(child)
            self.type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.append((alias.name, node.lineno, self.depth > 0, self.type_checking > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        targets = _resolve(self.module, self.is_package, node)
        # `from shuangsuiji.x import y`: count the arrow once per statement (to the app of the module).
        for target in targets:
            self.imports.append((target, node.lineno, self.depth > 0, self.type_checking > 0))


MODULE_EDGES: set[tuple[str, str]] = set()


def _known_module(target: str, modules: set[str]) -> str | None:
    parts = target.split(".")
    while parts:
        name = ".".join(parts)
        if name in modules:
            return name
        parts.pop()
    return None


def _explained(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or on the line above its block of imports, says why it is local."""
    if "#" in lines[lineno - 1]:
        return True
    index = lineno - 2
    while index >= 0:
        text = lines[index].strip()
        if text.startswith("#"):
            return True
        if text.startswith(("from ", "import ")) or text.endswith(",") or text in (")", "("):
            index -= 1
            continue
        return False
    return False


def collect() -> list[dict[str, object]]:
    rows = []
    visitors = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue  # migrations name other apps' migrations by design (dependencies), not imports
        module = _module_name(path)
        visitor = _Visitor(module, path.name == "__init__.py")
        text = path.read_text(encoding="utf-8")
        visitor.visit(ast.parse(text, filename=str(path)))
        visitor.lines = text.splitlines()  # type: ignore[attr-defined]
        visitors.append((path, module, visitor))
    modules = {module for _, module, _ in visitors}
    for _path, module, visitor in visitors:
        for target, _line, _local, _tc in visitor.imports:
            known = _known_module(target, modules)
            if known and known != module and known != PACKAGE:
                MODULE_EDGES.add((module, known))
    for path, module, visitor in visitors:
        source_app = _app_of(module) if module.count(".") >= 1 else None
        seen: set[tuple[int, str | None]] = set()  # one row per statement and target app
        for target, line, local, tc in visitor.imports:
            target_app = _app_of(target)
            if target_app is None or source_app is None or target_app == source_app:
                continue
            if (line, target_app) in seen:
                continue
            seen.add((line, target_app))
            if not (ROOT / target_app).is_dir():
                continue  # a top-level module (settings, urls) or a name, not an app
            rows.append(
                {
                    "source": module,
                    "source_app": source_app,
                    "target": target,
                    "target_app": target_app,
                    "file": str(path.relative_to(ROOT.parent.parent)),
                    "line": line,
                    "local": local,
                    "explained": local and _explained(visitor.lines, line),  # type: ignore[attr-defined]
                    "type_checking": tc,
                }
            )
    return rows


def _rank(app: str) -> int:
    return RANK.get(app, TOP_RANK)


def _is_app_dir(app: str) -> bool:
    return (ROOT / app).is_dir() and (ROOT / app / "__init__.py").exists()


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                result.append(sorted(comp))

    for node in sorted({a for a, _ in edges} | {b for _, b in edges}):
        if node not in index:
            strong(node)
    return result


def report(rows: list[dict[str, object]]) -> dict[str, object]:
    # Imports under `if TYPE_CHECKING:` never run, but they are still a dependency of the code's meaning:
    # they count as arrows (import-linter counts them too).
    edges = {(str(r["source_app"]), str(r["target_app"])) for r in rows if _is_app_dir(str(r["source_app"]))}
    upward = sorted((a, b) for a, b in edges if _rank(a) < _rank(b))
    local = [r for r in rows if r["local"]]
    local_in_apps = [r for r in local if _rank(str(r["source_app"])) < RANK["api"]]
    unexplained = [r for r in local if not r["explained"]]
    module_cycles = [
        comp for comp in _cycles(MODULE_EDGES) if len({_app_of(m) for m in comp}) > 1
    ]
    return {
        "order": [list(group) for group in ORDER],
        "upward_arrows": [f"{a} -> {b}" for a, b in upward],
        "upward_arrow_count": len(upward),
        "upward_import_statements": sum(
            1 for r in rows if _rank(str(r["source_app"])) < _rank(str(r["target_app"]))
        ),
        "app_cycles": _cycles(edges),
        "mutual_app_pairs": sorted(f"{a} <-> {b}" for a, b in edges if a < b and (b, a) in edges),
        "function_local_cross_app_imports": [f"{r['file']}:{r['line']} -> {r['target']}" for r in local],
        "function_local_cross_app_import_count": len(local),
        "function_local_cross_app_imports_below_entry_points": len(local_in_apps),
        "function_local_cross_app_imports_without_comment": len(unexplained),
        "module_cycles_across_apps": module_cycles,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--verbose", action="store_true", help="list every offending import statement")
    args = parser.parse_args()
    rows = collect()
    data = report(rows)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print("layer order (bottom-up):", " < ".join("/".join(g) for g in ORDER))
    print(f"upward arrows between apps: {data['upward_arrow_count']}"
          f" ({data['upward_import_statements']} import statements)")
    for arrow in data["upward_arrows"]:  # type: ignore[attr-defined]
        print("  ", arrow)
    cycles = data["app_cycles"]
    print(f"cycles between apps: {len(cycles)}")  # type: ignore[arg-type]
    for cycle in cycles:  # type: ignore[attr-defined]
        print("  ", " <-> ".join(cycle))
    pairs = data["mutual_app_pairs"]
    print(f"app pairs importing each other: {len(pairs)}", ", ".join(pairs))  # type: ignore[arg-type]
    mcycles = data["module_cycles_across_apps"]
    print(f"module import cycles spanning more than one app: {len(mcycles)}")  # type: ignore[arg-type]
    for cycle in mcycles:  # type: ignore[attr-defined]
        print(f"   ({len(cycle)} modules)", ", ".join(m.removeprefix(PACKAGE + ".") for m in cycle))
    print(f"function-local cross-app imports: {data['function_local_cross_app_import_count']}"
          f" ({data['function_local_cross_app_imports_below_entry_points']} outside api/cli/demo,"
          f" {data['function_local_cross_app_imports_without_comment']} without a comment saying why)")
    if args.verbose:
        for line in data["function_local_cross_app_imports"]:  # type: ignore[attr-defined]
            print("  ", line)
        print("upward import statements:")
        for r in rows:
            if _rank(str(r["source_app"])) < _rank(str(r["target_app"])):
                print(f"   {r['file']}:{r['line']} {r['source_app']} -> {r['target']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
