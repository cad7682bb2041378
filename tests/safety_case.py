"""The clinical safety case, checked: every hazard has a control, every control a test that ran.

`docs/clinical-safety/hazard-log.yaml` is the hazard log (DCB0129). This module reads it, refuses
a log with a defect in it, renders `hazard-log.md` from it, and reads the JUnit results that
`make test` writes for each database run, so that a control whose test did not run, was skipped
or failed is caught in the run that should have proved it. `make safety` runs it:

    python -m tests.safety_case                 # check the log, its page and the last runs
    python -m tests.safety_case --write         # render hazard-log.md again from the YAML
    python -m tests.safety_case --static        # check the log and its page only (no runs)

It fails (exit status 1) when a hazard has no control, a control in place names no test, a
named test does not exist or did not pass in the runs that happened (skipped, failed, or
deselected in every run), a hazard's residual risk is above acceptable without a recorded
justification, or the committed page is out of date with the YAML.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
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


# Reading the log ---------------------------------------------------------------------------


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


# Checking the log on its own -----------------------------------------------------------------


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


# Reading the runs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    outcome: str  # passed, failed or skipped
    detail: str


def read_run(path: Path) -> list[Case]:
    """The test cases of one JUnit XML file that pytest wrote (`--junitxml`)."""
    # Our own test run's output, never input from outside.
    tree = ElementTree.parse(path)  # noqa: S314
    cases = []
    for element in tree.iter("testcase"):
        outcome, detail = "passed", ""
        for child in element:
            if child.tag in ("failure", "error"):
                outcome, detail = "failed", child.get("message", "")
            elif child.tag == "skipped":
                outcome, detail = "skipped", child.get("message", "")
        cases.append(
            Case(element.get("classname", ""), element.get("name", ""), outcome, _text(detail))
        )
    return cases


def read_runs(folder: Path) -> dict[str, list[Case]]:
    """Every run recorded in a folder, named by its file (sqlite.xml is the "sqlite" run)."""
    return {path.stem: read_run(path) for path in sorted(folder.glob("*.xml"))}


def outcomes(test: str, runs: Mapping[str, Sequence[Case]]) -> Outcomes:
    node = NodeId.parse(test)
    found = Outcomes()
    if node is None:
        return found
    for run, cases in runs.items():
        for case in cases:
            if node.matches(case.classname, case.name):
                found.add(run, case.outcome, case.detail)
    return found


def run_problem(test: str, runs: Mapping[str, Sequence[Case]]) -> str | None:
    """Why a named test does not count as proof in these runs, or None when it does.

    It counts when it passed in at least one run and was neither skipped nor failed in any run
    that collected it; a test deselected in every run (marked for a database that did not run)
    proved nothing.
    """
    found = outcomes(test, runs)
    if not found.by_run:
        return f"{test} did not run in any of the runs ({', '.join(runs)}): deselected or left out"
    for run, results in found.by_run.items():
        for outcome, detail in results:
            if outcome == "failed":
                return f"{test} failed in the {run} run"
            if outcome == "skipped":
                return f"{test} was skipped in the {run} run: {detail or 'no reason given'}"
    return None


def check_runs(hazards: Sequence[Hazard], runs: Mapping[str, Sequence[Case]]) -> list[str]:
    problems = []
    for hazard in hazards:
        for number, control in enumerate(hazard.controls, start=1):
            for test in control.tests:
                why = run_problem(test, runs)
                if why is not None:
                    problems.append(f"{hazard.id} control {number}: {why}")
    return problems


# Rendering -----------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_matrix() -> list[str]:
    lines = [
        "| likelihood \\ severity | " + " | ".join(SEVERITIES) + " |",
        "| --- |" + " --- |" * len(SEVERITIES),
    ]
    for likelihood in reversed(LIKELIHOODS):
        lines.append(
            f"| **{likelihood}** | " + " | ".join(str(r) for r in MATRIX[likelihood]) + " |"
        )
    lines += ["", "| rating | meaning |", "| --- | --- |"]
    lines += [f"| {rating} | {words} |" for rating, words in RATINGS.items()]
    return lines


def render_markdown(hazards: Sequence[Hazard]) -> str:
    """The hazard log as a page people read: made from the YAML, never edited by hand."""
    lines = [
        "# SiteSys hazard log",
        "",
        "<!-- Generated from hazard-log.yaml by `make hazard-log` (python -m tests.safety_case "
        "--write). Do not edit: change the YAML and render it again; `make safety` fails while "
        "this page is out of date. -->",
        "",
        "The clinical safety case that this log supports is [safety-case.md](safety-case.md). "
        "Risk is rated on the DCB0129 / DCB0160 matrix (severity × likelihood); a residual risk "
        f"above {ACCEPTABLE} is accepted only with the justification recorded beside it.",
        "",
        *render_matrix(),
        "",
        "## Summary",
        "",
        "| id | hazard | initial risk | residual risk | status |",
        "| --- | --- | --- | --- | --- |",
    ]
    for hazard in hazards:
        status = "**open**: controls still to be built" if hazard.is_open else "controlled"
        lines.append(
            f"| [{hazard.id}](#{hazard.id.lower()}) | {_cell(hazard.title)} | "
            f"{hazard.initial.rating} | {hazard.residual.rating} | {status} |"
        )
    for hazard in hazards:
        lines += ["", f"## {hazard.id}", "", f"**{hazard.title}**"]
        if hazard.is_open:
            lines += ["", "**Open:** a control is still to be built (see below)."]
        lines += ["", f"- **What could happen:** {hazard.what}", "- **Causes:**"]
        lines += [f"  - {cause}" for cause in hazard.causes]
        lines += [
            f"- **Harm:** {hazard.harm}",
            f"- **Initial risk:** {hazard.initial}: {RATINGS[hazard.initial.rating]}",
            "",
            "### Controls",
            "",
        ]
        for number, control in enumerate(hazard.controls, start=1):
            if control.status == PLANNED:
                lines.append(f"{number}. **Planned (issue {control.issue}).** {control.text}")
            else:
                lines.append(f"{number}. {control.text}")
            lines += [f"   - proved by `{test}`" for test in control.tests]
        lines += [
            "",
            f"- **Residual risk:** {hazard.residual}: {RATINGS[hazard.residual.rating]}",
        ]
        if hazard.justification:
            lines.append(f"- **Justification:** {hazard.justification}")
        lines.append("- **What remains for the site:**")
        lines += [f"  - {step}" for step in hazard.site]
    return "\n".join(lines) + "\n"


def render_table(hazards: Sequence[Hazard], runs: Mapping[str, Sequence[Case]]) -> str:
    """The hazard-to-test table `make safety` prints, with what each test came to."""
    rows = [("hazard", "residual", "control", "test", "result")]
    for hazard in hazards:
        residual = f"{hazard.residual.rating}{' open' if hazard.is_open else ''}"
        for number, control in enumerate(hazard.controls, start=1):
            label = f"C{number}" + (
                f" planned #{control.issue}" if control.status == PLANNED else ""
            )
            if not control.tests:
                rows.append((hazard.id, residual, label, "(to be built)", ""))
            for test in control.tests:
                found = outcomes(test, runs).by_run
                result = ", ".join(
                    f"{run} {'/'.join(sorted({outcome for outcome, _ in found[run]}))}"
                    for run in runs
                    if run in found
                )
                rows.append((hazard.id, residual, label, test, result or "not run"))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "\n".join(
        "  ".join(value.ljust(widths[i]) if i < 4 else value for i, value in enumerate(row))
        for row in rows
    )


# The command -------------------------------------------------------------------------------


def check(
    log: Path = LOG,
    page: Path = PAGE,
    results: Path | None = RESULTS,
    root: Path | None = None,
) -> tuple[list[Hazard], dict[str, list[Case]], list[str]]:
    """Every check: the log, its rendered page, and (unless `results` is None) the runs."""
    hazards, problems = parse_log(log.read_text(encoding="utf-8"))
    problems += check_log(hazards, root)
    if not page.is_file() or page.read_text(encoding="utf-8") != render_markdown(hazards):
        problems.append(
            f"{page.name} is out of date with {log.name}: run `make hazard-log` and commit it"
        )
    runs: dict[str, list[Case]] = {}
    if results is not None:
        runs = read_runs(results) if results.is_dir() else {}
        if not runs:
            problems.append(
                f"no test results in {results}: `make test` writes them (one JUnit file per "
                "database run) and then runs this check"
            )
        else:
            problems += check_runs(hazards, runs)
    return hazards, runs, problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.safety_case", description=__doc__)
    parser.add_argument("--log", type=Path, default=LOG)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--write", action="store_true", help="render hazard-log.md again")
    parser.add_argument("--static", action="store_true", help="do not read the test runs")
    options = parser.parse_args(argv)
    page = options.log.with_suffix(".md")
    try:
        if options.write:
            hazards, _ = parse_log(options.log.read_text(encoding="utf-8"))
            page.write_text(render_markdown(hazards), encoding="utf-8")
            print(f"Wrote {page}")
        hazards, runs, problems = check(
            options.log, page, None if options.static else options.results
        )
    except LogRefused as refusal:
        print(f"Safety case refused: {refusal}", file=sys.stderr)
        return 1
    print(render_table(hazards, runs))
    open_hazards = [hazard.id for hazard in hazards if hazard.is_open]
    print(
        f"\n{len(hazards)} hazards, "
        f"{sum(len(h.controls) for h in hazards)} controls, "
        f"{len({t for h in hazards for c in h.controls for t in c.tests})} tests named"
        + (f", runs read: {', '.join(runs)}" if runs else "")
    )
    if open_hazards:
        print(f"Open (controls still to be built, justified): {', '.join(open_hazards)}")
    if problems:
        print(f"\nThe safety case does not hold ({len(problems)} problems):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    if options.static:
        print("The hazard log holds (the test runs were not read: `make safety` reads them).")
    else:
        print("The safety case holds: every control is proved by a test that passed in this run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
