"""The emergency screen on a busy floor: a naloxone tap's round trip (the POST and the swapped log
and totals), timed under gunicorn while 20 tablets poll the board (two of them wall-board
displays), the desk checks a client in every 3 s and four nurses do their rounds.

    python -m bench.emergency --db sqlite --duration 120 [--days 90]

It runs the load benchmark's "floor, busy desk" phase alone (bench/load.py) on a new database
with DAYS of generated history at 1,000 visits a day, prints the tap's p50 and p95 beside the
board, the displays and the check-in of the same minutes, and writes
bench/results/emergency-<db>-*.json. The issue's target: the tap's p95 under 150 ms.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bench.common import (
    BenchDatabase,
    Keys,
    new_workdir,
    remove_workdir,
    set_up_site,
    write_results,
)
from bench.history_timing import generate
from bench.load import run_load


def run(backend: str, duration: int, days: int) -> dict[str, Any]:
    workdir = new_workdir()
    database = BenchDatabase.create(backend, workdir)
    keys = Keys()
    try:
        database.migrate()
        site = set_up_site(database.url)
        generated = generate(database, keys, days, 1000) if days else {}
        load = run_load(database, keys, site, duration=duration, busy_desk_only=True)
    finally:
        database.drop()
        remove_workdir(workdir)
    return {
        "backend": backend,
        "duration": duration,
        "history_days": days,
        "history": generated,
        "summary": load["summary"],
        "phase": load["phases"]["floor, busy desk"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--duration", type=int, default=120, help="seconds of the busy floor")
    parser.add_argument("--days", type=int, default=90, help="days of history beforehand")
    arguments = parser.parse_args()
    result = run(arguments.db, arguments.duration, arguments.days)
    print(json.dumps(result["summary"], indent=2))
    print("written to", write_results(f"emergency-{arguments.db}", result))


if __name__ == "__main__":
    main()
