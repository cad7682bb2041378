"""A submitted handover stays as it was handed over, whatever other tablets do at that instant
(real commits, real threads).

On PostgreSQL a change to the handover that is still in flight (its transaction open, its row
lock held) is played by the test's own session, so that the other tablet's request certainly
arrives while it runs: that request must wait for it, then decide on the handover as it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.handovers.choices import handover_choices
from sitesys.handovers.models import Handover, HandoverAction, HandoverStatus, IllnessSeverity
from sitesys.handovers.services import (
    Draft,
    add_action,
    save_draft,
    start_handover,
    submit_handover,
)
from tests.factories import make_staff, sign_in
from tests.handovers.helpers import prepared_floor

pytestmark = pytest.mark.committed


@dataclass
class Scene:
    handover_id: object
    lead_id: int
    incoming: list[tuple[str, FlaskClient]]  # (display name, signed-in tablet)


def drafted(app: Flask, *, incoming: int = 2, submitted: bool = False) -> Scene:
    """A handover drafted in full, with one action on it; tablets for the incoming leads."""
    with get_database(app).new_session() as session:
        floor = prepared_floor(session, utcnow())
        lead = floor["nurse"]
        shift, _ = handover_choices(session, floor["site"], utcnow())[0]
        handover = start_handover(session, lead, floor["site"], shift)
        save_draft(
            session,
            lead,
            handover,
            Draft(
                summary="Busy morning",
                severities={person.id: IllnessSeverity.WATCHER for person in handover.people},
                stock={row.id: 4 for row in handover.stock},
            ),
        )
        add_action(session, lead, handover, "Check Jade Wren 9", "Incoming lead", None)
        if submitted:
            submit_handover(session, lead, handover)
        tablets = []
        for _ in range(incoming):
            person = make_staff(session, Role.NURSE, [floor["site"]])
            tablet = app.test_client()
            sign_in(tablet, session, person)
            tablets.append((person.display_name, tablet))
        session.commit()
        return Scene(handover.id, lead.id, tablets)


@contextmanager
def in_flight(app: Flask, handover_id: object) -> Iterator[tuple[Session, Handover]]:
    """Another tablet's change to the handover, under way: its row lock held until the block
    ends, when it commits."""
    with get_database(app).new_session() as session:
        handover = session.scalar(
            select(Handover).where(Handover.id == handover_id).with_for_update()
        )
        assert handover is not None
        yield session, handover
        session.commit()


def waiting_on_a_lock(app: Flask) -> int:
    with get_database(app).engine.connect() as conn:
        return int(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            or 0
        )


def settle(app: Flask, threads: list[threading.Thread], waiting: int) -> None:
    """Until the requests are either done or all waiting for a lock (at most ten seconds)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(thread.is_alive() for thread in threads):
            return
        if waiting_on_a_lock(app) >= waiting:
            return
        time.sleep(0.02)


def post_in_thread(
    tablet: FlaskClient, url: str, data: dict[str, str], into: list
) -> threading.Thread:
    form = {**data, "csrf_token": tablet.csrf_token()}  # fetched before: one thread per jar

    def send() -> None:
        into.append(tablet.post(url, data=form))

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def message_after(tablet: FlaskClient, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return tablet.get(response.headers["Location"]).get_data(as_text=True)


def handover_now(app: Flask, handover_id: object) -> Handover:
    with get_database(app).new_session() as session:
        handover = session.get(Handover, handover_id)
        assert handover is not None
        _ = handover.actions, handover.people
        return handover


REFUSED = "This handover was submitted and can no longer change; add an addendum instead."


@pytest.mark.backend("postgresql")
@pytest.mark.parametrize(
    ("step", "form"),
    [
        ("actions", {"what": "Late action", "owner": "Night lead"}),
        ("remove", {}),
        ("refresh", {}),
    ],
)
def test_a_change_sent_while_the_submission_is_in_flight_waits_and_is_refused(
    committed_app, step, form
):
    """The lead's submission holds the handover; an action added, an action removed or the
    snapshot taken again from another tablet at that instant must not land on (or come off)
    the handover that was submitted."""
    scene = drafted(committed_app, incoming=1)
    before = handover_now(committed_app, scene.handover_id)
    [action] = before.actions
    url = {
        "actions": f"/handovers/{scene.handover_id}/actions",
        "remove": f"/handovers/{scene.handover_id}/actions/{action.id}/remove",
        "refresh": f"/handovers/{scene.handover_id}/refresh",
    }[step]
    [(_name, tablet)] = scene.incoming
    responses: list = []
    with in_flight(committed_app, scene.handover_id) as (session, handover):
        submit_handover(session, session.get(Staff, scene.lead_id), handover)
        thread = post_in_thread(tablet, url, form, responses)
        settle(committed_app, [thread], waiting=1)
    thread.join(timeout=30)

    assert REFUSED in message_after(tablet, responses[0])
    after = handover_now(committed_app, scene.handover_id)
    assert after.status is HandoverStatus.SUBMITTED
    assert [(a.id, a.what) for a in after.actions] == [(action.id, "Check Jade Wren 9")]
    assert after.snapshot_at == before.snapshot_at
    assert [p.id for p in after.people] == [p.id for p in before.people]
    with get_database(committed_app).new_session() as session:
        changes = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.action.in_(
                    [
                        "handover.action_added",
                        "handover.action_removed",
                        "handover.snapshot_refreshed",
                    ]
                )
            )
        ).all()
        assert changes == ["handover.action_added"]  # the one added while drafting


def acknowledgements(app: Flask) -> list[AuditEvent]:
    with get_database(app).new_session() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "handover.acknowledged"))
        )


def check_one_acknowledgement_won(app: Flask, scene: Scene, responses: list, notes: list[str]):
    """One incoming lead acknowledged; the other was told who had, and saw their own note."""
    [event] = acknowledgements(app)
    handover = handover_now(app, scene.handover_id)
    assert handover.status is HandoverStatus.ACKNOWLEDGED
    names = [name for name, _tablet in scene.incoming]
    with get_database(app).new_session() as session:
        winner_name = session.get(Staff, event.actor_id).display_name
    winner = names.index(winner_name)
    loser = 1 - winner
    assert handover.readback_note == notes[winner]
    page = message_after(scene.incoming[winner][1], responses[winner])
    assert f"You acknowledged the {handover.shift_name} handover." in page
    refused = responses[loser]
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert f"Already acknowledged by {winner_name} at" in shown
    assert "your read-back note was not saved" in shown
    assert notes[loser] in shown  # what they typed is on the page, to copy
    assert "You acknowledged" not in shown


@pytest.mark.backend("postgresql")
def test_two_acknowledgements_held_up_together_acknowledge_once(committed_app):
    """Both incoming leads tap Acknowledge while another change holds the handover: both
    requests wait, then one acknowledges and the other is told plainly that it did not."""
    scene = drafted(committed_app, submitted=True)
    notes = ["Got it: Amber Heron 27 on oxygen", "Read back: Jade Wren 9 to check"]
    url = f"/handovers/{scene.handover_id}/acknowledge"
    slots: list[list] = [[], []]
    with in_flight(committed_app, scene.handover_id):
        threads = [
            post_in_thread(tablet, url, {"readback_note": note}, slot)
            for (_name, tablet), note, slot in zip(scene.incoming, notes, slots, strict=True)
        ]
        settle(committed_app, threads, waiting=2)
    for thread in threads:
        thread.join(timeout=30)
    check_one_acknowledgement_won(committed_app, scene, [s[0] for s in slots], notes)


def test_two_acknowledgements_at_the_same_instant_acknowledge_once(committed_app):
    """The same race as it happens on the floor, on either database."""
    scene = drafted(committed_app, submitted=True)
    notes = ["Got it: Amber Heron 27 on oxygen", "Read back: Jade Wren 9 to check"]
    url = f"/handovers/{scene.handover_id}/acknowledge"
    barrier = threading.Barrier(2)
    responses: list = [None, None]
    forms = [
        {"readback_note": note, "csrf_token": tablet.csrf_token()}
        for (_name, tablet), note in zip(scene.incoming, notes, strict=True)
    ]

    def tablet(index: int) -> None:
        barrier.wait()
        responses[index] = scene.incoming[index][1].post(url, data=forms[index])

    threads = [threading.Thread(target=tablet, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    check_one_acknowledgement_won(committed_app, scene, responses, notes)
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(HandoverAction)) == 1
