"""The incident report's draft and its review are saved the one way (versions): every save kept
and readable from the incident, a stale form refused with its typing shown."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from sitesys.clock import utcnow
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.review import take_into_review
from sitesys.incidents.services import end_response
from sitesys.versions.models import RecordVersion
from tests.factories import sign_in
from tests.incidents.helpers import bring_to, make_floor, report_form, started

VERSION = re.compile(r'name="version" type="hidden" value="([0-9a-f]*)"')


def text(response):
    return response.get_data(as_text=True)


def opened(client, url):
    return VERSION.search(text(client.get(url)))[1]


def drafted(db, client):
    floor = make_floor(db)
    incident = started(db, floor)
    end_response(db, floor.nurse, incident)
    sign_in(client, db, floor.nurse)
    return floor, incident, f"/incidents/{incident.id}/report"


def test_every_save_of_the_draft_is_kept_and_read_from_the_incident(client, db):
    floor, incident, url = drafted(db, client)
    first = {**report_form([floor.nurse], narrative="Found in booth 4."), "save": "1"}
    with time_machine.travel(utcnow(), tick=False) as clock:
        client.post(url, data={**first, "version": opened(client, url)})
        clock.shift(timedelta(minutes=2))
        second = {**first, "narrative": "Found in booth 4, lips blue; naloxone 0.4 mg IM."}
        client.post(url, data={**second, "version": opened(client, url)})
        # Saved again with nothing changed: no third version.
        client.post(url, data={**second, "version": opened(client, url)})
        # (Read at the same moment: a tablet's session is not older than its last request.)
        draft_page = text(client.get(url))
        history_url = f"/incidents/{incident.id}/versions/report"
        page = text(client.get(history_url))
    kept = list(db.scalars(select(RecordVersion).order_by(RecordVersion.number)))
    assert [(v.part, v.number, v.saved_by_id) for v in kept] == [
        ("report", 1, floor.nurse.id),
        ("report", 2, floor.nurse.id),
    ]
    assert ["What happened", "Found in booth 4."] in kept[0].fields
    assert ["Type of incident", "Opioid overdose"] in kept[0].fields
    assert ["Staff involved", "Nia Nurse"] in kept[0].fields
    assert kept[1].saved_at - kept[0].saved_at == timedelta(minutes=2)

    assert f'href="{history_url}">Versions of this draft (2)</a>' in draft_page
    assert f"Incident {incident.reference} · versions of the draft report" in page
    newest, oldest = page.index("Version 2"), page.index("Version 1")
    assert newest < oldest  # newest first
    assert "Found in booth 4, lips blue; naloxone 0.4 mg IM." in page[newest:oldest]
    assert "Found in booth 4.</dd>" in page[oldest:]
    # The second save changed only the narrative; the first shows everything as new.
    second_block = page[newest:oldest]
    assert second_block.count("Changed</span>") == 1
    assert re.search(r"What happened <span[^>]*>Changed</span>", second_block)
    assert "Saved " in second_block and "by Nia Nurse" in second_block


def test_a_draft_saved_from_a_stale_page_shows_the_draft_now_and_the_typing_not_saved(client, db):
    floor, incident, url = drafted(db, client)
    version = opened(client, url)
    mine = {**report_form([floor.nurse], narrative="Mine: pinpoint pupils."), "save": "1"}
    theirs = {**mine, "narrative": "Theirs: breathing 4 a minute."}
    client.post(url, data={**theirs, "version": version})
    refused = client.post(url, data={**mine, "version": version})
    body = text(refused)
    assert refused.status_code == 409
    assert "The draft report was changed by someone else since you opened it" in body
    assert "Last saved by Nia Nurse at" in body
    typed = body[body.index('aria-label="What you typed (not saved)"') :]
    assert "Mine: pinpoint pupils." in typed
    # The form holds the draft as it is now, with the version to save on top of it.
    assert re.search(r'name="narrative"[^>]*>\s*Theirs: breathing 4 a minute.</textarea>', body)
    assert VERSION.search(body)[1] == opened(client, url)
    db.refresh(incident)
    assert incident.narrative == "Theirs: breathing 4 a minute."
    assert len(db.scalars(select(RecordVersion)).all()) == 1


def test_submitting_keeps_the_last_draft_and_the_incident_page_links_its_versions(client, db):
    floor, incident, url = drafted(db, client)
    form = {**report_form([floor.nurse]), "submit": "1", "version": opened(client, url)}
    client.post(url, data=form)
    db.refresh(incident)
    assert incident.status is IncidentStatus.SUBMITTED
    page = text(client.get(f"/incidents/{incident.id}"))
    assert (
        f'href="/incidents/{incident.id}/versions/report">Versions of the draft report (1)' in page
    )
    printed = text(client.get(f"/incidents/{incident.id}/print"))
    assert "/versions/" not in printed


def test_review_versions_are_kept_and_read_by_the_nurse_too(app, client, db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    take_into_review(db, floor.manager, incident)
    manager = app.test_client()
    sign_in(manager, db, floor.manager)
    page = f"/incidents/{incident.id}"
    review = {
        "findings": "Naloxone within two minutes.",
        "contributing_factors": "",
        "learning": "",
    }
    manager.post(f"{page}/review", data={**review, "version": opened(manager, page)})
    later = {**review, "learning": "Keep oxygen by booth 4."}
    manager.post(f"{page}/review", data={**later, "version": opened(manager, page)})
    sign_in(client, db, floor.nurse)
    history = text(client.get(f"{page}/versions/review"))
    assert "versions of the review" in history
    assert history.index("Version 2") < history.index("Version 1")
    assert "Keep oxygen by booth 4." in history and "Naloxone within two minutes." in history
    assert f'href="{page}/versions/review">Versions of the review (2)' in text(client.get(page))
