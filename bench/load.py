"""The floor under load, and the ceiling, on one database, in one run.

SiteSys runs under gunicorn (gthread, 2 workers x 4 threads, SITESYS_ENV=production) and Locust
drives it headless from its own process:

- floor: 20 tablets polling /board/partial every 3 s, the desk checking a client in every 30 s
  (a regular or a new client looked up by code and confirmed, or a walk-in), 4 nurses each doing a
  round every 15 s (read the board, open a tile, record a quick check or a full set, move clients
  to a booth, to aftercare and out, mark booths clean);
- floor x10: the same at ten times the rate (200 tablets, 10 desks, 40 nurses);
- saturation: as many board reads, then walk-in check-ins, as the server takes.

Then the bare ceiling app (bench/ceiling_app.py) is served the same way on the same database and
saturated the same way; SiteSys's throughput is reported as a share of it. Peak worker memory is
watched all through the SiteSys run (workers are recycled after max_requests).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bench.common import (
    ROOT,
    BenchDatabase,
    BenchSite,
    Keys,
    median,
    mint_sessions,
    pair_displays,
    percentile,
)
from bench.history.clients import synthetic_code
from bench.history_timing import build_scene, make_app
from bench.server import Gunicorn
from config import Config
from sitesys import create_app
from sitesys.board.views.displays import TOKEN_KEY as DISPLAY_TOKEN_KEY
from sitesys.checkin.models import OPEN_STATUSES, Visit, VisitStatus
from sitesys.clock import utcnow
from sitesys.db import get_database, make_engine
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident
from sitesys.sites.models import Booth, BoothKind, BoothStatus

FLOOR = {"tablet": 20, "desk": 1, "nurse": 4}
#: The floor with the desk checking a client in every 3 s instead of 30 s: the floor phase
#: holds a check-in every 30 s, too few for a p95, so check-in latency is read here. A nurse on
#: the emergency screen taps naloxone through it (the tap's round trip is timed here too).
#: Of its 20 tablets polling the board, two are wall-board displays (paired, no one signed in).
BUSY_DESK = {"tablet": 18, "display": 2, "busy_desk": 1, "nurse": 4, "responder": 1}
SATURATING_USERS = 16
COOKIE_NAME = "__Host-sitesys"


def _display_cookies(app: Flask, tokens: list[str]) -> list[str]:
    """Signed session cookies of paired wall-board displays, as the pairing page leaves them."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return [serializer.dumps({DISPLAY_TOKEN_KEY: token}) for token in tokens]


def _cookies(app: Flask, tokens: list[str]) -> list[str]:
    """Signed session cookies holding a sign-in token and a CSRF seed, as a browser would."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return [
        serializer.dumps({"_user_id": token, "_fresh": True, "csrf_token": token[:40]})
        for token in tokens
    ]


def _phase(spec: dict[str, Any], workdir: Path, name: str) -> dict[str, Any]:
    path = workdir / f"loadgen-{name}.json"
    path.write_text(json.dumps(spec))
    finished = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=spec["duration"] + 300,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"load phase {name} failed:\n{finished.stderr[-3000:]}")
    raw = json.loads(finished.stdout.strip().splitlines()[-1])
    seconds = raw["seconds"]
    per_request = {}
    for request, timings in sorted(raw["timings"].items()):
        per_request[request] = {
            "requests": len(timings),
            "per_second": round(len(timings) / seconds, 2),
            "failures": raw["failures"].get(request, 0),
            "p50_ms": round(median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "p99_ms": round(percentile(timings, 0.99), 1),
        }
        if request in raw["errors"]:
            per_request[request]["first_error"] = raw["errors"][request]
    print(f"[load] {name}: {json.dumps(per_request)}", flush=True)
    return {"seconds": round(seconds, 1), "users": spec["users"], "requests": per_request}


def _close_open_visits(url: str, site_id: int) -> int:
    """End what a phase left on the floor, so the next phase starts from the same kind of floor."""
    engine = make_engine(url)
    with Session(engine.execution_options(sitesys_write=True)) as session:
        closed = session.execute(
            update(Visit)
            .where(Visit.site_id == site_id, Visit.status.in_(OPEN_STATUSES))
            .values(status=VisitStatus.LEFT, left_at=utcnow())
        ).rowcount
        session.execute(
            update(Booth).where(Booth.site_id == site_id).values(status=BoothStatus.FREE)
        )
        # A response the emergency screen's nurse started ends with the phase.
        session.execute(
            update(Incident)
            .where(Incident.site_id == site_id, Incident.status == IncidentStatus.OPEN)
            .values(status=IncidentStatus.DRAFT, response_ended_at=utcnow())
        )
        session.commit()
    engine.dispose()
    return int(closed or 0)


def _standard_floor(database: BenchDatabase, keys: Keys, site: BenchSite) -> None:
    """Twenty people on the floor, the same for SiteSys's saturated board and the ceiling's."""
    _close_open_visits(database.url, site.site_id)
    app = make_app(database.url, keys)
    build_scene(app, site, keys)
    get_database(app).engine.dispose()


def run_load(
    database: BenchDatabase,
    keys: Keys,
    site: BenchSite,
    *,
    duration: int = 120,
    busy_desk_only: bool = False,
) -> dict[str, Any]:
    """Every phase; or, with `busy_desk_only`, the busy floor alone (bench/emergency.py)."""
    workdir = database.workdir
    environment = {
        "SITESYS_ENV": "production",
        "SITESYS_SECRET_KEY": keys.secret_key,
        "SITESYS_CLIENT_CODE_KEY": keys.client_code_key,
        "DATABASE_URL": database.url,
        # Every simulated tablet is 127.0.0.1: the per-address limits would stop the load.
        "SITESYS_SIGN_IN_LIMIT": "100000 per minute",
        "SITESYS_SIGN_IN_LIMIT_ALL": "100000 per minute",
        "SITESYS_CLIENT_LOOKUP_LIMIT": "100000 per minute",
    }
    app = create_app(
        Config(
            env="production",
            secret_key=keys.secret_key,
            client_code_key=keys.client_code_key,
            database_url=database.url,
        )
    )
    engine = make_engine(database.url)
    with Session(engine) as session:
        smoking = list(
            session.scalars(
                select(Booth.id).where(
                    Booth.site_id == site.site_id, Booth.kind == BoothKind.SMOKING
                )
            )
        )
    engine.dispose()
    base = {
        "cookie_name": COOKIE_NAME,
        "smoking_booths": smoking,
        # Regulars the history made (client 0 is the most regular), and codes never seen.
        "regular_codes": [synthetic_code(number) for number in range(300)],
        "new_codes": [synthetic_code(30_000_000 + number) for number in range(5000)],
        "ramp_seconds": 3,
    }

    def cookies(users: dict[str, int]) -> dict[str, list[str]]:
        desk = sum(users.get(kind, 0) for kind in ("desk", "busy_desk", "checkin_flood"))
        nurse = sum(
            users.get(kind, 0)
            for kind in ("tablet", "nurse", "responder", "board_flood", "board_nostamp_flood")
        )
        displays = users.get("display", 0)
        return {
            "display": _display_cookies(
                app, pair_displays(database.url, site.admin_id, site.site_id, displays)
            ),
            "desk": _cookies(app, mint_sessions(database.url, site.desk_id, site.site_id, desk)),
            "nurse": _cookies(app, mint_sessions(database.url, site.nurse_id, site.site_id, nurse)),
        }

    result: dict[str, Any] = {"duration": duration, "phases": {}}
    short = max(20, duration // 4)
    log = workdir / "gunicorn.log"
    _close_open_visits(database.url, site.site_id)
    with Gunicorn("wsgi:app", environment, log) as server:
        floor_phases = (
            ("floor", FLOOR),
            ("floor, busy desk", BUSY_DESK),
            ("floor x10", {kind: count * 10 for kind, count in FLOOR.items()}),
        )
        for name, users in floor_phases:
            if busy_desk_only and users is not BUSY_DESK:
                continue
            spec = {**base, "host": server.url, "users": users, "duration": duration,
                    "cookies": cookies(users)}  # fmt: skip
            result["phases"][name] = _phase(spec, workdir, name)
        if not busy_desk_only:
            _saturate(result, database, keys, site, base, server.url, cookies, short)
        result["memory"] = server.memory()
    if busy_desk_only:
        result["closed_after_sitesys"] = _close_open_visits(database.url, site.site_id)
        result["summary"] = summarise_busy_desk(result)
        return result
    result["closed_after_sitesys"] = _close_open_visits(database.url, site.site_id)
    ceiling_env = {
        **environment,
        "BENCH_SITE_ID": str(site.site_id),
        "BENCH_STAFF_ID": str(site.desk_id),
    }
    # The ceiling reads the same standard floor as SiteSys's saturated board did.
    _standard_floor(database, keys, site)
    with Gunicorn("bench.ceiling_app:app", ceiling_env, log) as ceiling:
        anonymous = {"desk": ["-"], "nurse": ["-"]}
        result["phases"]["ceiling board saturated"] = _phase(
            {**base, "host": ceiling.url, "users": {"board_flood": SATURATING_USERS},
             "duration": short, "cookies": anonymous, "board_path": "/board"},
            workdir, "ceiling-board",
        )  # fmt: skip
        result["phases"]["ceiling check-in saturated"] = _phase(
            {**base, "host": ceiling.url, "users": {"checkin_flood": SATURATING_USERS},
             "duration": short, "cookies": anonymous, "ceiling": True},
            workdir, "ceiling-checkin",
        )  # fmt: skip
        result["ceiling_memory"] = ceiling.memory()
    result["closed_after_ceiling"] = _close_open_visits(database.url, site.site_id)
    result["summary"] = summarise(result)
    return result


def _saturate(
    result: dict[str, Any],
    database: BenchDatabase,
    keys: Keys,
    site: BenchSite,
    base: dict[str, Any],
    url: str,
    cookies: Any,
    short: int,
) -> None:
    """SiteSys saturated: board reads (with and without a stamp), then walk-in check-ins."""
    workdir = database.workdir
    _standard_floor(database, keys, site)
    board = {"board_flood": SATURATING_USERS}
    result["phases"]["sitesys board saturated"] = _phase(
        {**base, "host": url, "users": board, "duration": short,
         "cookies": cookies(board)}, workdir, "sitesys-board",
    )  # fmt: skip
    nostamp = {"board_nostamp_flood": SATURATING_USERS}
    result["phases"]["sitesys board saturated, no stamp"] = _phase(
        {**base, "host": url, "users": nostamp, "duration": short,
         "cookies": cookies(nostamp)}, workdir, "sitesys-board-nostamp",
    )  # fmt: skip
    flood = {"checkin_flood": SATURATING_USERS}
    result["phases"]["sitesys check-in saturated"] = _phase(
        {**base, "host": url, "users": flood, "duration": short,
         "cookies": cookies(flood)}, workdir, "sitesys-checkin",
    )  # fmt: skip


def _rate(result: dict[str, Any], phase: str, request: str) -> float:
    return float(result["phases"][phase]["requests"].get(request, {}).get("per_second", 0.0))


def summarise_busy_desk(result: dict[str, Any]) -> dict[str, Any]:
    """The emergency screen's figures on the busy floor (bench/emergency.py)."""
    busy_desk = result["phases"]["floor, busy desk"]["requests"]

    def figure(name: str, key: str) -> float | None:
        return busy_desk.get(name, {}).get(key)

    return {
        "naloxone tap p50 ms": figure("POST naloxone tap (htmx)", "p50_ms"),
        "naloxone tap p95 ms": figure("POST naloxone tap (htmx)", "p95_ms"),
        "naloxone taps": figure("POST naloxone tap (htmx)", "requests"),
        "response log poll p95 ms": figure("GET response log (poll)", "p95_ms"),
        "board p95 ms": figure("GET /board/partial", "p95_ms"),
        "wall-board display p95 ms": figure("GET /display/partial", "p95_ms"),
        "check-in p95 ms": figure("POST /checkin", "p95_ms"),
        "worker peak RSS MB": result["memory"]["worker_peak_rss_mb"],
    }


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    floor = result["phases"]["floor"]["requests"]
    busy_desk = result["phases"].get("floor, busy desk", {}).get("requests", {})
    tenfold = result["phases"]["floor x10"]["requests"]

    def p95(requests: dict[str, Any], name: str) -> float | None:
        return requests.get(name, {}).get("p95_ms")

    board_ratio = _rate(result, "sitesys board saturated", "saturate board") / max(
        0.001, _rate(result, "ceiling board saturated", "saturate board")
    )
    nostamp_ratio = _rate(
        result, "sitesys board saturated, no stamp", "saturate board (no stamp)"
    ) / max(0.001, _rate(result, "ceiling board saturated", "saturate board"))
    checkin_ratio = _rate(result, "sitesys check-in saturated", "saturate check-in") / max(
        0.001, _rate(result, "ceiling check-in saturated", "saturate check-in")
    )
    return {
        "board p95 ms (floor)": p95(floor, "GET /board/partial"),
        "check-in p95 ms (floor)": p95(floor, "POST /checkin"),
        "check-in p95 ms (floor, busy desk)": p95(busy_desk, "POST /checkin"),
        "board p95 ms (floor, busy desk)": p95(busy_desk, "GET /board/partial"),
        "naloxone tap p95 ms (floor, busy desk)": p95(busy_desk, "POST naloxone tap (htmx)"),
        "board p95 ms (x10)": p95(tenfold, "GET /board/partial"),
        "check-in p95 ms (x10)": p95(tenfold, "POST /checkin"),
        "board share of ceiling": round(board_ratio, 2),
        "board share of ceiling, no stamp": round(nostamp_ratio, 2),
        "check-in share of ceiling": round(checkin_ratio, 2),
        "worker peak RSS MB": result["memory"]["worker_peak_rss_mb"],
    }
