"""One settings surface: every knob is read from the environment in
portal/settings/base.py (and nowhere else with a default), and every variable read
there is listed in .env.example and in the README's configuration table."""

from __future__ import annotations

import ast
import re

from portal.tests.test_architecture import APPS, ROOT, product_modules

SETTINGS = ROOT / "portal" / "settings" / "base.py"
READERS = {"envstr", "envint", "envbool", "envlist", "getenv", "get"}


def variables_read_in_settings() -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            called = func.id
        elif isinstance(func, ast.Attribute):
            called = func.attr
        else:
            called = ""
        in_environ = isinstance(func, ast.Attribute) and "environ" in ast.unparse(func.value)
        is_environ = in_environ or called == "getenv"
        if called in READERS and (called.startswith("env") or is_environ):
            value = node.args[0].value
            if isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", value):
                names.add(value)
    return names


def test_settings_read_a_good_number_of_variables() -> None:
    assert {"SECRET_KEY", "DATABASE_URL", "REVIEW_CLAIM_TIMEOUT_MINUTES"} <= variables_read_in_settings()


def test_every_variable_is_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    assert sorted(variables_read_in_settings() - listed) == []


def test_every_variable_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("|"))
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert sorted(variables_read_in_settings() - documented) == []


def test_no_setting_is_read_with_a_default_outside_settings() -> None:
    """`getattr(settings, "X", default)` hides a second default; settings.X is the one."""
    found = []
    for app in APPS:
        for path in product_modules(app):
            if "settings" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "getattr"
                    and len(node.args) == 3
                    and ast.unparse(node.args[0]) == "settings"
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert found == []
