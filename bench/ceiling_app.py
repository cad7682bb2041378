"""The ceiling: a bare Flask + SQLAlchemy app doing only a check-in's single insert and the board's
single select, served by the same gunicorn settings against the same database as SiteSys.

No sign-in, no CSRF, no audit, no templates: what is left is the web server, Flask's routing and one
statement, so SiteSys's throughput as a share of this one says what its own work costs.
Configured by DATABASE_URL, BENCH_SITE_ID and BENCH_STAFF_ID.
"""

from __future__ import annotations

import os
import uuid

from flask import Flask, jsonify
from sqlalchemy import insert, select

from sitesys.checkin.models import DrugChecked, Route, Visit, VisitStatus, is_open_visit
from sitesys.clock import utcnow
from sitesys.db import make_engine

engine = make_engine(os.environ["DATABASE_URL"])
# The same write-transaction mode SiteSys uses (BEGIN IMMEDIATE on SQLite).
writer = engine.execution_options(sitesys_write=True)
SITE_ID = int(os.environ["BENCH_SITE_ID"])
STAFF_ID = int(os.environ["BENCH_STAFF_ID"])
visits = Visit.__table__

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> object:
    return jsonify(status="ok")


@app.post("/checkin")
def check_in() -> object:
    """One visit row: a walk-in onto the waiting list."""
    with writer.begin() as connection:
        connection.execute(
            insert(visits).values(
                id=uuid.uuid4(),
                site_id=SITE_ID,
                client_id=None,
                status=VisitStatus.WAITING,
                route=Route.INJECT,
                drug_checked=DrugChecked.NO,
                checked_in_at=utcnow(),
                checked_in_by_id=STAFF_ID,
                submission_key=str(uuid.uuid4()),
                spo2_scale=1,
            )
        )
    return "", 204


@app.get("/board")
def board() -> object:
    """The open visits of the site."""
    # The same index-friendly form SiteSys uses (literal open statuses, sorted here): with bound
    # parameters and ORDER BY in SQL, SQLite walks the site's whole history (see README.md).
    with engine.connect() as connection:
        rows = connection.execute(
            select(visits.c.id, visits.c.status, visits.c.booth_id, visits.c.checked_in_at).where(
                visits.c.site_id == SITE_ID, is_open_visit()
            )
        ).all()
    rows.sort(key=lambda row: (row.checked_in_at, str(row.id)))
    return jsonify([[str(row.id), row.status, row.booth_id] for row in rows])
