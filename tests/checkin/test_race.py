"""Two desks, one last booth, the same instant: exactly one wins (real commits, real threads)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select, update

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.models import Visit
from sitesys.db import get_database
from sitesys.sites.models import Booth, BoothStatus
from tests.factories import make_booth, make_site, make_staff, make_substances, sign_in

pytestmark = pytest.mark.committed


def prepared_floor(app):
    with get_database(app).new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        booth = make_booth(session, site, label="3")
        desks = [make_staff(session, Role.FRONT_DESK, [site]) for _ in range(2)]
        tablets = []
        for desk in desks:
            tablet = app.test_client()
            sign_in(tablet, session, desk)
            tablets.append(tablet)
        session.commit()
        return booth.id, tablets


def walk_in(booth_id, key):
    return {
        "walk_in": "y",
        "substances": ["heroin"],
        "route": "inject",
        "drug_checked": "no",
        "booth": str(booth_id),
        "submission_key": key,
        "submit": "1",
    }


def race(tablets, forms):
    barrier = threading.Barrier(len(tablets))
    responses = [None] * len(tablets)

    # Tokens are fetched before the race: a test client's cookie jar is not for two threads.
    forms = [{**form, "csrf_token": tablets[i].csrf_token()} for i, form in enumerate(forms)]

    def desk(index):
        barrier.wait()
        responses[index] = tablets[index].post("/checkin", data=forms[index])

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(len(tablets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def test_two_desks_take_the_last_booth_and_exactly_one_wins(committed_app):
    booth_id, tablets = prepared_floor(committed_app)
    responses = race(tablets, [walk_in(booth_id, str(uuid.uuid4())) for _ in tablets])
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409]
    loser = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "Booth 3 was just taken — choose another." in loser
    assert 'name="walk_in" type="checkbox" value="y"' in loser and "checked" in loser
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 1
        assert (
            session.scalar(select(Booth.status).where(Booth.id == booth_id)) is BoothStatus.OCCUPIED
        )


def test_a_double_tap_at_the_same_instant_makes_one_visit(committed_app):
    booth_id, tablets = prepared_floor(committed_app)
    key = str(uuid.uuid4())
    same_tablet = [tablets[0], tablets[0]]
    responses = race(same_tablet, [walk_in(booth_id, key), walk_in(booth_id, key)])
    assert [r.status_code for r in responses] == [302, 302]
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 1


def test_a_lookup_and_a_refused_form_never_wait_for_another_writer(committed_app):
    """The desk's form reads before it writes: while a nurse's write holds the database, being
    told what is missing is answered at once (on SQLite these requests used to queue for the
    write lock). A look-up of a client's code writes one thing, its audit event, for which it
    waits its turn (SQLite) or not at all (PostgreSQL), and never for long."""
    booth_id, tablets = prepared_floor(committed_app)
    tablet, desk = tablets
    token = tablet.csrf_token()
    engine = get_database(committed_app).engine.execution_options(sitesys_write=True)
    looked_up: list = []
    finding = threading.Thread(
        target=lambda: looked_up.append(
            desk.post(
                "/checkin",
                data={"csrf_token": desk.csrf_token(), "client_code": "JOMA07", "find": "1"},
            )
        )
    )
    with engine.connect() as other, other.begin():
        cleaning = update(Booth).where(Booth.id == booth_id)
        other.execute(cleaning.values(status=BoothStatus.NEEDS_CLEANING))
        started = time.monotonic()
        finding.start()
        refused = tablet.post(
            "/checkin", data={**walk_in(booth_id, str(uuid.uuid4())), "csrf_token": token,
                              "substances": []},
        )  # fmt: skip
        waited = time.monotonic() - started
        time.sleep(0.2)  # the other writer's work goes on a moment longer
    finding.join(timeout=15)
    [lookup] = looked_up
    assert lookup.status_code == 200
    assert "New client" in lookup.get_data(as_text=True)
    with get_database(committed_app).new_session(write=False) as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "client.code_looked_up")
            )
            == 1
        )
    assert refused.status_code == 422
    assert "Choose what the client plans to use" in refused.get_data(as_text=True)
    # The busy timeout is 10 s; a request that queued for the lock would take that long.
    assert waited < 5
