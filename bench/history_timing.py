"""History does not slow the floor: the same requests timed on an empty database and after 1 and 5
years of generated history (at 1,000 visits a day), reported as the ratio 5 years / empty.

Requests are timed in-process with the Flask test client (no network, no server threads): the
median of `repeats` warm runs, so what is measured is SiteSys's own work (queries and templates),
which is what history could slow. The floor itself is a fixed scene made once on the empty
database (clients in booths, waiting and in aftercare, with observations) and kept through every
stage, so each stage reads the same floor.

Timed operations are a list of named requests (`TIMED_OPERATIONS`): the board, the visit page,
the desk's lookup of a regular, the manager's incident queue and taking the handover snapshot.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import ROOT, SITE_NAME, BenchDatabase, BenchSite, Keys, median, percentile
from bench.history.clients import synthetic_code
from config import Config
from sitesys import create_app
from sitesys.auth.models import Staff
from sitesys.auth.services import start_session
from sitesys.board.drawn import forget_boards
from sitesys.checkin.lifecycle import move_to_aftercare
from sitesys.checkin.models import DrugChecked, Route, Visit, VisitStatus
from sitesys.checkin.services import CheckInRequest, check_in, free_booths
from sitesys.clients.codes import code_digest
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.handovers.models import Handover
from sitesys.handovers.services import start_handover
from sitesys.handovers.setup import shift_now
from sitesys.observations.models import Observation
from sitesys.observations.scoring import Consciousness, Poss
from sitesys.observations.services import ObservationInput, record_observation, record_quick_check
from sitesys.sites.models import Site

FULL_YEAR = 365


@dataclass
class Scene:
    """The floor every stage reads: ids the timed requests need."""

    visit_id: uuid.UUID
    regular_code: str
    handover_id: uuid.UUID


@dataclass(frozen=True)
class TimedOperation:
    name: str
    #: Who asks: "desk", "nurse" or "manager".
    who: str
    path: Callable[[Scene], str]
    method: str = "GET"
    form: Callable[[Scene], dict[str, str]] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    #: Statuses that mean the request did its work (a redirect after a POST, say).
    expect: tuple[int, ...] = (200, 422)
    #: Done before each timed request, untimed.
    before: Callable[[Flask], None] | None = None


TIMED_OPERATIONS: list[TimedOperation] = [
    TimedOperation(
        "board",
        "nurse",
        lambda scene: "/board/partial",
        headers=(("HX-Request", "true"),),
        # Each timed read is a full read and draw: a board shared from the worker's store (what
        # most polls get) would time the store, not the history behind it.
        before=forget_boards,
    ),
    TimedOperation("visit page", "nurse", lambda scene: f"/visits/{scene.visit_id}"),
    # The desk's lookup of a regular: visit count and last visit grow with history.
    TimedOperation(
        "check-in lookup",
        "desk",
        lambda scene: "/checkin",
        method="POST",
        form=lambda scene: {"client_code": scene.regular_code, "find": "Find client"},
    ),
    # The manager's queue: urgent first, then by age, over every incident the site ever had.
    TimedOperation("incident queue", "manager", lambda scene: "/incidents/"),
    # A nurse's incidents page: running responses, clients on site and their own reports.
    TimedOperation("incidents page (nurse)", "nurse", lambda scene: "/incidents/"),
    # Taking the handover snapshot again: the floor now and the shift's visits and incidents.
    TimedOperation(
        "handover snapshot",
        "nurse",
        lambda scene: f"/handovers/{scene.handover_id}/refresh",
        method="POST",
        form=lambda scene: {},
        expect=(302,),
    ),
]


def make_app(url: str, keys: Keys) -> Flask:
    return create_app(
        Config(
            env="test",
            secret_key=keys.secret_key,
            client_code_key=keys.client_code_key,
            database_url=url,
            # The timed requests send a real CSRF token; no check is switched off.
        )
    )


def build_scene(app: Flask, site_ids: BenchSite, keys: Keys) -> Scene:
    """Twenty people on the floor: in booths, waiting and in aftercare, with a few checks each."""
    with app.app_context(), get_database(app).new_session(write=True) as session:
        site = session.get(Site, site_ids.site_id)
        desk = session.get(Staff, site_ids.desk_id)
        nurse = session.get(Staff, site_ids.nurse_id)
        assert site is not None
        assert desk is not None
        assert nurse is not None
        visits: list[Visit] = []
        booths = free_booths(session, site)
        injecting = [b for b in booths if b.kind.value == "injecting"]
        for number in range(20):
            booth = injecting.pop(0) if number < 10 and injecting else None
            code = synthetic_code(10_000_000 + number)
            result = check_in(
                session,
                desk,
                site,
                CheckInRequest(
                    submission_key=str(uuid.uuid4()),
                    route=Route.INJECT,
                    drug_checked=DrugChecked.NO,
                    substances=["heroin"] if number % 2 else ["heroin", "cocaine"],
                    code_digest=code_digest(code, keys.client_code_key),
                    booth_id=booth.id if booth else None,
                ),
            )
            visits.append(result.visit)
        for visit in visits[:10]:
            for _ in range(3):
                record_quick_check(session, nurse, visit, str(uuid.uuid4()))
            record_observation(
                session,
                nurse,
                visit,
                ObservationInput(
                    consciousness=Consciousness.ALERT,
                    respiratory_rate=14,
                    spo2=97,
                    pulse=80,
                    systolic_bp=120,
                    poss=Poss.AWAKE,
                    rass=0,
                ),
                str(uuid.uuid4()),
            )
        for visit in visits[:5]:
            move_to_aftercare(session, nurse, visit, VisitStatus.IN_BOOTH)
            record_quick_check(session, nurse, visit, str(uuid.uuid4()))
        shift = shift_now(session, site, utcnow())
        assert shift is not None, "the bench site's shifts cover the whole day"
        handover = start_handover(session, nurse, site, shift)
        session.commit()
        return Scene(visit_id=visits[0].id, regular_code=synthetic_code(0), handover_id=handover.id)


def _client(app: Flask, site_ids: BenchSite, who: str) -> Any:
    client = app.test_client()
    staff_id = {
        "desk": site_ids.desk_id,
        "nurse": site_ids.nurse_id,
        "manager": site_ids.manager_id,
    }[who]
    with app.app_context(), get_database(app).new_session(write=True) as session:
        staff = session.get(Staff, staff_id)
        site = session.get(Site, site_ids.site_id)
        assert staff is not None
        token = start_session(session, staff, site)
        session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return client


def _csrf(client: Any) -> str:
    page = client.get("/checkin").get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert found, "no CSRF token on the check-in page"
    return found.group(1)


def time_operations(
    app: Flask, site_ids: BenchSite, scene: Scene, repeats: int, warm_up: int = 3
) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    clients = {who: _client(app, site_ids, who) for who in ("desk", "nurse", "manager")}
    for operation in TIMED_OPERATIONS:
        client = clients[operation.who]
        path = operation.path(scene)
        headers = dict(operation.headers)
        data = operation.form(scene) if operation.form else None
        if data is not None:
            data = {**data, "csrf_token": _csrf(client)}
        timings = []
        for attempt in range(warm_up + repeats):
            if operation.before is not None:
                operation.before(app)
            started = time.perf_counter()
            response = client.open(path, method=operation.method, data=data, headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code in operation.expect, (operation.name, response.status_code)
            # A redirect to the sign-in page would mean the request was refused, not done.
            assert "/login" not in response.headers.get("Location", ""), operation.name
            if attempt >= warm_up:
                timings.append(elapsed * 1000)
        results[operation.name] = {
            "median_ms": round(median(timings), 2),
            "p90_ms": round(percentile(timings, 0.9), 2),
            "runs": repeats,
        }
    return results


def generate(database: BenchDatabase, keys: Keys, days: int, visits_per_day: int) -> dict[str, Any]:
    """Run the real `flask generate-history` command and keep what it printed."""
    environment = {
        **os.environ,
        "SITESYS_ENV": "test",
        "SITESYS_SECRET_KEY": keys.secret_key,
        "SITESYS_CLIENT_CODE_KEY": keys.client_code_key,
        "DATABASE_URL": database.url,
    }
    started = time.perf_counter()
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.history",
            "--days",
            str(days),
            "--visits-per-day",
            str(visits_per_day),
            "--site",
            SITE_NAME,
            "--seed",
            "2026",
            "--quiet",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"generate-history failed:\n{finished.stdout}\n{finished.stderr}")
    print(finished.stdout, end="", flush=True)
    rate = re.search(r"in ([\d.]+) s \(([\d,]+) rows/s\)", finished.stdout)
    cpu = re.search(r"([\d.]+) s of processor time", finished.stdout)
    counts = {
        name: int(count.replace(",", ""))
        for name, count in re.findall(r"^\s+([a-z_ ]+?)\s+([\d,]+)", finished.stdout, re.M)
    }
    return {
        "days": days,
        "visits_per_day": visits_per_day,
        "rows": counts,
        "generator_seconds": float(rate.group(1)) if rate else None,
        "rows_per_second": int(rate.group(2).replace(",", "")) if rate else None,
        "cpu_seconds": float(cpu.group(1)) if cpu else None,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def totals(app: Flask) -> dict[str, int]:
    with app.app_context(), Session(get_database(app).engine) as session:
        return {
            "visits": session.scalar(select(func.count()).select_from(Visit)) or 0,
            "observations": session.scalar(select(func.count()).select_from(Observation)) or 0,
        }


def run_history(
    database: BenchDatabase,
    keys: Keys,
    site_ids: BenchSite,
    *,
    scale: float = 1.0,
    visits_per_day: int = 1000,
    repeats: int = 25,
) -> dict[str, Any]:
    """Time every operation on the empty database, after 1 year and after 5 years."""
    app = make_app(database.url, keys)
    scene = build_scene(app, site_ids, keys)
    stages: list[dict[str, Any]] = []
    years_done = 0
    for years in (0, 1, 5):
        generated = None
        if years > years_done:
            days = max(1, round((years - years_done) * FULL_YEAR * scale))
            print(f"[history] generating {days} days at {visits_per_day}/day …", flush=True)
            generated = generate(database, keys, days, visits_per_day)
            years_done = years
        timings = time_operations(app, site_ids, scene, repeats)
        stage = {
            "years": years,
            "scale": scale,
            "totals": totals(app),
            "database_bytes": database.size_bytes(),
            "generated": generated,
            "timings": timings,
        }
        stages.append(stage)
        print(f"[history] {years} years: {stage['totals']} {timings}", flush=True)
    # The stages are timed minutes apart, so a slow stretch of the machine can fall on one of
    # them: the 5-year database is timed again beside a new empty one, in alternating rounds.
    alternating = alternate_with_empty(database, keys, app, site_ids, scene, repeats)
    print(f"[history] 5 years / empty, alternating: {alternating['ratio_history_over_empty']}")
    get_database(app).engine.dispose()
    empty = stages[0]["timings"]
    last = stages[-1]["timings"]
    ratios = {
        name: round(last[name]["median_ms"] / empty[name]["median_ms"], 2)
        for name in empty
        if empty[name]["median_ms"] > 0
    }
    return {"stages": stages, "ratio_5y_over_empty": ratios, "alternating": alternating}


def _open_handover(app: Flask, site_ids: BenchSite) -> uuid.UUID:
    """The kept floor's handover in progress, or a new one for the shift now."""
    with app.app_context(), get_database(app).new_session(write=True) as session:
        found = session.scalar(
            select(Handover.id)
            .where(Handover.site_id == site_ids.site_id, Handover.submitted_at.is_(None))
            .order_by(Handover.started_at.desc())
        )
        if found is not None:
            return found
        site = session.get(Site, site_ids.site_id)
        nurse = session.get(Staff, site_ids.nurse_id)
        assert site is not None
        assert nurse is not None
        shift = shift_now(session, site, utcnow())
        assert shift is not None, "the bench site's shifts cover the whole day"
        handover = start_handover(session, nurse, site, shift)
        session.commit()
        return handover.id


def retime_history(
    database: BenchDatabase, keys: Keys, site_ids: BenchSite, *, repeats: int = 25
) -> dict[str, Any]:
    """Time the operations again on a database a --keep run left (its full history and floor),
    and on a new empty one of the same kind: the ratio for the code as it is now.
    """
    from sitesys.checkin.models import is_open_visit

    app = make_app(database.url, keys)
    with app.app_context(), get_database(app).new_session(write=False) as session:
        open_visit = session.scalar(
            select(Visit.id)
            .where(Visit.site_id == site_ids.site_id, is_open_visit())
            .order_by(Visit.checked_in_at)
        )
    # A load run closes the floor it leaves: the same floor of twenty is made again then.
    scene = (
        Scene(open_visit, synthetic_code(0), _open_handover(app, site_ids))
        if open_visit is not None
        else build_scene(app, site_ids, keys)
    )
    try:
        return {
            "totals": totals(app),
            **alternate_with_empty(database, keys, app, site_ids, scene, repeats),
        }
    finally:
        get_database(app).engine.dispose()


def alternate_with_empty(
    database: BenchDatabase,
    keys: Keys,
    app: Flask,
    site_ids: BenchSite,
    scene: Scene,
    repeats: int,
) -> dict[str, Any]:
    """Time the operations on a database with history and on a new empty one of the same kind,
    in alternating rounds, so that a slow minute of a shared machine falls on both sides.
    """
    from bench.common import BenchDatabase as Database
    from bench.common import new_workdir, remove_workdir, set_up_site

    workdir = new_workdir()
    empty_database = Database.create(database.backend, workdir)
    try:
        empty_database.migrate()
        empty_site = set_up_site(empty_database.url)
        empty_app = make_app(empty_database.url, keys)
        empty_scene = build_scene(empty_app, empty_site, keys)
        rounds: list[tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]] = []
        for _ in range(RETIME_ROUNDS):
            rounds.append(
                (
                    time_operations(app, site_ids, scene, repeats),
                    time_operations(empty_app, empty_site, empty_scene, repeats),
                )
            )
        get_database(empty_app).engine.dispose()
    finally:
        empty_database.drop()
        remove_workdir(workdir)
    full = _median_of_rounds([history for history, _ in rounds])
    empty = _median_of_rounds([fresh for _, fresh in rounds])
    return {
        "rounds": RETIME_ROUNDS,
        "empty": empty,
        "with_history": full,
        "ratio_history_over_empty": {
            name: round(full[name]["median_ms"] / empty[name]["median_ms"], 2) for name in empty
        },
    }


#: Rounds of timing, alternating the kept database and the empty one.
RETIME_ROUNDS = 3


def _median_of_rounds(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {
        name: {
            "median_ms": round(median([found[name]["median_ms"] for found in rounds]), 2),
            "p90_ms": round(median([found[name]["p90_ms"] for found in rounds]), 2),
            "runs": sum(found[name]["runs"] for found in rounds),
        }
        for name in rounds[0]
    }
