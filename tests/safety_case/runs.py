"""What each test named in the log came to in the runs of `make test` (JUnit XML per database)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.safety_case.log import Hazard, NodeId, Outcomes, _text


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
