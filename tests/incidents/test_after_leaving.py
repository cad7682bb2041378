"""Someone who collapses just outside soon after leaving is responded to on their visit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.checkin.models import VisitStatus
from sitesys.clock import utcnow
from sitesys.incidents.models import Incident
from sitesys.incidents.services import IncidentError, start_response
from tests.factories import make_client, make_site, make_staff, make_visit, sign_in
from tests.incidents.helpers import make_floor


def _left(db, floor, minutes_ago, tag, site=None):
    site = site or floor.site
    return make_visit(
        db,
        site,
        floor.desk,
        client=make_client(db, site, display_tag=tag),
        status=VisitStatus.LEFT,
        left_at=utcnow() - timedelta(minutes=minutes_ago),
    )


def _counts(db):
    incidents = db.scalar(select(func.count()).select_from(Incident))
    events = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "incident.response_started")
    )
    return incidents, events


def test_a_response_starts_for_a_client_who_left_within_the_hour_and_not_later(db):
    floor = make_floor(db)
    just_left = _left(db, floor, 50, "Jade Wren 9")
    long_gone = _left(db, floor, 61, "Teal Otter 3")
    assert start_response(db, floor.nurse, just_left).incident.visit_id == just_left.id
    before = _counts(db)
    with pytest.raises(IncidentError, match="Teal Otter 3 left more than an hour ago"):
        start_response(db, floor.nurse, long_gone)
    assert _counts(db) == before


def test_the_incidents_page_offers_those_who_left_in_the_last_hour(client, db):
    floor = make_floor(db)
    _left(db, floor, 10, "Jade Wren 9")
    _left(db, floor, 90, "Teal Otter 3")
    other = make_site(db)
    make_staff(db, floor.nurse.role, [other])
    _left(db, floor, 5, "Rose Finch 4", site=other)
    db.commit()
    sign_in(client, db, floor.nurse)
    page = client.get("/incidents/").get_data(as_text=True)
    section = page[page.index("<h3>Left in the last hour</h3>") : page.index("</details>")]
    assert 'Start emergency response<span class="visually-hidden"> for Jade Wren 9' in section
    assert "Teal Otter 3" not in page and "Rose Finch 4" not in page


def test_the_visit_page_offers_the_button_within_the_hour_and_refuses_later(client, db):
    floor = make_floor(db)
    just_left = _left(db, floor, 10, "Jade Wren 9")
    long_gone = _left(db, floor, 90, "Teal Otter 3")
    db.commit()
    sign_in(client, db, floor.nurse)
    assert f'action="/incidents/start/{just_left.id}"' in client.get(
        f"/visits/{just_left.id}"
    ).get_data(as_text=True)
    assert "/incidents/start/" not in client.get(f"/visits/{long_gone.id}").get_data(as_text=True)
    before = _counts(db)
    refused = client.post(f"/incidents/start/{long_gone.id}", follow_redirects=True)
    assert re.search(
        r"Teal Otter 3 left more than an hour ago, so no response was started: "
        r"use Report incident to record what happened\.",
        refused.get_data(as_text=True),
    )
    assert _counts(db) == before
    started = client.post(f"/incidents/start/{just_left.id}", follow_redirects=True)
    body = started.get_data(as_text=True)
    assert "Emergency response · Jade Wren 9" in body
    # A tap on a board that had not yet shown them leaving is told so, on the response screen.
    assert re.search(
        r"Jade Wren 9 left the site at \d\d:\d\d\. If the emergency is someone on the floor "
        r"now, start it from their tile on the board\.",
        body,
    )
    assert _counts(db) == (before[0] + 1, before[1] + 1)


def test_someone_who_has_come_back_in_is_not_offered_under_left_in_the_last_hour(client, db):
    """They are on the floor under their new visit, where the board offers the button; a
    response on the visit they left would be a second one for the same person."""
    floor = make_floor(db)
    back = make_client(db, floor.site, display_tag="Plum Lynx 11")
    make_visit(
        db,
        floor.site,
        floor.desk,
        client=back,
        status=VisitStatus.LEFT,
        left_at=utcnow() - timedelta(minutes=20),
    )
    make_visit(db, floor.site, floor.desk, client=back)
    gone = _left(db, floor, 10, "Jade Wren 9")
    walk_in = make_visit(db, floor.site, floor.desk, status=VisitStatus.LEFT)
    db.commit()
    sign_in(client, db, floor.nurse)
    page = client.get("/incidents/").get_data(as_text=True)
    section = page[page.index("<h3>Left in the last hour</h3>") : page.index("</details>")]
    assert "Plum Lynx 11" not in section
    assert gone.display_tag in section and walk_in.display_tag in section
    on_site = page[page.index("<h3>On site now</h3>") : page.index("<h3>Left in the last hour")]
    assert "Plum Lynx 11" in on_site
