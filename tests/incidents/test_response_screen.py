"""The response screen's taps answered in place (htmx), and what runs beside the totals."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from sitesys.incidents.kinds import ActionKind
from sitesys.incidents.models import IncidentAction
from sitesys.incidents.services import end_response
from tests.factories import sign_in
from tests.incidents.helpers import make_floor, started

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
