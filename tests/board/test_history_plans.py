"""Years of history must not slow the board: its reads of open visits use the small partial
indexes, never a walk through every visit of the site (found by bench/history_timing.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from sitesys.auth.roles import Role
from sitesys.board.services import read_board
from sitesys.checkin.models import VisitStatus
from sitesys.clients.services import summarise
from sitesys.clock import utcnow
from tests.factories import make_booth, make_client, make_site, make_staff, make_visit

OPEN_LITERALS = "status IN ('waiting', 'in_booth', 'aftercare')"


@contextmanager
def captured(connection):
    statements = []

    def before(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", before)


def _floor_with_history(db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    regular = make_client(db, site)
    for days in range(1, 30):
        make_visit(
            db,
            site,
            nurse,
            client=regular,
            status=VisitStatus.LEFT,
            at=utcnow() - timedelta(days=days),
        )
    make_visit(db, site, nurse, booth=make_booth(db, site), client=regular)
    make_visit(db, site, nurse, status=VisitStatus.WAITING)
    return site, regular


def _plan(connection, sql, params):
    """SQLite's query plan for a captured statement, as one line."""
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
    return " ".join(str(row[-1]) for row in rows)


def _visit_queries(statements):
    return [(sql, params) for sql, params in statements if "FROM visits" in sql]


def test_open_visit_reads_repeat_the_partial_index_condition_literally(db, connection):
    site, regular = _floor_with_history(db)
    db.expire_all()
    with captured(connection) as statements:
        board = read_board(db, site, utcnow())
        summary = summarise(db, site, regular.code_digest)
    assert board.tiles[0].card is not None
    assert len(board.waiting) == 1
    assert summary.open_visit is not None
    assert summary.visit_count == 30
    open_reads = [sql for sql, _ in _visit_queries(statements) if "status IN" in sql]
    assert len(open_reads) == 2
    assert all(OPEN_LITERALS in sql for sql in open_reads), open_reads


@pytest.mark.backend("sqlite")
def test_sqlite_plans_use_the_open_visit_indexes(db, connection):
    site, regular = _floor_with_history(db)
    db.expire_all()
    with captured(connection) as statements:
        read_board(db, site, utcnow())
        summarise(db, site, regular.code_digest)
    plans = []
    for sql, params in _visit_queries(statements):
        if "status IN" not in sql:
            continue
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
        plans.append(" ".join(str(row[-1]) for row in plan))
    assert len(plans) == 2
    assert "ix_visits_site_open" in plans[0], plans[0]
    assert "uq_visits_client_open" in plans[1], plans[1]
    assert not any("TEMP B-TREE" in plan and "SCAN" in plan for plan in plans)


@pytest.mark.backend("sqlite")
def test_sqlite_counts_a_regulars_visits_from_the_index_alone(db, connection):
    """The desk's lookup counts a regular's visits and finds the last one without reading any of
    them from the table (a regular has hundreds after a few years; found under load)."""
    site, regular = _floor_with_history(db)
    db.expire_all()
    with captured(connection) as statements:
        summary = summarise(db, site, regular.code_digest)
    assert summary.visit_count == 30
    counts = [(sql, params) for sql, params in _visit_queries(statements) if "count(" in sql]
    assert len(counts) == 1
    sql, params = counts[0]
    plan = _plan(connection, sql, params)
    assert "COVERING INDEX ix_visits_client_checked_in_at" in plan, plan


@pytest.mark.backend("sqlite")
def test_sqlite_finds_who_left_in_the_last_hour_from_the_index(db, connection):
    """The incidents page offers a response for those who left within the hour; years of
    visits that ended long ago are not read to find them."""
    from sitesys.incidents.floor import recently_left

    site, _regular = _floor_with_history(db)
    desk = make_staff(db, Role.FRONT_DESK, [site])
    just_left = make_visit(
        db, site, desk, status=VisitStatus.LEFT, at=utcnow() - timedelta(minutes=40)
    )
    db.expire_all()
    with captured(connection) as statements:
        found = recently_left(db, site.id, utcnow(), limit=200)
    assert [visit.id for visit in found] == [just_left.id]
    ((sql, params),) = _visit_queries(statements)
    plan = _plan(connection, sql, params)
    assert "ix_visits_site_left_at" in plan, plan


@pytest.mark.backend("sqlite")
def test_sqlite_reads_the_running_responses_from_the_index(db, connection):
    """The board reads every response running at the site on each draw: a site's years of
    ended incidents are not read to find them."""
    from sitesys.incidents.floor import open_responses

    site, _regular = _floor_with_history(db)
    db.expire_all()
    with captured(connection) as statements:
        assert open_responses(db, site.id) == []
    ((sql, params),) = [s for s in statements if "FROM incidents" in s[0]]
    plan = _plan(connection, sql, params)
    assert "SEARCH incidents USING INDEX ix_incidents_site_status_started_at" in plan, plan
