"""The clinical safety case, checked: every hazard has a control, every control a test that ran.

`docs/clinical-safety/hazard-log.yaml` is the hazard log (DCB0129). This package reads it, refuses
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

from tests.safety_case.command import check, main
from tests.safety_case.log import (
    ACCEPTABLE,
    LOG,
    MATRIX,
    PAGE,
    RATINGS,
    RESULTS,
    ROOT,
    Control,
    Hazard,
    LogRefused,
    Risk,
    check_log,
    missing_test,
    parse_log,
)
from tests.safety_case.page import render_markdown, render_table
from tests.safety_case.runs import Case, check_runs, read_runs, run_problem

__all__ = [
    "ACCEPTABLE",
    "LOG",
    "MATRIX",
    "PAGE",
    "RATINGS",
    "RESULTS",
    "ROOT",
    "Case",
    "Control",
    "Hazard",
    "LogRefused",
    "Risk",
    "check",
    "check_log",
    "check_runs",
    "main",
    "missing_test",
    "parse_log",
    "read_runs",
    "render_markdown",
    "render_table",
    "run_problem",
]
