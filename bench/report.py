"""Markdown tables of a results file, for bench/README.md: `python -m bench.report [FILE ...]`.

With several files (a history run and a load run, say) their databases' results are merged.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR


def _merge(paths: list[Path]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for path in paths:
        for backend, result in json.loads(path.read_text())["backends"].items():
            merged.setdefault(backend, {}).update(result)
    return merged


def history_table(backend: str, history: dict[str, Any]) -> list[str]:
    stages = history["stages"]
    names = list(stages[0]["timings"])
    runs = stages[0]["timings"][names[0]]["runs"]
    lines = [
        f"**{backend}** — median ms of {runs} warm in-process runs",
        "",
        "| operation | " + " | ".join(f"{s['years']} y" for s in stages) + " | 5 y / empty |",
        "|---|" + "---:|" * (len(stages) + 1),
    ]
    for name in names:
        cells = [f"{s['timings'][name]['median_ms']:.1f}" for s in stages]
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {history['ratio_5y_over_empty'][name]} |"
        )
    alternating = history.get("alternating")
    if alternating:
        lines.append("")
        lines.append(
            f"5 y / empty in {alternating['rounds']} alternating rounds: "
            + json.dumps(alternating["ratio_history_over_empty"])
        )
    lines.append("")
    for stage in stages:
        generated = stage.get("generated")
        size = stage["database_bytes"] / 2**30
        text = (
            f"- {stage['years']} y: {stage['totals']['visits']:,} visits, "
            f"{stage['totals']['observations']:,} observations, database {size:.1f} GiB"
        )
        if generated:
            rows = sum(generated["rows"].get(k, 0) for k in generated["rows"] if k != "total rows")
            text += (
                f"; generated {rows:,} rows in {generated['generator_seconds']:.0f} s "
                f"({generated['rows_per_second']:,} rows/s)"
            )
        lines.append(text)
    return lines


def load_table(backend: str, load: dict[str, Any]) -> list[str]:
    lines = [f"**{backend}** — {load['duration']} s per floor phase", ""]
    for phase, found in load["phases"].items():
        lines += [
            f"*{phase}* ({found['seconds']} s, users {found['users']})",
            "",
            "| request | n | req/s | fail | p50 ms | p95 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in found["requests"].items():
            lines.append(
                f"| {name} | {row['requests']} | {row['per_second']} | {row['failures']} | "
                f"{row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |"
            )
        lines.append("")
    memory = load["memory"]
    lines.append(
        f"Worker peak RSS: {memory['worker_peak_rss_mb']} MB over {memory['workers_seen']} "
        f"workers (ceiling app: {load['ceiling_memory']['worker_peak_rss_mb']} MB)."
    )
    lines.append("")
    lines.append("Summary: " + json.dumps(load["summary"]))
    return lines


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or [RESULTS_DIR / "bench-latest.json"]
    for backend, result in _merge(paths).items():
        if "history" in result:
            print("\n".join(history_table(backend, result["history"])) + "\n")
        if "history_retimed" in result:
            retimed = result["history_retimed"]
            print(f"**{backend}** retimed: {json.dumps(retimed['ratio_history_over_empty'])}")
            print(json.dumps({"empty": retimed["empty"], "history": retimed["with_history"]}))
            print()
        if "load" in result:
            print("\n".join(load_table(backend, result["load"])) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
