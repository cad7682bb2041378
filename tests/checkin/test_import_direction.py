"""Which module may import which, for clients, check-in, the board and sites
(docs/architecture.md): models are shared vocabulary; every other non-view module imports only
its own feature, the core features and the floor features below it; services never import
Flask; no module imports another feature's views."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sitesys

ROOT = Path(sitesys.__file__).parent
CORE = ("auth", "audit", "sites", "staff", "system")
FLOOR = ("clients", "checkin", "observations", "incidents", "board", "handovers", "home")
#: Modules any module may import: each feature's models, and its enum modules.
VOCABULARY = ("models", "kinds", "roles")
#: Non-view modules that may use Flask: loaders answer 404, and the board's drawn boards are
#: kept on the app.
MAY_USE_FLASK = ("loaders", "drawn")


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def may_import(feature: str, module: str) -> bool:
    parts = module.split(".")
    if parts[0] != "sitesys" or len(parts) < 3:
        return True  # a library, or plumbing (sitesys/db.py, sitesys/clock.py ...)
    other, leaf = parts[1], parts[2]
    if other == feature or other in CORE or leaf in VOCABULARY:
        return True
    return feature in FLOOR and other in FLOOR and FLOOR.index(other) < FLOOR.index(feature)


def non_view_modules(feature: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / feature).glob("*.py"))
        if path.stem != "views" and not path.stem.endswith("_views")
    ]


@pytest.mark.parametrize("feature", ["clients", "checkin", "board", "sites"])
def test_non_view_modules_import_only_what_lies_below_them(feature):
    wrong = {
        f"{path.name} imports {module}"
        for path in non_view_modules(feature)
        for module in imports_of(path)
        if not may_import(feature, module)
    }
    assert wrong == set()


@pytest.mark.parametrize("feature", ["clients", "checkin", "board", "sites"])
def test_services_never_import_flask(feature):
    wrong = {
        f"{path.name} imports {module}"
        for path in non_view_modules(feature)
        if path.stem not in MAY_USE_FLASK
        for module in imports_of(path)
        if module.split(".")[0] in ("flask", "flask_login", "flask_wtf", "werkzeug")
    }
    assert wrong == set()


@pytest.mark.parametrize("feature", ["clients", "checkin", "board", "sites"])
def test_no_module_imports_another_features_views(feature):
    wrong = {
        f"{path.name} imports {module}"
        for path in sorted((ROOT / feature).glob("*.py"))
        for module in imports_of(path)
        if module.startswith("sitesys.")
        and module.split(".")[1] != feature
        and ("views" in module.split(".")[2:] or module.endswith("_views"))
    }
    assert wrong == set()


def test_the_rules_catch_what_they_are_for():
    """The check itself: the imports this refactoring removed would each be caught."""
    assert not may_import("checkin", "sitesys.incidents.floor")
    assert not may_import("sites", "sitesys.handovers.setup")
    assert not may_import("sites", "sitesys.clients.codes")
    assert may_import("checkin", "sitesys.incidents.models")
    assert may_import("sites", "sitesys.handovers.models")
    assert may_import("board", "sitesys.incidents.floor")
