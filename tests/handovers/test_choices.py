"""Overlapping shifts, and shifts that ended lately: each can be handed over."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from sitesys.auth.roles import Role
from sitesys.handovers.choices import NoShiftToHandOver, choose_shift
from sitesys.handovers.models import Handover, HandoverAlert, HandoverAlertKind
from sitesys.handovers.setup import add_shift
from sitesys.handovers.shifts import ShiftDefinition, ended_shifts, running_shifts
from sitesys.handovers.tasks import handover_reminders
from sitesys.refusals import Refused
from sitesys.sites.services import add_default_stock_items
from tests.factories import make_site, make_staff, sign_in
from tests.handovers.helpers import DAY, local


def late_and_twilight(db):
    site = make_site(db, time_zone="Europe/London")
    add_default_stock_items(db, site)
    with time_machine.travel(local(site, DAY - timedelta(days=1), 6), tick=False):
        add_shift(db, None, site, "Late", time(15), time(23))
        add_shift(db, None, site, "Twilight", time(18, 30), time(23, 30))
    return site


def handovers(db):
    return {h.shift_key: h for h in db.scalars(select(Handover))}


def test_every_running_shift_and_every_shift_ended_lately_is_found():
    zone = ZoneInfo("Europe/London")
    shifts = [
        ShiftDefinition("Late", time(15), time(23)),
        ShiftDefinition("Twilight", time(18, 30), time(23, 30)),
    ]
    at_seven = local_in(zone, 19)
    assert [s.definition.name for s in running_shifts(shifts, at_seven, zone)] == [
        "Late",
        "Twilight",
    ]
    at_midnight = local_in(zone, 23, 45)
    ended = ended_shifts(shifts, at_midnight, zone, timedelta(hours=4))
    assert [s.definition.name for s in ended] == ["Twilight", "Late"]
    assert ended_shifts(shifts, at_midnight, zone, timedelta(minutes=30)) == ended[:1]


def local_in(zone, hour, minute=0):
    return datetime.combine(DAY, time(hour, minute), tzinfo=zone)


def test_the_lead_chooses_which_of_two_running_shifts_to_hand_over(client, db):
    site = late_and_twilight(db)
    with time_machine.travel(local(site, DAY, 19), tick=False):
        sign_in(client, db, make_staff(db, Role.NURSE, [site]))
        page = client.get("/handovers/current").get_data(as_text=True)
        assert ">Start handover of the Late shift</button>" in page
        assert ">Start handover of the Twilight shift</button>" in page
        assert 'value="2026-06-10/Late"' in page
        index = client.get("/handovers/").get_data(as_text=True)
        assert "Handover of the Late shift" in index and "Handover of the Twilight shift" in index

        client.post("/handovers/start", data={"shift": "2026-06-10/Late"})
        assert list(handovers(db)) == ["2026-06-10/Late"]
        again = client.get("/handovers/current").get_data(as_text=True)
        late = handovers(db)["2026-06-10/Late"]
        assert f'href="/handovers/{late.id}">Open the Late handover</a>' in again
        assert ">Start handover of the Twilight shift</button>" in again
        # Without saying which shift, nothing is started: the lead must choose.
        refused = client.post("/handovers/start", data={}, follow_redirects=True)
        assert "Several shifts can be handed over now; choose which one." in refused.get_data(
            as_text=True
        )
    assert list(handovers(db)) == ["2026-06-10/Late"]


def test_a_shift_that_ended_lately_can_still_be_handed_over_but_not_hours_later(client, db):
    site = late_and_twilight(db)
    nurse = make_staff(db, Role.NURSE, [site])
    with time_machine.travel(local(site, DAY, 23, 10), tick=False):
        sign_in(client, db, nurse)
        page = client.get("/handovers/current").get_data(as_text=True)
        assert ">Start handover of the Late shift</button>" in page and "ended at 23:00" in page
    with time_machine.travel(local(site, DAY + timedelta(days=1), 3, 1), tick=False):
        # Four hours after the Late ended, its handover is no longer offered (Twilight's still is).
        sign_in(client, db, nurse)
        offered = client.get("/handovers/current").get_data(as_text=True)
        assert "Twilight shift</button>" in offered and "Late shift</button>" not in offered
        late = client.post(
            "/handovers/start", data={"shift": "2026-06-10/Late"}, follow_redirects=True
        )
        assert "That shift can no longer be handed over here" in late.get_data(as_text=True)
    assert handovers(db) == {}
    with time_machine.travel(local(site, DAY, 23, 10), tick=False):
        sign_in(client, db, nurse)
        client.post("/handovers/start", data={"shift": "2026-06-10/Late"})
    assert list(handovers(db)) == ["2026-06-10/Late"]


def test_the_reminder_fires_for_each_overlapping_shift(db):
    site = late_and_twilight(db)
    with time_machine.travel(local(site, DAY, 22, 45), tick=False):
        assert handover_reminders(db) == 1
    with time_machine.travel(local(site, DAY, 23, 15), tick=False):
        assert handover_reminders(db) == 1
    reminders = db.scalars(
        select(HandoverAlert.shift_key)
        .where(HandoverAlert.kind == HandoverAlertKind.NOT_STARTED)
        .order_by(HandoverAlert.raised_at)
    ).all()
    assert reminders == ["2026-06-10/Late", "2026-06-10/Twilight"]


def chosen(db, site, hour, key):
    with time_machine.travel(local(site, DAY, hour), tick=False):
        from sitesys.clock import utcnow

        return choose_shift(db, site, utcnow(), key)


def test_the_shift_chosen_is_the_one_offered_under_its_key(db):
    site = late_and_twilight(db)
    assert chosen(db, site, 19, "2026-06-10/Twilight").key == "2026-06-10/Twilight"
    assert chosen(db, site, 19, "2026-06-10/Late").key == "2026-06-10/Late"
    # A form drawn before leads could choose sends no key: the one shift there is.
    assert chosen(db, site, 16, "").key == "2026-06-10/Late"


NO_SHIFT = "There is no shift running now, so there is nothing to hand over."
GONE = "That shift can no longer be handed over here; choose one of these."
SEVERAL = "Several shifts can be handed over now; choose which one."


@pytest.mark.parametrize(
    ("hour", "key", "message"),
    [
        (10, "", NO_SHIFT),
        (10, "2026-06-10/Late", NO_SHIFT),
        (19, "2026-06-09/Late", GONE),
        (16, "2026-06-10/Twilight", GONE),
        (19, "", SEVERAL),
    ],
)
def test_a_shift_not_offered_or_not_named_is_refused_in_words(db, hour, key, message):
    site = late_and_twilight(db)
    with pytest.raises(NoShiftToHandOver) as refused:
        chosen(db, site, hour, key)
    assert str(refused.value) == message
    assert isinstance(refused.value, Refused)
