"""The rooms of docs/architecture.md, checked: which package may import which."""

from __future__ import annotations

import ast
from pathlib import Path

import sitesys

PACKAGE = Path(sitesys.__file__).parent

#: Core features may import one another; floor features import only those below them.
CORE = {"auth", "audit", "sites", "staff", "system", "versions"}
FLOOR_ORDER = [
    "clients",
    "checkin",
    "observations",
    "incidents",
    "board",
    "handovers",
    "home",
    "drugchecks",
    "alerts",
    "care",
    "supplies",
    "fallback",
    "reports",
]


def _rank(feature: str) -> int:
    if feature in CORE:
        return 0
    return 1 + FLOOR_ORDER.index(feature)


def _features() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sitesys."):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("sitesys.")]
    return found


def _modules() -> list[tuple[str, Path, bool]]:
    """(feature, path, is_view) for every module of every feature package."""
    found = []
    for feature in sorted(_features()):
        for path in sorted((PACKAGE / feature).rglob("*.py")):
            relative = path.relative_to(PACKAGE / feature)
            is_view = relative.parts[0] in ("views", "views.py") or path.stem.endswith("_views")
            found.append((feature, path, is_view))
    return found


def test_every_feature_has_a_place_in_the_order():
    assert _features() <= CORE | set(FLOOR_ORDER)


def test_no_module_imports_another_features_views():
    wrong = []
    for feature, path, _is_view in _modules():
        for module in _imports(path):
            parts = module.split(".")
            if len(parts) > 2 and parts[1] != feature and parts[2] == "views":
                wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert wrong == []


def test_rules_services_and_forms_import_only_features_below_them():
    wrong = []
    for feature, path, is_view in _modules():
        if is_view:
            continue  # views compose every feature's services (docs/architecture.md)
        for module in _imports(path):
            parts = module.split(".")
            target = parts[1]
            if target == feature or target not in _features():
                continue
            if len(parts) > 2 and parts[2] in ("models", "kinds"):
                continue  # models are the shared vocabulary
            if _rank(target) > _rank(feature) or (
                _rank(target) == _rank(feature) and target not in CORE
            ):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert wrong == []


def test_plumbing_imports_no_floor_feature():
    plumbing = [p for p in PACKAGE.glob("*.py")]
    wrong = [
        f"{path.name} imports {module}"
        for path in plumbing
        for module in _imports(path)
        if module.split(".")[1] in FLOOR_ORDER
        and path.name not in ("__init__.py", "models.py", "scheduler.py", "cli.py", "demo.py")
    ]
    assert wrong == []
