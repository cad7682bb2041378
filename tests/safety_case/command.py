"""`make safety`: every check, the table, and the exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.safety_case.log import LOG, PAGE, RESULTS, Hazard, LogRefused, check_log, parse_log
from tests.safety_case.page import render_markdown, render_table
from tests.safety_case.runs import Case, check_runs, read_runs


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
    parser = argparse.ArgumentParser(
        prog="python -m tests.safety_case",
        description=sys.modules[__package__ or "tests.safety_case"].__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
