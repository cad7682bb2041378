"""Two nurses saving the same draft report at the same instant (real commits, real threads, on
file SQLite and on PostgreSQL): one is saved, the other is refused with what was typed shown,
and neither is told "Draft saved" for text that was overwritten.
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from sitesys.auth.roles import Role
from sitesys.db import get_database
from sitesys.incidents.models import Incident
from sitesys.incidents.services import end_response, start_response
from sitesys.versions.models import RecordVersion
from tests.factories import make_booth, make_site, make_staff, make_substances, make_visit, sign_in
from tests.incidents.helpers import report_form

pytestmark = pytest.mark.committed

NARRATIVES = [
    "Found slumped in booth 2, breathing 6 a minute; two doses of naloxone, came round at 14:10.",
    "Booth 2: pinpoint pupils, lips blue. Oxygen at 15 L, rescue breaths until naloxone worked.",
]


def version_on(page: str) -> str | None:
    found = re.search(r'name="version" type="hidden" value="([^"]*)"', page)
    return found.group(1) if found else None


def test_two_nurses_saving_one_draft_at_once_keep_one_and_refuse_the_other(committed_app):
    with get_database(committed_app).new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        nurses = [make_staff(session, Role.NURSE, [site]) for _ in range(2)]
        visit = make_visit(session, site, nurses[0], booth=make_booth(session, site, label="2"))
        incident = start_response(session, nurses[0], visit).incident
        end_response(session, nurses[0], incident)
        tablets = []
        for nurse in nurses:
            tablet = committed_app.test_client()
            sign_in(tablet, session, nurse)
            tablets.append(tablet)
        session.commit()
        incident_id, staff = incident.id, [nurse.id for nurse in nurses]

    url = f"/incidents/{incident_id}/report"
    # Both open the draft before either saves: the forms carry what the page gave them.
    opened = [version_on(tablet.get(url).get_data(as_text=True)) for tablet in tablets]
    forms = []
    for tablet, narrative, version in zip(tablets, NARRATIVES, opened, strict=True):
        form = {
            **report_form([], narrative=narrative),
            "staff_involved": [str(person) for person in staff],
            "save": "1",
            "csrf_token": tablet.csrf_token(),
        }
        if version is not None:
            form["version"] = version
        forms.append(form)

    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def save(index: int) -> None:
        barrier.wait()
        responses[index] = tablets[index].post(url, data=forms[index])

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(r.status_code for r in responses) == [302, 409]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    loser = 1 - winner
    saved_page = tablets[winner].get(responses[winner].headers["Location"])
    assert "Draft saved." in saved_page.get_data(as_text=True)
    refused = responses[loser].get_data(as_text=True)
    assert "Draft saved" not in refused
    assert "changed by someone else since you opened it; nothing was saved" in refused
    # What the refused nurse typed is on the page to copy, beside the draft as it is now.
    assert NARRATIVES[loser] in refused and NARRATIVES[winner] in refused
    with get_database(committed_app).new_session() as session:
        stored = session.get(Incident, incident_id)
        assert stored is not None and stored.narrative == NARRATIVES[winner]
        [kept] = session.scalars(
            select(RecordVersion).where(RecordVersion.record_id == str(incident_id))
        )
        assert kept.part == "report" and kept.number == 1 and kept.saved_by_id == staff[winner]
        assert ["What happened", NARRATIVES[winner]] in kept.fields
