"""The safety-case checker refuses each kind of defect with a message that says what to fix, and
the repository's own hazard log passes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import safety_case
from tests.safety_case import (
    LogRefused,
    check,
    check_log,
    check_runs,
    main,
    parse_log,
    read_runs,
    render_markdown,
)

TEST_FILE = """
def test_scores():
    pass

def test_bands():
    pass

class TestBoard:
    def test_tile(self):
        pass
"""


def hazard(**changes: str) -> str:
    """One hazard in YAML, with fields replaced or removed (a value of "" removes the field)."""
    fields = {
        "id": "HAZ-001",
        "title": "A wrong score",
        "what": "The score is wrong.",
        "causes": "[A band written wrongly.]",
        "harm": "A client not escalated.",
        "initial": "{severity: major, likelihood: medium}",
        "controls": (
            "\n    - control: Bands tested.\n      tests: [tests/test_demo.py::test_scores]"
        ),
        "residual": "{severity: major, likelihood: very low}",
        "site": "[Train staff.]",
    }
    fields.update(changes)
    lines = [f"{key}: {value}" for key, value in fields.items() if value != ""]
    return "  - " + "\n    ".join(lines) + "\n"


def log(*hazards: str) -> str:
    return "hazards:\n" + "".join(hazards or (hazard(),))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_demo.py").write_text(TEST_FILE)
    return tmp_path


def problems_of(source: str, root: Path) -> list[str]:
    hazards, problems = parse_log(source)
    return problems + check_log(hazards, root)


def junit(path: Path, *cases: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        + "".join(cases)
        + "</testsuite></testsuites>"
    )


def case(name: str, classname: str = "tests.test_demo", inside: str = "") -> str:
    return f'<testcase classname="{classname}" name="{name}" time="0.1">{inside}</testcase>'


SKIPPED = '<skipped type="pytest.skip" message="Chromium not found at /usr/bin/chromium"/>'
FAILED = '<failure message="assert 3 == 2">trace</failure>'


def test_a_sound_log_has_no_problems(project):
    assert problems_of(log(), project) == []


def test_a_hazard_without_a_control_is_refused(project):
    assert problems_of(log(hazard(controls="[]")), project) == [
        "HAZ-001: the hazard has no control"
    ]


def test_a_control_naming_no_test_is_refused(project):
    source = log(hazard(controls="\n    - control: Bands tested."))
    assert problems_of(source, project) == ["HAZ-001 control 1: the control names no test"]


@pytest.mark.parametrize(
    ("test", "message"),
    [
        (
            "tests/test_demo.py::test_gone",
            "HAZ-001 control 1: tests/test_demo.py::test_gone: tests/test_demo.py has no test "
            "test_gone",
        ),
        (
            "tests/test_missing.py::test_scores",
            "HAZ-001 control 1: tests/test_missing.py::test_scores: there is no file "
            "tests/test_missing.py",
        ),
        (
            "test_scores",
            "HAZ-001 control 1: 'test_scores' is not a pytest node id (tests/<file>.py::<test>)",
        ),
    ],
)
def test_a_named_test_that_does_not_exist_is_refused(project, test, message):
    source = log(hazard(controls=f"\n    - control: Bands tested.\n      tests: [{test}]"))
    assert problems_of(source, project) == [message]


def test_tests_in_classes_and_with_parameters_are_found(project):
    tests = "[tests/test_demo.py::TestBoard::test_tile, 'tests/test_demo.py::test_bands[low]']"
    source = log(hazard(controls=f"\n    - control: Tiles.\n      tests: {tests}"))
    assert problems_of(source, project) == []


def test_a_residual_risk_above_acceptable_needs_a_justification(project):
    source = log(hazard(residual="{severity: major, likelihood: low}"))
    assert problems_of(source, project) == [
        "HAZ-001: the residual risk 3 (undesirable) is above acceptable and no justification "
        "is recorded"
    ]
    justified = log(
        hazard(
            residual="{severity: major, likelihood: low}",
            justification="Staffing carries the rest.",
        )
    )
    assert problems_of(justified, project) == []


def test_a_planned_control_needs_its_issue_and_a_justified_residual_risk(project):
    planned = (
        "\n    - control: Bands tested.\n      tests: [tests/test_demo.py::test_scores]"
        "\n    - control: An alarm sound.\n      status: planned"
    )
    assert problems_of(log(hazard(controls=planned)), project) == [
        "HAZ-001 control 2: a planned control names the issue that builds it",
        "HAZ-001 control 2: the control is still planned (issue None) and the hazard's "
        "residual risk carries no justification",
    ]
    justified = log(
        hazard(controls=planned + "\n      issue: 17", justification="Until issue 17 lands.")
    )
    hazards, problems = parse_log(justified)
    assert problems + check_log(hazards, project) == []
    assert hazards[0].is_open
    page = render_markdown(hazards)
    assert (
        "| [HAZ-001](#haz-001) | A wrong score | 3 | 2 | **open**: controls still to be built |"
        in page
    )
    assert "2. **Planned (issue 17).** An alarm sound." in page


def test_a_residual_risk_above_the_initial_one_is_refused(project):
    source = log(hazard(residual="{severity: catastrophic, likelihood: high}", justification="x"))
    assert problems_of(source, project) == [
        "HAZ-001: the residual risk (catastrophic × high = 5) is above the initial risk "
        "(major × medium = 3)"
    ]


def test_words_off_the_matrix_and_missing_fields_are_named(project):
    source = log(
        hazard(initial="{severity: deadly, likelihood: medium}", harm="", site=""),
        hazard(id="HAZ-1", residual="{severity: major, likelihood: rare}"),
        hazard(),
    )
    assert problems_of(source, project) == [
        "HAZ-001: 'harm' is missing",
        "HAZ-001: say what remains for the site to do ('site')",
        "HAZ-001 initial risk: severity 'deadly' is not one of minor, significant, "
        "considerable, major, catastrophic",
        "HAZ-1 residual risk: likelihood 'rare' is not one of very low, low, medium, high, "
        "very high",
    ]


def test_ids_are_checked_for_form_and_repetition(project):
    assert problems_of(log(hazard(id="H1"), hazard(), hazard()), project) == [
        "H1: a hazard id is HAZ- and three digits (HAZ-001)",
        "HAZ-001: the id is used twice",
    ]


@pytest.mark.parametrize("source", ["hazards: [unclosed", "- just a list", "hazards: none"])
def test_a_file_that_is_not_a_hazard_log_is_refused_whole(source):
    with pytest.raises(LogRefused):
        parse_log(source)


def test_a_named_test_must_pass_in_the_runs_and_be_skipped_in_none(project, tmp_path):
    hazards, _ = parse_log(
        log(
            hazard(
                controls="\n    - control: All.\n      tests: [tests/test_demo.py::test_scores, "
                "tests/test_demo.py::test_bands, tests/test_demo.py::TestBoard::test_tile]"
            )
        )
    )
    results = tmp_path / "results"
    junit(
        results / "sqlite.xml",
        case("test_scores"),
        case("test_bands[low]"),
        case("test_bands[high]", inside=SKIPPED),
        case("test_tile", classname="tests.test_demo.TestBoard"),
    )
    junit(
        results / "postgresql.xml",
        case("test_scores", inside=FAILED),
        case("test_bands[low]"),
        case("test_bands[high]"),
    )
    assert check_runs(hazards, read_runs(results)) == [
        "HAZ-001 control 1: tests/test_demo.py::test_scores failed in the postgresql run",
        "HAZ-001 control 1: tests/test_demo.py::test_bands was skipped in the sqlite run: "
        "Chromium not found at /usr/bin/chromium",
    ]


def test_a_test_deselected_in_every_run_proves_nothing_but_one_backends_run_is_enough(
    project, tmp_path
):
    hazards, _ = parse_log(log())
    results = tmp_path / "results"
    junit(results / "sqlite.xml", case("test_bands"))
    junit(results / "postgresql.xml", case("test_bands"))
    assert check_runs(hazards, read_runs(results)) == [
        "HAZ-001 control 1: tests/test_demo.py::test_scores did not run in any of the runs "
        "(postgresql, sqlite): deselected or left out"
    ]
    # Marked for PostgreSQL: deselected on SQLite, passed on PostgreSQL.
    junit(results / "postgresql.xml", case("test_scores"))
    assert check_runs(hazards, read_runs(results)) == []


def test_the_command_fails_on_an_out_of_date_page_or_no_results_and_passes_once_both_are_right(
    project, tmp_path, capsys
):
    source = project / "hazard-log.yaml"
    source.write_text(log())
    page = project / "hazard-log.md"
    results = tmp_path / "results"
    hazards, _, problems = check(source, page, results, project)
    assert problems == [
        "hazard-log.md is out of date with hazard-log.yaml: run `make hazard-log` and commit it",
        f"no test results in {results}: `make test` writes them (one JUnit file per database "
        "run) and then runs this check",
    ]
    page.write_text(render_markdown(hazards))
    junit(results / "sqlite.xml", case("test_scores"))
    assert check(source, page, results, project)[2] == []

    page.write_text(render_markdown(hazards).replace("A wrong score", "A wrong scor"))
    assert main(["--log", str(source), "--results", str(results)]) == 1
    assert "hazard-log.md is out of date" in capsys.readouterr().err


def test_the_command_prints_the_hazard_to_test_table(project, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(safety_case.log, "ROOT", project)
    source = project / "hazard-log.yaml"
    source.write_text(log())
    results = tmp_path / "results"
    junit(results / "sqlite.xml", case("test_scores"))
    assert main(["--log", str(source), "--results", str(results), "--write"]) == 0
    out = capsys.readouterr().out
    assert "HAZ-001  2         C1       tests/test_demo.py::test_scores  sqlite passed" in out
    assert "The safety case holds" in out


def test_the_repositorys_hazard_log_holds_and_its_page_is_current():
    """The runs are read by `make safety` after the suite; here, everything else."""
    hazards, _, problems = check(results=None)
    assert problems == []
    titles = " ".join(hazard.title.lower() for hazard in hazards)
    for hazard_named_in_issue_18 in (
        "missed or late observation",
        "overdue check not shown",
        "wrong news2 score",
        "partial set",
        "red flag",
        "response action lost or duplicated",
        "wrong client",
        "naloxone total",
        "transferred client",
        "handover that omits",
        "restriction or safety flag",
        "drug alert",
        "save conflict",
        "changed after submission",
        "wrong site or role",
        "re-identified",
        "unavailable during a response",
        "clock or time zone",
        "scheduler dead",
    ):
        assert hazard_named_in_issue_18 in titles


def test_the_safety_case_report_lists_every_hazard_with_the_logs_ratings():
    hazards, _ = parse_log(safety_case.LOG.read_text(encoding="utf-8"))
    report = (safety_case.LOG.parent / "safety-case.md").read_text(encoding="utf-8")
    listed = {
        cells[0]: (int(cells[2]), int(cells[3]), cells[4].startswith("open"))
        for line in report.splitlines()
        if line.startswith("| HAZ-")
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
    }
    assert listed == {
        hazard.id: (hazard.initial.rating, hazard.residual.rating, hazard.is_open)
        for hazard in hazards
    }
