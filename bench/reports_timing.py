"""Reports on years of history: a month's report for one site, timed in process after 1 and then
5 years of generated history at 1,000 visits a day, and the ratio 5 years / 1 year.

    python -m bench.reports_timing --db sqlite [--scale 0.2] [--repeats 15]

`--scale` shrinks both stages alike (0.2: about 73 and 365 days), for a routine run. Each timed
request is the whole page (`GET /reports/?period=month…`: every figure, the charts and the
twelve-month trend), through the Flask test client as a signed-in manager; the median of the
warm runs is reported. Results are printed and written to bench/results/reports-*.json.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from bench.common import (
    BenchDatabase,
    Keys,
    median,
    new_workdir,
    percentile,
    remove_workdir,
    set_up_site,
    write_results,
)
from bench.history_timing import FULL_YEAR, _client, generate, make_app
from sitesys.clock import local_date, utcnow
from sitesys.reports.periods import last_full_month


def time_report(
    app: Flask, client: Any, site_id: int, repeats: int, warm_up: int = 2
) -> dict[str, float]:
    month = last_full_month(local_date(utcnow(), ZoneInfo("Europe/London")) - timedelta(days=1))
    path = f"/reports/?period=month&month={month.first:%Y-%m}&site={site_id}"
    timings = []
    for attempt in range(warm_up + repeats):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if attempt >= warm_up:
            timings.append(elapsed)
    return {
        "median_ms": round(median(timings), 1),
        "p90_ms": round(percentile(timings, 0.9), 1),
        "runs": repeats,
        "month": month.label,
    }


def run(backend: str, scale: float, repeats: int, visits_per_day: int) -> dict[str, Any]:
    workdir = new_workdir()
    database = BenchDatabase.create(backend, workdir)
    keys = Keys()
    stages: dict[str, Any] = {}
    try:
        database.migrate()
        site = set_up_site(database.url)
        app = make_app(database.url, keys)
        one_year = max(31, round(FULL_YEAR * scale))
        for label, days in (("1 year", one_year), ("5 years", 4 * one_year)):
            generated = generate(database, keys, days, visits_per_day)
            client = _client(app, site, "manager")
            stages[label] = {
                "generated": generated,
                "report": time_report(app, client, site.site_id, repeats),
            }
            print(f"{backend} {label}: {stages[label]['report']}", flush=True)
    finally:
        database.drop()
        remove_workdir(workdir)
    ratio = stages["5 years"]["report"]["median_ms"] / stages["1 year"]["report"]["median_ms"]
    return {
        "backend": backend,
        "scale": scale,
        "visits_per_day": visits_per_day,
        "stages": stages,
        "ratio_5y_1y": round(ratio, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--visits-per-day", type=int, default=1000)
    arguments = parser.parse_args()
    result = run(arguments.db, arguments.scale, arguments.repeats, arguments.visits_per_day)
    print(result["backend"], "ratio 5y/1y:", result["ratio_5y_1y"])
    print("written to", write_results(f"reports-{arguments.db}", result))


if __name__ == "__main__":
    main()
