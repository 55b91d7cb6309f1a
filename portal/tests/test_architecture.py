"""The house rules that a reader relies on: which app may import which, no import cycles,
no tail imports, modules short enough to read. Product code only (tests and migrations
are free to reach across apps)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "accounts", "diagnosis", "review", "records", "diseases", "ml")
# What each app may import from the project (besides itself). Dependencies point one way:
# review -> diagnosis -> ml, records -> diagnosis, diagnosis -> diseases, everything -> accounts;
# portal wires it all.
ALLOWED = {
    "ml": set(),
    "accounts": {"portal"},
    "diseases": {"accounts", "portal"},
    "diagnosis": {"accounts", "diseases", "ml", "portal"},
    "review": {"accounts", "diagnosis", "diseases", "portal"},
    "records": {"accounts", "diagnosis", "diseases", "portal"},
    "portal": {"accounts", "diagnosis", "diseases", "review", "records"},
}
MAX_LINES = 300


def product_modules(app: str) -> Iterator[Path]:
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or parts[-1] in {"conftest.py", "testing.py"}:
            continue
        yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, *, top_level_only: bool = False) -> Iterator[str]:
    nodes = ast.iter_child_nodes(tree) if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_apps_import_only_what_the_house_rules_allow() -> None:
    broken = []
    for app in APPS:
        for path in product_modules(app):
            for name in set(imported(ast.parse(path.read_text()))):
                target = name.split(".")[0]
                if target in APPS and target != app and target not in ALLOWED[app]:
                    broken.append(f"{path.relative_to(ROOT)} imports {name}")
    assert broken == []


def test_no_module_level_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    modules = {module_name(p): p for app in APPS for p in product_modules(app)}
    for name, path in modules.items():
        targets = set(imported(ast.parse(path.read_text()), top_level_only=True))
        graph[name] = {t for t in targets if t in modules and t != name}

    seen: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        if node in stack:
            cycles.append([*stack[stack.index(node) :], node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in sorted(graph[node]):
            visit(target)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert cycles == []


def test_no_tail_imports() -> None:
    """Every module-level import comes before the module's first definition."""
    late = []
    for app in APPS:
        for path in product_modules(app):
            tree = ast.parse(path.read_text())
            defined = False
            for node in tree.body:
                if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                    defined = True
                elif defined and isinstance(node, ast.Import | ast.ImportFrom):
                    late.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert late == []


@pytest.mark.parametrize("app", APPS)
def test_modules_are_short_enough_to_read(app: str) -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in product_modules(app)
        if (n := len(p.read_text().splitlines())) > MAX_LINES and "settings" not in p.parts
    }
    assert long == {}
