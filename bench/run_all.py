"""Run the benchmark suite end to end: `python -m bench.run_all` (what `make bench` does).

Per database (SQLite, then PostgreSQL): make a throwaway database and the bench site, time the
floor on it empty, after 1 year and after 5 years of generated history (history), then drive SiteSys
and the bare ceiling app under gunicorn with Locust on that 5-year database (load, which also reads
the workers' peak memory). Everything made is removed at the end, on failure too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS_DIR,
    ROOT,
    BenchDatabase,
    Keys,
    drop_leftover_databases,
    new_workdir,
    remove_workdir,
    set_up_site,
    write_results,
)
from bench.history_timing import FULL_YEAR, generate, retime_history, run_history

PARTS = ("history", "load")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help="comma-separated parts to run: history, load (default: both)",
    )
    parser.add_argument(
        "--db",
        default="sqlite,postgresql",
        help="comma-separated databases: sqlite, postgresql (default: both)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of the 1 and 5 years of history to generate (default 1: the full run)",
    )
    parser.add_argument("--visits-per-day", type=int, default=1000)
    parser.add_argument(
        "--duration", type=int, default=180, help="seconds of each floor phase (default 180)"
    )
    parser.add_argument("--repeats", type=int, default=25, help="timed runs per operation")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases; their URL and keys are written to bench/results/kept-<db>.json",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="run on the databases a --keep run left (no new history), then drop them",
    )
    return parser.parse_args(argv)


def run_backend(backend: str, args: argparse.Namespace, parts: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"backend": backend}
    kept = RESULTS_DIR / f"kept-{backend}.json"
    if args.reuse:
        saved = json.loads(kept.read_text())
        workdir = Path(saved["workdir"])
        database = BenchDatabase(backend, saved["url"], saved["name"], workdir)
        keys = Keys(saved["secret_key"], saved["client_code_key"])
        result["reused"] = saved.get("history")
    else:
        workdir = new_workdir()
        database = BenchDatabase.create(backend, workdir)
        keys = Keys()
    try:
        if not args.reuse:
            database.migrate()
        site = set_up_site(database.url)
        if args.reuse:
            if "history" in parts:
                result["history_retimed"] = retime_history(
                    database, keys, site, repeats=args.repeats
                )
        elif "history" in parts:
            result["history"] = run_history(
                database,
                keys,
                site,
                scale=args.scale,
                visits_per_day=args.visits_per_day,
                repeats=args.repeats,
            )
        elif "load" in parts:
            days = max(1, round(5 * FULL_YEAR * args.scale))
            result["history_for_load"] = generate(database, keys, days, args.visits_per_day)
        if "load" in parts:
            from bench.load import run_load

            result["load"] = run_load(database, keys, site, duration=args.duration)
        result["database_bytes"] = database.size_bytes()
    finally:
        if args.keep:
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_text(
                json.dumps(
                    {
                        "url": database.url,
                        "name": database.name,
                        "workdir": str(workdir),
                        "secret_key": keys.secret_key,
                        "client_code_key": keys.client_code_key,
                        "history": result.get("history"),
                    }
                )
            )
            print(f"[bench] kept {backend} database: {database.url}", flush=True)
        else:
            if args.reuse:
                kept.unlink(missing_ok=True)  # its database is dropped now
            with contextlib.suppress(Exception):
                database.drop()
            remove_workdir(workdir)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        print(f"Unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}.")
        return 2
    backends = [name.strip() for name in args.db.split(",") if name.strip()]
    if "postgresql" in backends and not args.reuse and not args.keep:
        with contextlib.suppress(Exception):
            for name in drop_leftover_databases():
                print(f"[bench] dropped a leftover database: {name}")
    instance = ROOT / "instance"
    had_instance = instance.exists()
    started = datetime.now(UTC)
    results: dict[str, Any] = {
        "started_at": started.isoformat(),
        "arguments": vars(args),
        "backends": {},
    }
    failed = False
    for backend in backends:
        print(f"[bench] === {backend} ===", flush=True)
        try:
            results["backends"][backend] = run_backend(backend, args, parts)
        except Exception:
            failed = True
            traceback.print_exc()
            results["backends"][backend] = {"error": traceback.format_exc()}
    results["finished_at"] = datetime.now(UTC).isoformat()
    if not had_instance and instance.is_dir() and not any(instance.iterdir()):
        instance.rmdir()  # made empty by the generate-history subprocesses' configuration
    path = write_results("bench", results)
    print(json.dumps(summary(results), indent=2))
    print(f"[bench] results written to {path}")
    return 1 if failed else 0


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of every part that ran."""
    out: dict[str, Any] = {}
    for backend, result in results["backends"].items():
        if "error" in result:
            out[backend] = "failed (see above)"
            continue
        lines: dict[str, Any] = {}
        if "history" in result:
            lines["history ratio 5y/empty"] = result["history"]["ratio_5y_over_empty"]
            if "alternating" in result["history"]:
                lines["history ratio 5y/empty, alternating"] = result["history"]["alternating"][
                    "ratio_history_over_empty"
                ]
        if "history_retimed" in result:
            lines["history ratio (retimed)"] = result["history_retimed"]["ratio_history_over_empty"]
        if "load" in result:
            lines["load"] = result["load"].get("summary")
        out[backend] = lines
    return out


if __name__ == "__main__":
    sys.exit(main())
