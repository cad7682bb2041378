"""The hazard log: the DCB0129 matrix, the hazards read from the YAML, and the rules every
hazard must meet on its own (a control, tests that exist, a justified residual risk)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.yaml"
PAGE = LOG.with_suffix(".md")
RESULTS = ROOT / ".test-results"

# The DCB0129 / DCB0160 clinical risk matrix, as NHS Digital publishes it in the standards'
# implementation guidance and its hazard-log template: five consequence (severity) categories,
# five likelihood categories, and a risk rating from 1 to 5 for each pair.
SEVERITIES: tuple[str, ...] = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS: tuple[str, ...] = ("very low", "low", "medium", "high", "very high")
#: MATRIX[likelihood][severity index] is the risk rating.
MATRIX: Mapping[str, tuple[int, int, int, int, int]] = {
    "very high": (3, 4, 4, 5, 5),
    "high": (2, 3, 3, 4, 5),
    "medium": (2, 2, 3, 3, 4),
    "low": (1, 2, 2, 3, 4),
    "very low": (1, 1, 2, 2, 3),
}
RATINGS: Mapping[int, str] = {
    1: "acceptable",
    2: "acceptable where further reduction is impractical",
    3: "undesirable",
    4: "unacceptable: mandatory control",
    5: "unacceptable",
}
#: The highest rating accepted without a recorded justification.
ACCEPTABLE = 2

IN_PLACE = "in place"
PLANNED = "planned"
HAZARD_ID = re.compile(r"HAZ-\d{3}")
HAZARD_KEYS = frozenset(
    {"id", "title", "what", "causes", "harm", "initial", "controls", "residual"}
    | {"justification", "site"}
)
CONTROL_KEYS = frozenset({"control", "status", "issue", "tests"})


class LogRefused(Exception):
    """The hazard log cannot be read at all (not YAML, or not a list of hazards)."""


@dataclass(frozen=True)
class Risk:
    """A severity and a likelihood on the DCB0129 matrix."""

    severity: str
    likelihood: str

    @property
    def rating(self) -> int:
        return MATRIX[self.likelihood][SEVERITIES.index(self.severity)]

    @property
    def words(self) -> str:
        return f"{self.rating} ({RATINGS[self.rating]})"

    def __str__(self) -> str:
        return f"{self.severity} × {self.likelihood} = {self.rating}"


@dataclass(frozen=True)
class Control:
    """What in SiteSys prevents or reveals a hazard, and the tests that prove it."""

    text: str
    status: str = IN_PLACE
    issue: int | None = None
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    what: str
    causes: tuple[str, ...]
    harm: str
    initial: Risk
    controls: tuple[Control, ...]
    residual: Risk
    justification: str | None
    site: tuple[str, ...]

    @property
    def is_open(self) -> bool:
        """Open while any of its controls is still to be built."""
        return any(control.status == PLANNED for control in self.controls)


@dataclass
class Outcomes:
    """What one named test came to in each run: passed, failed, skipped (with why)."""

    by_run: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, run: str, outcome: str, detail: str) -> None:
        self.by_run.setdefault(run, []).append((outcome, detail))


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(_text(item) for item in value if _text(item))
    return (_text(value),) if _text(value) else ()


def _risk(where: str, value: Any, problems: list[str]) -> Risk | None:
    if not isinstance(value, dict):
        problems.append(f"{where}: give a severity and a likelihood")
        return None
    severity = _text(value.get("severity")).lower()
    likelihood = _text(value.get("likelihood")).lower()
    if severity not in SEVERITIES:
        problems.append(
            f"{where}: severity {severity or '(none)'!r} is not one of {', '.join(SEVERITIES)}"
        )
        return None
    if likelihood not in LIKELIHOODS:
        problems.append(
            f"{where}: likelihood {likelihood or '(none)'!r} is not one of {', '.join(LIKELIHOODS)}"
        )
        return None
    return Risk(severity, likelihood)


def _control(where: str, value: Any, problems: list[str]) -> Control | None:
    if not isinstance(value, dict) or not _text(value.get("control")):
        problems.append(f"{where}: a control needs its words ('control: ...')")
        return None
    unknown = set(value) - CONTROL_KEYS
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    status = _text(value.get("status") or IN_PLACE).lower()
    if status not in (IN_PLACE, PLANNED):
        problems.append(f"{where}: status {status!r} is neither '{IN_PLACE}' nor '{PLANNED}'")
        return None
    issue = value.get("issue")
    if issue is not None and (isinstance(issue, bool) or not isinstance(issue, int)):
        problems.append(f"{where}: issue must be an issue number")
        issue = None
    tests = value.get("tests") or []
    if not isinstance(tests, list) or not all(isinstance(test, str) for test in tests):
        problems.append(f"{where}: tests must be a list of pytest node ids")
        tests = []
    return Control(
        text=_text(value["control"]),
        status=status,
        issue=issue,
        tests=tuple(test.strip() for test in tests),
    )


def parse_log(source: str) -> tuple[list[Hazard], list[str]]:
    """The hazards of a log, and the problems found reading them (a field missing or wrong)."""
    try:
        document = yaml.safe_load(source)
    except yaml.YAMLError as error:
        raise LogRefused(f"the hazard log is not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("hazards"), list):
        raise LogRefused("the hazard log must be a mapping with a list under 'hazards'")
    problems: list[str] = []
    hazards: list[Hazard] = []
    for position, entry in enumerate(document["hazards"], start=1):
        if not isinstance(entry, dict):
            problems.append(f"hazard {position}: not a mapping")
            continue
        hazard_id = _text(entry.get("id")) or f"hazard {position}"
        unknown = set(entry) - HAZARD_KEYS
        if unknown:
            problems.append(f"{hazard_id}: unknown field(s) {', '.join(sorted(unknown))}")
        for required in ("title", "what", "harm"):
            if not _text(entry.get(required)):
                problems.append(f"{hazard_id}: '{required}' is missing")
        if not _texts(entry.get("causes")):
            problems.append(f"{hazard_id}: no causes given")
        if not _texts(entry.get("site")):
            problems.append(f"{hazard_id}: say what remains for the site to do ('site')")
        initial = _risk(f"{hazard_id} initial risk", entry.get("initial"), problems)
        residual = _risk(f"{hazard_id} residual risk", entry.get("residual"), problems)
        raw_controls = entry.get("controls") or []
        if not isinstance(raw_controls, list):
            problems.append(f"{hazard_id}: controls must be a list")
            raw_controls = []
        controls = [
            control
            for number, raw in enumerate(raw_controls, start=1)
            if (control := _control(f"{hazard_id} control {number}", raw, problems)) is not None
        ]
        if initial is None or residual is None:
            continue
        hazards.append(
            Hazard(
                id=hazard_id,
                title=_text(entry.get("title")),
                what=_text(entry.get("what")),
                causes=_texts(entry.get("causes")),
                harm=_text(entry.get("harm")),
                initial=initial,
                controls=tuple(controls),
                residual=residual,
                justification=_text(entry.get("justification")) or None,
                site=_texts(entry.get("site")),
            )
        )
    return hazards, problems


@dataclass(frozen=True)
class NodeId:
    """A pytest node id split into what JUnit records: the file, class path and test name."""

    path: str
    classes: tuple[str, ...]
    function: str
    parameters: str | None

    @classmethod
    def parse(cls, node_id: str) -> NodeId | None:
        parts = node_id.split("::")
        if len(parts) < 2 or not parts[0].endswith(".py") or not parts[-1]:
            return None
        name = parts[-1]
        function, bracket, rest = name.partition("[")
        return cls(
            path=parts[0],
            classes=tuple(parts[1:-1]),
            function=function,
            parameters=f"[{rest}" if bracket else None,
        )

    @property
    def classname(self) -> str:
        """The `classname` JUnit gives its test cases: the module's dotted path and classes."""
        return ".".join([self.path.removesuffix(".py").replace("/", "."), *self.classes])

    def matches(self, classname: str, name: str) -> bool:
        if classname != self.classname:
            return False
        if self.parameters is not None:
            return name == self.function + self.parameters
        return name == self.function or name.startswith(self.function + "[")


def _defined_tests(path: Path) -> set[tuple[str, ...]]:
    """Every test function of a test file, as (class, ..., function) paths."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, ...]] = set()

    def visit(body: Iterable[ast.stmt], prefix: tuple[str, ...]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.add((*prefix, node.name))
            elif isinstance(node, ast.ClassDef):
                visit(node.body, (*prefix, node.name))

    visit(tree.body, ())
    return found


def missing_test(node_id: str, root: Path | None = None) -> str | None:
    """Why a named test cannot be found in the source (under `root`, the project by default),
    or None when it exists.
    """
    root = root or ROOT
    node = NodeId.parse(node_id)
    if node is None:
        return f"{node_id!r} is not a pytest node id (tests/<file>.py::<test>)"
    path = root / node.path
    if not path.is_file():
        return f"{node_id}: there is no file {node.path}"
    if (*node.classes, node.function) not in _defined_tests(path):
        return f"{node_id}: {node.path} has no test {'::'.join((*node.classes, node.function))}"
    return None


def check_log(hazards: Sequence[Hazard], root: Path | None = None) -> list[str]:
    """What is wrong with a log, read on its own: the rules every hazard must meet."""
    problems: list[str] = []
    seen: set[str] = set()
    for hazard in hazards:
        if not HAZARD_ID.fullmatch(hazard.id):
            problems.append(f"{hazard.id}: a hazard id is HAZ- and three digits (HAZ-001)")
        if hazard.id in seen:
            problems.append(f"{hazard.id}: the id is used twice")
        seen.add(hazard.id)
        if not hazard.controls:
            problems.append(f"{hazard.id}: the hazard has no control")
        if hazard.residual.rating > hazard.initial.rating:
            problems.append(
                f"{hazard.id}: the residual risk ({hazard.residual}) is above the initial risk "
                f"({hazard.initial})"
            )
        if hazard.residual.rating > ACCEPTABLE and not hazard.justification:
            problems.append(
                f"{hazard.id}: the residual risk {hazard.residual.words} is above acceptable and "
                "no justification is recorded"
            )
        for number, control in enumerate(hazard.controls, start=1):
            where = f"{hazard.id} control {number}"
            if control.status == PLANNED:
                if control.issue is None:
                    problems.append(f"{where}: a planned control names the issue that builds it")
                if not hazard.justification:
                    problems.append(
                        f"{where}: the control is still planned (issue {control.issue}) and the "
                        "hazard's residual risk carries no justification"
                    )
            elif not control.tests:
                problems.append(f"{where}: the control names no test")
            for test in control.tests:
                why = missing_test(test, root)
                if why is not None:
                    problems.append(f"{where}: {why}")
    return problems
