"""A polling tablet is told "no change" only when its board really is current."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine

from sitesys.auth.roles import Role
from sitesys.board.freshness import fingerprint
from sitesys.checkin.lifecycle import check_out, move_to_aftercare
from sitesys.checkin.models import VisitStatus
from sitesys.checkin.tasks import end_of_day
from sitesys.clients.models import FlagKind
from sitesys.clients.services import add_flag
from sitesys.clock import utcnow
from sitesys.incidents.services import end_response, start_response
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import (
    ObservationInput,
    record_observation,
    record_quick_check,
    strike_observation,
)
from sitesys.sites.booths import mark_clean, take_out_of_service
from tests.checkin.helpers import floor
from tests.factories import make_client, make_visit


def poll(client, stamp=None):
    headers = {"HX-Request": "true"}
    if stamp:
        headers["X-Board-Stamp"] = stamp
    return client.get("/board/partial", headers=headers)


def stamp_of(response):
    return re.search(r'data-board-stamp="([^"]+)"', response.get_data(as_text=True)).group(1)


def _midday():
    """Today at noon: a board drawn just before midnight changes at midnight (restrictions end
    then), so a test of "no change" must not run across it."""
    return utcnow().replace(hour=12, minute=0, second=0, microsecond=0)


def test_an_unchanged_board_is_answered_no_change_and_a_changed_one_is_drawn(client, db):
    with time_machine.travel(_midday(), tick=False) as clock:
        site, booths, nurse = floor(db, client, Role.NURSE)
        first = poll(client)
        assert first.status_code == 200
        stamp = stamp_of(first)
        unchanged = poll(client, stamp)
        assert unchanged.status_code == 204 and unchanged.get_data() == b""
        visit = make_visit(db, site, nurse, booth=booths[0])
        record_quick_check(db, nurse, visit, str(uuid.uuid4()))
        changed = poll(client, stamp)
        assert changed.status_code == 200 and stamp_of(changed) != stamp
        assert visit.display_tag in changed.get_data(as_text=True)
        clock.shift(timedelta(seconds=5))
        assert poll(client, stamp_of(changed)).status_code == 204


def test_the_clock_alone_redraws_the_board_when_a_minute_ticks_or_a_check_falls_due(client, db):
    start = _midday()
    with time_machine.travel(start, tick=False) as clock:
        site, booths, nurse = floor(db, client, Role.NURSE)
        make_visit(db, site, nurse, booth=booths[0], at=start)
        record_quick_check(
            db, nurse, make_visit(db, site, nurse, booth=booths[1], at=start), str(uuid.uuid4())
        )
        stamp = stamp_of(poll(client))
        clock.shift(timedelta(seconds=59))
        assert poll(client, stamp).status_code == 204
        clock.shift(timedelta(seconds=1))
        redrawn = poll(client, stamp)
        assert redrawn.status_code == 200 and "1 min</strong> in booth" in redrawn.get_data(
            as_text=True
        )
        clock.shift(timedelta(minutes=4))
        due = poll(client, stamp_of(redrawn))
        assert due.status_code == 200 and "Check due" in due.get_data(as_text=True)


def test_a_stamp_from_another_site_or_tampered_is_not_trusted(client, db):
    floor(db, client, Role.NURSE)
    stamp = stamp_of(poll(client))
    site_id, digest, until = stamp.split(".")
    for bad in (f"{int(site_id) + 1}.{digest}.{until}", f"{site_id}.{digest}.{until}x", "junk", ""):
        assert poll(client, bad).status_code == 200


def _actions():
    def check_in_walk_in(db, site, nurse, booths, visit):
        from sitesys.checkin.models import DrugChecked, Route
        from sitesys.checkin.services import CheckInRequest, check_in

        request = CheckInRequest(str(uuid.uuid4()), Route.SMOKE, DrugChecked.NO, ["crack"])
        check_in(db, nurse, site, request)

    def observation(db, site, nurse, booths, visit):
        record_observation(
            db, nurse, visit, ObservationInput(Consciousness.ALERT), str(uuid.uuid4())
        )

    def strike(db, site, nurse, booths, visit):
        obs = record_quick_check(db, nurse, visit, str(uuid.uuid4()))
        before = fingerprint(db, site.id)
        strike_observation(db, nurse, obs, "Wrong client")
        assert fingerprint(db, site.id) != before

    def emergency(db, site, nurse, booths, visit):
        incident = start_response(db, nurse, visit).incident
        before = fingerprint(db, site.id)
        end_response(db, nurse, incident)
        assert fingerprint(db, site.id) != before

    def flag(db, site, nurse, booths, visit):
        add_flag(db, nurse, visit.client, kind=FlagKind.ALLERGY, note="Latex", ends_on=None)

    return {
        "check-in": check_in_walk_in,
        "aftercare": lambda db, site, nurse, booths, visit: move_to_aftercare(
            db, nurse, visit, VisitStatus.IN_BOOTH
        ),
        "check-out": lambda db, site, nurse, booths, visit: check_out(
            db, nurse, visit, VisitStatus.IN_BOOTH
        ),
        "out of service": lambda db, site, nurse, booths, visit: take_out_of_service(
            db, nurse, booths[1], "Spill"
        ),
        "quick check": lambda db, site, nurse, booths, visit: record_quick_check(
            db, nurse, visit, str(uuid.uuid4())
        ),
        "observation": observation,
        "strike-through": strike,
        "emergency started and ended": emergency,
        "safety flag": flag,
    }


@pytest.mark.parametrize("action", sorted(_actions()))
def test_every_change_to_the_floor_changes_the_fingerprint(client, db, action):
    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(db, site, nurse, booth=booths[0], client=make_client(db, site))
    before = fingerprint(db, site.id)
    _actions()[action](db, site, nurse, booths, visit)
    assert fingerprint(db, site.id) != before


def test_cleaning_and_the_end_of_day_job_change_the_fingerprint(client, db):
    from datetime import time

    site, booths, nurse = floor(db, client, Role.NURSE)
    site.closing_time = time(22, 0)
    noon = utcnow().replace(hour=12, minute=0)
    visit = make_visit(db, site, nurse, booth=booths[0], at=noon - timedelta(days=1))
    before = fingerprint(db, site.id)
    with time_machine.travel(noon, tick=False):
        assert end_of_day(db) == 1
    after_job = fingerprint(db, site.id)
    assert after_job != before
    db.refresh(booths[0])
    mark_clean(db, nurse, booths[0])
    assert fingerprint(db, site.id) != after_job
    assert visit.status is VisitStatus.LEFT_WITHOUT_CHECKOUT
