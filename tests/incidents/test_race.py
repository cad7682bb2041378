"""Several tablets, one emergency, the same instant: nothing is lost and nothing is doubled
(real commits, real threads, on file SQLite and on PostgreSQL).
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from sitesys.auth.roles import Role
from sitesys.db import get_database
from sitesys.incidents.kinds import ActionKind
from sitesys.incidents.models import Incident, IncidentAction, IncidentAmendment
from sitesys.incidents.reports import report_version, submit_report
from sitesys.incidents.services import end_response, start_response
from tests.factories import make_booth, make_site, make_staff, make_substances, make_visit, sign_in
from tests.incidents.helpers import complete_report, report_form

pytestmark = pytest.mark.committed


def prepared(app, *, start: bool = True, tablets: int = 2):
    with get_database(app).new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        booth = make_booth(session, site, label="2")
        nurses = [make_staff(session, Role.NURSE, [site]) for _ in range(tablets)]
        visit = make_visit(session, site, nurses[0], booth=booth)
        incident_id = start_response(session, nurses[0], visit).incident.id if start else None
        clients = []
        for nurse in nurses:
            tablet = app.test_client()
            sign_in(tablet, session, nurse)
            clients.append(tablet)
        session.commit()
        return visit.id, incident_id, clients


def race(tablets, requests):
    barrier = threading.Barrier(len(tablets))
    responses = [None] * len(tablets)

    # Tokens are fetched before the race: a test client's cookie jar is not for two threads.
    forms = [
        {**form, "csrf_token": tablets[i].csrf_token()} for i, (_url, form) in enumerate(requests)
    ]

    def tablet(index):
        url = requests[index][0]
        barrier.wait()
        responses[index] = tablets[index].post(url, data=forms[index])

    threads = [threading.Thread(target=tablet, args=(i,)) for i in range(len(tablets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def tap(kind: str, key: str | None = None, **values: str) -> dict[str, str]:
    return {"kind": kind, "submission_key": key or str(uuid.uuid4()), **values}


def test_two_tablets_tapping_at_once_both_keep_their_action(committed_app):
    _visit_id, incident_id, tablets = prepared(committed_app)
    url = f"/incidents/{incident_id}/actions"
    responses = race(
        tablets,
        [
            (url, tap("naloxone", dose_mg="0.4", naloxone_route="intramuscular")),
            (url, tap("ems_called")),
        ],
    )
    assert [r.status_code for r in responses] == [302, 302]
    with get_database(committed_app).new_session() as session:
        kinds = sorted(a.kind.value for a in session.scalars(select(IncidentAction)))
        assert kinds == [ActionKind.EMS_CALLED.value, ActionKind.NALOXONE.value]
        incident = session.get(Incident, incident_id)
        assert incident is not None and len(incident.staff_involved) == 2


def test_four_tablets_at_once_lose_nothing(committed_app):
    _visit_id, incident_id, tablets = prepared(committed_app, tablets=4)
    url = f"/incidents/{incident_id}/actions"
    kinds = ["stimulation", "airway", "rescue_breaths", "cpr_started"]
    responses = race(tablets, [(url, tap(kind)) for kind in kinds])
    assert [r.status_code for r in responses] == [302] * 4
    with get_database(committed_app).new_session() as session:
        assert sorted(a.kind.value for a in session.scalars(select(IncidentAction))) == sorted(
            kinds
        )


def test_a_double_tap_at_the_same_instant_records_one_action(committed_app):
    _visit_id, incident_id, tablets = prepared(committed_app)
    url = f"/incidents/{incident_id}/actions"
    form = tap("oxygen", oxygen_l_per_min="15")
    same_tablet = [tablets[0], tablets[0]]
    responses = race(same_tablet, [(url, form), (url, form)])
    assert [r.status_code for r in responses] == [302, 302]
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(IncidentAction)) == 1


def test_two_tablets_starting_at_once_open_one_response(committed_app):
    visit_id, _none, tablets = prepared(committed_app, start=False)
    url = f"/incidents/start/{visit_id}"
    responses = race(tablets, [(url, {}), (url, {})])
    assert [r.status_code for r in responses] == [302, 302]
    locations = {r.headers["Location"] for r in responses}
    assert len(locations) == 1
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def submitted_report(app):
    """A submitted report, its amendment form's version, and tablets for its nurse and a
    manager.
    """
    with get_database(app).new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        nurse = make_staff(session, Role.NURSE, [site])
        manager = make_staff(session, Role.MANAGER, [site])
        incident = start_response(session, nurse, make_visit(session, site, nurse)).incident
        end_response(session, nurse, incident)
        submit_report(session, nurse, incident, complete_report([nurse]))
        tablets = []
        for person in (nurse, manager):
            tablet = app.test_client()
            sign_in(tablet, session, person)
            tablets.append(tablet)
        form = {**report_form([nurse]), "version": report_version(incident)}
        session.commit()
        return f"/incidents/{incident.id}/amend", form, tablets


def amendment_count(app):
    with get_database(app).new_session() as session:
        return session.scalar(select(func.count()).select_from(IncidentAmendment))


def test_two_amendments_from_forms_opened_together_save_one_and_refuse_the_other(committed_app):
    url, form, tablets = submitted_report(committed_app)
    nurse = {**form, "psychological_harm": "moderate", "reason": "Upset afterwards"}
    manager = {**form, "physical_harm": "severe", "reason": "Life-saving intervention"}
    responses = race(tablets, [(url, nurse), (url, manager)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    assert amendment_count(committed_app) == 1


def test_a_double_tap_on_save_amendment_at_the_same_instant_saves_one_set(committed_app):
    url, form, tablets = submitted_report(committed_app)
    amended = {**form, "physical_harm": "severe", "reason": "Life-saving intervention"}
    same_tablet = [tablets[0], tablets[0]]
    responses = race(same_tablet, [(url, amended), (url, amended)])
    assert [r.status_code for r in responses] == [302, 302]
    assert amendment_count(committed_app) == 1
