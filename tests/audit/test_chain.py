"""The audit trail is tamper-evident: each site's events are a chain of hashes, sealed at
commit, and `audit verify` names the first place where the chain was changed.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from sitesys.audit.chain import GENESIS, hash_of, verify
from sitesys.audit.models import AuditEvent
from sitesys.audit.services import record_event
from sitesys.auth.roles import Role
from sitesys.db import get_database
from tests.factories import insert_site_row, make_site, make_staff


def _events(db, site=None):
    statement = select(AuditEvent).order_by(AuditEvent.chain_position)
    if site is not None:
        statement = statement.where(AuditEvent.site_id == site.id)
    return list(db.scalars(statement))


def _written(db, count=3):
    """Two sites' events and one without a site, committed (sealed) in two transactions."""
    site, other = make_site(db), make_site(db)
    manager = make_staff(db, Role.MANAGER, [site, other])
    for number in range(count):
        record_event(db, "test.first", actor=manager, site_id=site.id, number=number)
    record_event(db, "test.elsewhere", actor=manager, site_id=other.id)
    record_event(db, "auth.unknown_user", actor=None)
    db.commit()
    record_event(db, "test.second", actor=manager, site_id=site.id)
    db.commit()
    return site, other


def _bypass_the_guard(db):
    """Tamper as someone with the database's owner role would: past the append-only trigger."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        db.execute(text("DROP TRIGGER audit_events_no_update"))
        db.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_events_are_sealed_in_order_into_their_sites_chains_at_commit(db):
    site, other = _written(db)
    events = _events(db, site)
    assert [event.chain_position for event in events] == [1, 2, 3, 4]
    assert [event.action for event in events][-1] == "test.second"
    assert events[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash
        assert after.occurred_at >= before.occurred_at  # the log's order is the commits' order
    assert all(event.hash == hash_of(event) for event in events)
    assert [event.chain_position for event in _events(db, other)] == [1]
    report = verify(db)
    assert report.first_break is None
    assert report.events == 6 and report.chains == 3


def test_an_event_not_yet_committed_is_not_sealed(db):
    site = make_site(db)
    event = record_event(db, "test.pending", actor=None, site_id=site.id)
    assert event.hash is None and event.chain_position is None


def test_an_event_edited_in_the_database_is_named_as_the_break(db):
    site, _other = _written(db)
    edited = _events(db, site)[1]
    _bypass_the_guard(db)
    db.execute(text("UPDATE audit_events SET actor_id = NULL WHERE id = :id"), {"id": edited.id})
    db.expire_all()
    found = verify(db).first_break
    assert found is not None
    assert (found.site_id, found.event_id, found.chain_position) == (site.id, edited.id, 2)
    assert "was changed after it was written" in str(found)


def test_an_event_deleted_from_the_database_is_caught_at_the_next_one(db):
    site, _other = _written(db)
    events = _events(db, site)
    _bypass_the_guard(db)
    db.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1].id})
    db.expire_all()
    found = verify(db).first_break
    assert found is not None
    assert (found.event_id, found.chain_position) == (events[2].id, 3)
    assert "1 event(s) missing before it" in str(found)


def test_an_event_inserted_around_siteSys_is_caught(db):
    site, _other = _written(db)
    db.execute(
        text(
            "INSERT INTO audit_events (occurred_at, action, site_id, detail, is_read) "
            "VALUES (CURRENT_TIMESTAMP, 'test.forged', :site, '{}', false)"
        ),
        {"site": site.id},
    )
    found = verify(db).first_break
    assert found is not None and "never sealed" in str(found)


def test_the_database_refuses_to_change_or_delete_a_sealed_event(db):
    site, _other = _written(db)
    sealed = _events(db, site)[0]
    for statement in (
        "UPDATE audit_events SET detail = '{}' WHERE id = :id",
        "UPDATE audit_events SET hash = NULL WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        with pytest.raises(DatabaseError, match="append-only"), db.begin_nested():
            db.execute(text(statement), {"id": sealed.id})


def test_the_database_refuses_to_change_an_event_while_sealing_it(db):
    site = make_site(db)
    event = record_event(db, "test.pending", actor=None, site_id=site.id)
    with pytest.raises(DatabaseError, match="append-only"), db.begin_nested():
        db.execute(
            text("UPDATE audit_events SET action = 'test.other', hash = 'x' WHERE id = :id"),
            {"id": event.id},
        )


def test_the_verify_command_reports_an_intact_trail_and_names_a_break(app, db):
    site, _other = _written(db)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 6 event(s) in 3 chain(s)." in result.output
    assert f"site {site.id}: 4 event(s), last hash" in result.output
    edited = _events(db, site)[2]
    _bypass_the_guard(db)
    db.execute(text("UPDATE audit_events SET detail = '{}' WHERE id = :id"), {"id": edited.id})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "Audit trail BROKEN" in result.output
    assert f"Chain of site {site.id}: event {edited.id} (position 3)" in result.output


@pytest.mark.committed
def test_simultaneous_commits_make_one_chain_without_forks(committed_app):
    with get_database(committed_app).new_session() as session:
        site = make_site(session)
        session.commit()
        site_id = site.id
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            with committed_app.app_context(), get_database(committed_app).new_session() as mine:
                start.wait(timeout=10)
                record_event(mine, "test.race", actor=None, site_id=site_id, number=number)
                mine.commit()
        except BaseException as failure:
            failures.append(failure)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    with get_database(committed_app).new_session(write=False) as session:
        positions = session.scalars(
            select(AuditEvent.chain_position)
            .where(AuditEvent.site_id == site_id)
            .order_by(AuditEvent.chain_position)
        ).all()
        assert positions == list(range(1, 9))
        assert verify(session).first_break is None


def test_the_migration_seals_the_events_written_before_the_chain(throwaway):
    from alembic import command
    from sqlalchemy.orm import Session

    from sitesys.db import make_engine
    from sitesys.migrations_config import alembic_config

    url = throwaway.create("chain-backfill")
    config = alembic_config(url)
    command.upgrade(config, "drugchecks_0001")
    engine = make_engine(url)
    with engine.begin() as connection:
        site_id = insert_site_row(connection, name="Old", time_zone="UTC")
        for number, (site, moment) in enumerate(
            [
                (site_id, "2026-01-02 10:00:00.000001"),
                (None, "2026-01-02 10:00:01"),
                (site_id, "2026-01-01 09:00:00"),
                (site_id, "2026-01-03 11:30:00.5"),
            ]
        ):
            connection.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, action, site_id, detail) "
                    "VALUES (:at, 'old.event', :site, :detail)"
                ),
                {"at": moment, "site": site, "detail": f'{{"number": {number}}}'},
            )
    command.upgrade(config, "head")
    with Session(engine) as session:
        report = verify(session)
        assert report.first_break is None and report.events == 4 and report.chains == 2
        numbers = [
            event.detail["number"]
            for event in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.site_id == site_id)
                .order_by(AuditEvent.chain_position)
            )
        ]
        assert numbers == [2, 0, 3]  # in the order they were written
    engine.dispose()
