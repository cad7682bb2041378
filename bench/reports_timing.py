"""Reports on years of history: a month's report for one site, timed in process after 1 and then
5 years of generated history at 1,000 visits a day, and the ratio 5 years / 1 year.

    python -m bench.reports_timing --db sqlite [--scale 0.2] [--repeats 15]

`--scale` shrinks both stages alike (0.2: about 73 and 365 days), for a routine run. The two
databases are built side by side and timed in alternating rounds (the median of the rounds'
medians), so that a slow minute of the shared machine falls on both. Each timed
request is the whole page (`GET /reports/?period=month…`: every figure, the charts and the
twelve-month trend), through the Flask test client as a signed-in manager; the median of the
warm runs is reported. Results are printed and written to bench/results/reports-*.json.

Building years of history takes most of an hour on two cores, so the two halves can run apart:
`--build-only FILE` builds the databases (and keeps their days) and writes what it built to
FILE; `--time-built FILE`, later and on a quiet machine, migrates them to head, times them with
the code as it is then, and drops them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select, text

from bench.common import (
    ROOT,
    BenchDatabase,
    BenchSite,
    Keys,
    median,
    new_workdir,
    percentile,
    remove_workdir,
    set_up_site,
    write_results,
)
from bench.history_timing import FULL_YEAR, _client, generate, make_app
from sitesys.auth.models import Staff
from sitesys.checkin.models import Visit
from sitesys.clock import local_date, utcnow
from sitesys.db import get_database
from sitesys.reports.daily import rebuild
from sitesys.reports.models import AggregatedDay, DailyFigure
from sitesys.reports.periods import last_full_month
from sitesys.sites.models import Site


def time_report(
    app: Flask, client: Any, site_id: int, repeats: int, warm_up: int = 2
) -> dict[str, Any]:
    month = last_full_month(local_date(utcnow(), ZoneInfo("Europe/London")))
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


def keep_days(app: Flask, site_id: int) -> float:
    """Keep every day of the history, as the report_figures job would have (timed)."""
    started = time.perf_counter()
    with app.app_context(), get_database(app).new_session(write=True) as session:
        site = session.get(Site, site_id)
        assert site is not None
        earliest = session.scalar(
            select(func.min(Visit.checked_in_at)).where(Visit.site_id == site_id)
        )
        assert earliest is not None
        rebuild(session, site, local_date(earliest, site.zone), local_date(utcnow(), site.zone))
        session.commit()
    analyse_kept(app)
    return round(time.perf_counter() - started, 1)


def analyse_kept(app: Flask) -> None:
    """What autovacuum does shortly after the kept days are written, as the generator does for
    its tables (bench/history/writer.py): statistics for PostgreSQL's planner.
    """
    engine = get_database(app).engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        for table in (DailyFigure.__tablename__, AggregatedDay.__tablename__):
            connection.execute(text(f'ANALYZE "{table}"'))
        connection.commit()


#: Rounds of timing, alternating the 1-year and the 5-year database.
ROUNDS = 3


def build(backend: str, scale: float, visits_per_day: int) -> dict[str, Any]:
    """The 1-year and the 5-year database, generated and every day kept."""
    one_year = max(31, round(FULL_YEAR * scale))
    built: dict[str, Any] = {"backend": backend, "scale": scale, "visits_per_day": visits_per_day}
    stages: list[dict[str, Any]] = []
    built["stages"] = stages
    try:
        for label, days in (("1 year", one_year), ("5 years", 5 * one_year)):
            workdir = new_workdir()
            database = BenchDatabase.create(backend, workdir)
            keys = Keys()
            stages.append({"label": label, "database": _saved(database), "keys": asdict(keys)})
            database.migrate()
            site = set_up_site(database.url)
            generated = generate(database, keys, days, visits_per_day)
            generated["keep_seconds"] = keep_days(make_app(database.url, keys), site.site_id)
            stages[-1].update(site=asdict(site), generated=generated)
            print(f"{backend} {label}: generated {days} days", flush=True)
    except BaseException:
        drop(built)
        raise
    return built


def _saved(database: BenchDatabase) -> dict[str, str]:
    return {
        "backend": database.backend,
        "url": database.url,
        "name": database.name,
        "workdir": str(database.workdir),
    }


def _database(saved: dict[str, str]) -> BenchDatabase:
    return BenchDatabase(saved["backend"], saved["url"], saved["name"], Path(saved["workdir"]))


def drop(built: dict[str, Any]) -> None:
    """Drop what `build` or `build_network` made."""
    made = [built["network"]] if "network" in built else built["stages"]
    for each in made:
        database = _database(each["database"])
        database.drop()
        remove_workdir(database.workdir)


def time_built(built: dict[str, Any], repeats: int) -> dict[str, Any]:
    """Time the month's report on each built database in alternating rounds, so that a slow
    minute of the shared machine falls on both sides; the code timed is the code as it is now.
    """
    apps = {}
    for stage in built["stages"]:
        database = _database(stage["database"])
        database.migrate()
        app = make_app(database.url, Keys(**stage["keys"]))
        analyse_kept(app)
        site = BenchSite(**stage["site"])
        apps[stage["label"]] = (app, _client(app, site, "manager"), site)
    rounds: dict[str, list[dict[str, Any]]] = {label: [] for label in apps}
    for number in range(ROUNDS):
        for label, (app, client, site) in apps.items():
            timed = time_report(app, client, site.site_id, repeats)
            rounds[label].append(timed)
            print(f"{built['backend']} round {number + 1} {label}: {timed}", flush=True)
    report = {
        stage["label"]: {
            "generated": stage["generated"],
            "report": {
                "median_ms": round(median([r["median_ms"] for r in rounds[stage["label"]]]), 1),
                "p90_ms": round(median([r["p90_ms"] for r in rounds[stage["label"]]]), 1),
                "rounds": [r["median_ms"] for r in rounds[stage["label"]]],
                "runs_per_round": repeats,
            },
        }
        for stage in built["stages"]
    }
    ratio = report["5 years"]["report"]["median_ms"] / report["1 year"]["report"]["median_ms"]
    return {
        "backend": built["backend"],
        "scale": built["scale"],
        "visits_per_day": built["visits_per_day"],
        "stages": report,
        "ratio_5y_1y": round(ratio, 2),
    }


def run(
    backend: str, scale: float, repeats: int, visits_per_day: int, wait_for: Path | None = None
) -> dict[str, Any]:
    """Build a 1-year and a 5-year database side by side, then time them (`time_built`)."""
    built = build(backend, scale, visits_per_day)
    try:
        _wait_for(wait_for, f"{backend}: both databases built")
        return time_built(built, repeats)
    finally:
        drop(built)


def _wait_for(path: Path | None, built: str) -> None:
    """Built while the machine was busy: timed once it is quiet (the file appears)."""
    if path is None:
        return
    print(f"{built}; timing when {path} exists", flush=True)
    while not path.exists():
        time.sleep(5)


def build_network(backend: str, sites: int, days: int, visits_per_day: int) -> dict[str, Any]:
    """SITES sites of DAYS days each, every day kept, all given to the bench manager."""
    workdir = new_workdir()
    database = BenchDatabase.create(backend, workdir)
    keys = Keys()
    built: dict[str, Any] = {
        "backend": backend,
        "sites": sites,
        "days": days,
        "visits_per_day": visits_per_day,
        "network": {"database": _saved(database), "keys": asdict(keys)},
    }
    try:
        database.migrate()
        bench = set_up_site(database.url)
        app = make_app(database.url, keys)
        started = time.perf_counter()
        environment = {
            **os.environ,
            "SITESYS_ENV": "test",
            "SITESYS_SECRET_KEY": keys.secret_key,
            "SITESYS_CLIENT_CODE_KEY": keys.client_code_key,
            "DATABASE_URL": database.url,
        }
        subprocess.run(
            [sys.executable, "-m", "bench.history", "--days", str(days), "--visits-per-day",
             str(visits_per_day), "--site", "Network", "--sites", str(sites), "--seed", "2026",
             "--quiet"],
            cwd=ROOT, env=environment, check=True, capture_output=True,
        )  # fmt: skip
        generated = round(time.perf_counter() - started, 1)
        with app.app_context(), get_database(app).new_session(write=True) as session:
            manager = session.get(Staff, bench.manager_id)
            assert manager is not None
            network = list(session.scalars(select(Site).where(Site.name.like("Network %"))))
            manager.sites = [*manager.sites, *network]
            session.commit()
            ids = [site.id for site in network]
        keep = sum(keep_days(app, site_id) for site_id in ids)
    except BaseException:
        drop(built)
        raise
    built["network"].update(site=asdict(bench), generate_seconds=generated, keep_seconds=keep)
    return built


def time_network(built: dict[str, Any], repeats: int) -> dict[str, Any]:
    """The custom period of the last 365 days, all the network's sites side by side."""
    network = built["network"]
    database = _database(network["database"])
    database.migrate()
    app = make_app(database.url, Keys(**network["keys"]))
    analyse_kept(app)
    client = _client(app, BenchSite(**network["site"]), "manager")
    today = local_date(utcnow(), ZoneInfo("Europe/London"))
    first, last = today - timedelta(days=365), today - timedelta(days=1)
    path = f"/reports/?period=custom&date_from={first}&date_to={last}&site=all"
    timings = []
    for attempt in range(2 + repeats):
        begun = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        if attempt >= 2:
            timings.append((time.perf_counter() - begun) * 1000)
    return {
        "backend": built["backend"],
        "sites": built["sites"],
        "days": built["days"],
        "visits_per_day": built["visits_per_day"],
        "generate_seconds": network["generate_seconds"],
        "keep_seconds": network["keep_seconds"],
        "report": {
            "median_ms": round(median(timings), 1),
            "p90_ms": round(percentile(timings, 0.9), 1),
            "runs": repeats,
            "period": f"{first} to {last}",
        },
    }


def run_network(
    backend: str,
    sites: int,
    days: int,
    repeats: int,
    visits_per_day: int,
    wait_for: Path | None = None,
) -> dict[str, Any]:
    """A year's report across a network: SITES sites of DAYS days each, all side by side."""
    built = build_network(backend, sites, days, visits_per_day)
    try:
        _wait_for(wait_for, f"{backend}: the network is built")
        return time_network(built, repeats)
    finally:
        drop(built)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--visits-per-day", type=int, default=1000)
    parser.add_argument("--network", type=int, default=0, help="Time a year across N sites.")
    parser.add_argument(
        "--wait-for",
        type=Path,
        default=None,
        help="build the databases, then time them only once this file exists",
    )
    parser.add_argument("--days", type=int, default=FULL_YEAR, help="Days per network site.")
    parser.add_argument(
        "--build-only", type=Path, default=None, help="build the databases, write them to FILE"
    )
    parser.add_argument(
        "--time-built", type=Path, default=None, help="time and drop the databases FILE names"
    )
    parser.add_argument(
        "--keep-built", action="store_true", help="with --time-built: keep the databases after"
    )
    arguments = parser.parse_args()
    if arguments.build_only:
        if arguments.network:
            built = build_network(
                arguments.db, arguments.network, arguments.days, arguments.visits_per_day
            )
        else:
            built = build(arguments.db, arguments.scale, arguments.visits_per_day)
        arguments.build_only.write_text(json.dumps(built, indent=2))
        print("built; time them with --time-built", arguments.build_only)
        return
    if arguments.time_built:
        built = json.loads(arguments.time_built.read_text())
        try:
            if "network" in built:
                network = time_network(built, arguments.repeats)
                print(network)
                name = f"reports-network-{network['backend']}"
                print("written to", write_results(name, network))
                return
            result = time_built(built, arguments.repeats)
        finally:
            if not arguments.keep_built:
                drop(built)
        print(result["backend"], "ratio 5y/1y:", result["ratio_5y_1y"])
        print("written to", write_results(f"reports-{result['backend']}", result))
        return
    if arguments.network:
        network = run_network(
            arguments.db, arguments.network, arguments.days, arguments.repeats,
            arguments.visits_per_day, arguments.wait_for,
        )  # fmt: skip
        print(network)
        print("written to", write_results(f"reports-network-{arguments.db}", network))
        return
    result = run(
        arguments.db,
        arguments.scale,
        arguments.repeats,
        arguments.visits_per_day,
        arguments.wait_for,
    )
    print(result["backend"], "ratio 5y/1y:", result["ratio_5y_1y"])
    print("written to", write_results(f"reports-{arguments.db}", result))


if __name__ == "__main__":
    main()
