"""The response screen's taps answered in place (htmx), and what runs beside the totals."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.incidents.kinds import ActionKind
from sitesys.incidents.models import IncidentAction
from sitesys.incidents.services import end_response, record_action, strike_action
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import ObservationInput, record_observation
from tests.factories import make_site, make_staff, sign_in
from tests.incidents.helpers import make_floor, naloxone, started, tap

HX = {"HX-Request": "true"}


def text(response):
    return response.get_data(as_text=True)


def action_form(kind, key=None, **values):
    return {"kind": kind, "submission_key": key or str(uuid.uuid4()), **values}


def keys_in(page):
    return dict(re.findall(r'id="key-([a-z_]+)" value="([0-9a-f-]{36})"', page))


def test_a_tap_sent_with_htmx_is_answered_in_place_with_fresh_keys(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    screen = text(client.get(f"/incidents/{incident.id}/respond"))
    opened = keys_in(screen)
    assert set(opened) == {kind.value for kind in ActionKind}
    url = f"/incidents/{incident.id}/actions"
    form = action_form(
        "naloxone", key=opened["naloxone"], dose_mg="0.4", naloxone_route="intramuscular"
    )
    answer = client.post(url, data=form, headers=HX)
    assert answer.status_code == 200
    body = text(answer)
    assert "<html" not in body
    assert 'id="response-log"' in body and "Naloxone 0.4 mg intramuscular" in body
    assert re.search(r'id="naloxone-total">0.4 mg in 1 dose<', body)
    said = body.split('id="response-said"')[1].split("</div>")[0]
    assert "Recorded: Naloxone 0.4 mg intramuscular." in said
    fresh = keys_in(body)
    assert set(fresh) == set(opened) and not set(fresh.values()) & set(opened.values())
    # Said in place, and not again on the next page.
    assert "Recorded:" not in text(client.get(f"/incidents/{incident.id}/respond"))

    # The fresh key is a second dose; the old one sent again is the first, answered as such.
    again = text(client.post(url, data=form, headers=HX))
    assert "Already recorded: Naloxone 0.4 mg intramuscular." in again
    client.post(url, data={**form, "submission_key": fresh["naloxone"]}, headers=HX)
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 2


def test_a_wrong_value_sent_with_htmx_says_nothing_was_recorded_in_place(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    answer = client.post(
        f"/incidents/{incident.id}/actions",
        data=action_form("naloxone", dose_mg="40", naloxone_route="intramuscular"),
        headers=HX,
    )
    assert answer.status_code == 200
    said = text(answer).split('id="response-said"')[1].split("</div>")[0]
    assert "Nothing was recorded. Enter a dose from 0.01 to 10 mg." in said
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0


def test_a_tap_sent_with_htmx_after_the_end_goes_to_the_record(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    end_response(db, floor.manager, incident)
    db.commit()
    answer = client.post(
        f"/incidents/{incident.id}/actions", data=action_form("stimulation"), headers=HX
    )
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"] == f"/incidents/{incident.id}"
    record = text(client.get(answer.headers["HX-Redirect"]))
    assert "The response had already ended, so this was not recorded" in record
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0


# -- Minutes since the last naloxone dose -------------------------------------------------------


def since_last_dose(page):
    return page.split('id="naloxone-since">')[1].split("</dd>")[0]


@pytest.mark.parametrize("minutes", [2, 3])
def test_the_screen_prompts_another_dose_the_sites_minutes_after_the_last(client, db, minutes):
    floor = make_floor(db, naloxone_prompt_minutes=minutes)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    url = f"/incidents/{incident.id}/respond"
    assert since_last_dose(text(client.get(url))) == "no dose yet"
    given = utcnow()
    with time_machine.travel(given, tick=False):
        record_action(db, floor.nurse, incident, naloxone())
        db.commit()
    with time_machine.travel(given + timedelta(minutes=minutes, seconds=-1), tick=False):
        shown = since_last_dose(text(client.get(url)))
    assert f"{minutes - 1}:00</span> min" in shown
    assert "Consider another dose" in shown and " hidden>Consider another dose" in shown
    with time_machine.travel(given + timedelta(minutes=minutes), tick=False):
        shown = since_last_dose(text(client.get(f"/incidents/{incident.id}/respond/log")))
    assert f"{minutes}:00</span> min" in shown
    assert ">Consider another dose" in shown and " hidden>" not in shown
    # A second dose starts the count again; a struck-through dose does not count.
    with time_machine.travel(given + timedelta(minutes=minutes, seconds=30), tick=False):
        second = record_action(db, floor.nurse, incident, naloxone()).action
        db.commit()
        assert " hidden>Consider another dose" in since_last_dose(text(client.get(url)))
        strike_action(db, floor.nurse, second, "Tapped twice")
        db.commit()
        assert " hidden>" not in since_last_dose(text(client.get(url)))


@pytest.mark.parametrize("minutes", ["1", "4"])
def test_the_naloxone_prompt_is_two_or_three_minutes(client, db, minutes):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN, [site]))
    page = text(client.get(f"/sites/{site.id}/edit"))
    form = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    form["naloxone_prompt_minutes"] = minutes
    refused = text(client.post(f"/sites/{site.id}/edit", data=form))
    assert "Enter a whole number from 2 to 3." in refused
    db.refresh(site)
    assert site.naloxone_prompt_minutes == 3


def test_an_admin_sets_the_naloxone_prompt_to_two_minutes(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN, [site]))
    page = text(client.get(f"/sites/{site.id}/edit"))
    form = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    form["naloxone_prompt_minutes"] = "2"
    assert client.post(f"/sites/{site.id}/edit", data=form).status_code == 302
    db.refresh(site)
    assert site.naloxone_prompt_minutes == 2
    changed = db.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated"))
    assert changed is not None
    assert changed.detail["naloxone_prompt_minutes_to"] == 2


# -- Vitals in the log --------------------------------------------------------------------------


def vitals(db, floor, **readings):
    values = {"consciousness": Consciousness.UNRESPONSIVE, **readings}
    return record_observation(
        db, floor.nurse, floor.visit, ObservationInput(**values), str(uuid.uuid4())
    )


def log_of(page):
    return page.split('aria-label="Response log"')[1].split("</section>")[0]


def test_vitals_recorded_during_the_response_are_in_its_log_and_the_incidents_record(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    began = utcnow()
    with time_machine.travel(began - timedelta(minutes=10), tick=False):
        vitals(db, floor, respiratory_rate=14, consciousness=Consciousness.ALERT)
    with time_machine.travel(began, tick=False):
        incident = started(db, floor)
    with time_machine.travel(began + timedelta(minutes=1), tick=False):
        record_action(db, floor.nurse, incident, naloxone())
    with time_machine.travel(began + timedelta(minutes=2), tick=False):
        vitals(db, floor, respiratory_rate=6, spo2=84, pulse=58, on_oxygen=True)
    with time_machine.travel(began + timedelta(minutes=3), tick=False):
        record_action(db, floor.nurse, incident, tap(ActionKind.CLIENT_RESPONSIVE))
    db.commit()

    screen = text(client.get(f"/incidents/{incident.id}/respond"))
    back = re.search(r'href="([^"]*/observations/new[^"]*)">Record vitals<', screen)
    assert back is not None and back[1].endswith(
        f"next=/incidents/{incident.id}/respond"
    )  # and comes back here
    log = log_of(screen)
    given, seen, responsive = (
        log.index("Naloxone 0.4 mg intramuscular"),
        log.index("Vitals: "),
        log.index("Client responsive"),
    )
    assert given < seen < responsive
    assert "RR 6/min · SpO2 84% on oxygen · Pulse 58 · Unresponsive" in log
    assert "RR 14/min" not in log  # before the response: the visit's record, not the response's
    assert "Vitals: " in log_of(text(client.get(f"/incidents/{incident.id}/respond/log")))

    with time_machine.travel(began + timedelta(minutes=4), tick=False):
        end_response(db, floor.nurse, incident)
    with time_machine.travel(began + timedelta(minutes=20), tick=False):
        vitals(db, floor, respiratory_rate=16, consciousness=Consciousness.ALERT)
    db.commit()
    record = log_of(text(client.get(f"/incidents/{incident.id}")))
    assert record.count("Vitals: ") == 1 and "RR 6/min" in record and "RR 16/min" not in record
    printable = log_of(text(client.get(f"/incidents/{incident.id}/print")))
    assert "RR 6/min" in printable
