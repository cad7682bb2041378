"""The hazard log rendered for people: the committed page, and the table `make safety` prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tests.safety_case.log import (
    ACCEPTABLE,
    LIKELIHOODS,
    MATRIX,
    PLANNED,
    RATINGS,
    SEVERITIES,
    Hazard,
)
from tests.safety_case.runs import Case, outcomes


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
