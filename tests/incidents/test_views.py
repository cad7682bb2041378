from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from flask import render_template_string
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.models import VisitStatus
from sitesys.clock import utcnow
from sitesys.incidents.kinds import (
    ActionKind,
    IncidentStatus,
    NaloxoneRoute,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.incidents.models import Incident, IncidentAction, IncidentAmendment, ReviewAction
from sitesys.incidents.reports import submit_report
from sitesys.incidents.review import ReviewInput, record_review, review_version, take_into_review
from sitesys.incidents.services import end_response, record_action
from tests.factories import make_booth, make_client, make_site, make_staff, make_visit, sign_in
from tests.incidents.helpers import complete_report, make_floor, naloxone, report_form, started, tap


def text(response):
    return response.get_data(as_text=True)


def action_form(kind, key=None, **values):
    return {"kind": kind, "submission_key": key or str(uuid.uuid4()), **values}


VERSION = re.compile(r'name="version" type="hidden" value="([0-9a-f]*)"')


def version_on(page):
    """The version a page's form carries (the hidden field a browser sends back)."""
    return VERSION.search(page)[1]


def opened_version(client, url):
    """The version a form carries when opened."""
    return version_on(text(client.get(url)))


def events(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def submitted(db, floor):
    incident = started(db, floor)
    record_action(db, floor.nurse, incident, tap(ActionKind.EMS_CALLED))
    end_response(db, floor.nurse, incident)
    submit_report(db, floor.nurse, incident, complete_report([floor.nurse]))
    return incident


# -- Who may do what ----------------------------------------------------------------------------


def incident_urls(app, incident, action_id=1, review_action_id=1):
    """Every route of the incidents blueprint, with its methods, for one incident."""
    values = {
        "incident_id": incident.id,
        "visit_id": incident.visit_id,
        "action_id": action_id,
        "review_action_id": review_action_id,
        "part": "report",
    }
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("incidents."):
                continue
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield rule.endpoint, method, url


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_front_desk_and_admin_are_refused_every_incident_route(app, client, db, role):
    floor = make_floor(db)
    incident = started(db, floor)
    sign_in(client, db, floor.staff(role))
    urls = list(incident_urls(app, incident))
    assert len(urls) >= 20
    for endpoint, method, url in urls:
        response = client.get(url) if method == "GET" else client.post(url, data={})
        assert response.status_code == 403, (endpoint, method)
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0
    home = text(client.get("/"))
    assert "/incidents/" not in home


MANAGER_ONLY = {
    "incidents.take",
    "incidents.save_review",
    "incidents.add_review_action",
    "incidents.review_action_done",
    "incidents.close",
    "incidents.reopen",
    "incidents.export",
}


def test_nurses_are_refused_the_review_and_the_export(app, client, db):
    floor = make_floor(db)
    incident = submitted(db, floor)
    sign_in(client, db, floor.nurse)
    for endpoint, _method, url in incident_urls(app, incident):
        if endpoint in MANAGER_ONLY:
            assert client.post(url, data={"reason": "x"}).status_code == 403, endpoint
    db.refresh(incident)
    assert incident.status is IncidentStatus.SUBMITTED


@pytest.mark.parametrize("role", [Role.NURSE, Role.MANAGER])
def test_another_sites_incident_does_not_exist_here(app, client, db, role):
    theirs = make_floor(db)
    incident = submitted(db, theirs)
    mine = make_site(db)
    sign_in(client, db, make_staff(db, role, [mine]))
    for endpoint, method, url in incident_urls(app, incident):
        if endpoint in ("incidents.index", "incidents.new_report", "incidents.export"):
            continue
        if role is Role.NURSE and endpoint in MANAGER_ONLY:
            continue
        response = client.get(url) if method == "GET" else client.post(url, data={})
        assert response.status_code == 404, (endpoint, method)
    db.refresh(incident)
    assert incident.status is IncidentStatus.SUBMITTED and incident.amendments == []


# -- The response screen ------------------------------------------------------------------------


def test_a_nurse_starts_a_response_and_gets_the_big_buttons_and_the_clock(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    response = client.post(f"/incidents/start/{floor.visit.id}")
    incident = db.scalar(select(Incident))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/incidents/{incident.id}/respond"
    page = text(client.get(response.headers["Location"]))
    assert "Emergency response · Amber Heron 27 · Booth 4" in page
    assert f'data-clock-since="{incident.started_at.isoformat()}"' in page
    for kind in ActionKind:
        assert re.search(
            rf'<button type="submit" class="button-big[^"]*">{re.escape(kind.label)}</button>', page
        ), kind
    assert "End response</summary>" in page and "Yes, end the response</button>" in page
    assert 'name="dose_mg" step="any" type="number" value="0.4"' in page
    checked = '<input checked id="naloxone_route-0" name="naloxone_route" type="radio"'
    assert checked + ' value="intramuscular">' in page
    assert 'name="oxygen_l_per_min" step="any" type="number" value="15"' in page
    assert "0 mg in 0 doses" in page and "not called" in page
    # The vitals shortcut records an observation on the same visit and comes back here.
    assert re.search(
        rf'href="/visits/{floor.visit.id}/observations/new\?next=(/|%2F)incidents(/|%2F)'
        rf'{incident.id}(/|%2F)respond"',
        page,
    )
    assert "Record vitals" in page


def test_starting_twice_opens_the_same_response(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    client.post(f"/incidents/start/{floor.visit.id}")
    again = client.post(f"/incidents/start/{floor.visit.id}", follow_redirects=True)
    assert "An emergency response is already running for Amber Heron 27 in Booth 4." in text(again)
    assert db.scalar(select(func.count()).select_from(Incident)) == 1


def test_a_walk_in_is_named_with_where_they_are(client, db):
    from sitesys.incidents.services import start_response

    floor = make_floor(db)
    booth = make_booth(db, floor.site, label="5")
    in_booth = make_visit(db, floor.site, floor.desk, booth=booth)
    waiting = make_visit(db, floor.site, floor.desk)
    aftercare = make_visit(db, floor.site, floor.desk, status=VisitStatus.AFTERCARE)
    gone = make_visit(db, floor.site, floor.desk, status=VisitStatus.LEFT)
    for visit in (in_booth, waiting, aftercare):
        assert visit.display_tag.startswith("Walk-in")
        start_response(db, floor.nurse, visit)
    sign_in(client, db, floor.nurse)
    page = text(client.get("/incidents/"))
    running = re.search(r'aria-label="Emergency responses running">(.*?)</section>', page, re.S)[1]
    for said in (
        f"{in_booth.display_tag} in Booth 5 · running",
        f"{waiting.display_tag} on the waiting list · running",
        f"{aftercare.display_tag} in aftercare · running",
    ):
        assert said in running, said
    again = text(client.post(f"/incidents/start/{waiting.id}", follow_redirects=True))
    assert f"already running for {waiting.display_tag} on the waiting list." in again
    assert f"Emergency response · {waiting.display_tag} · Waiting list</h1>" in again
    respond = text(client.get(f"/incidents/visits/{in_booth.id}", follow_redirects=True))
    assert f"Emergency response · {in_booth.display_tag} · Booth 5</h1>" in respond
    none = text(client.get(f"/incidents/visits/{gone.id}", follow_redirects=True))
    assert f"No emergency response is running for {gone.display_tag}, who has left the site." in (
        none
    )


def test_the_start_button_partial_starts_or_rejoins(app, client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    none_yet = client.get(f"/incidents/visits/{floor.visit.id}")
    assert none_yet.headers["Location"] == f"/visits/{floor.visit.id}"
    visit_page = text(client.get(none_yet.headers["Location"]))
    assert "No emergency response is running for Amber Heron 27 in Booth 4." in visit_page
    page = text(client.get("/incidents/"))
    assert f'action="/incidents/start/{floor.visit.id}"' in page
    # The button's name says whose response it starts (screen readers hear the hidden part).
    assert (
        'Start emergency response<span class="visually-hidden"> for Amber Heron 27 in Booth 4'
        "</span></button>" in page
    )
    incident = started(db, floor)
    page = text(client.get("/incidents/"))
    assert f'href="/incidents/visits/{floor.visit.id}"' in page
    assert "Emergency response running — open it" in page
    follow = client.get(f"/incidents/visits/{floor.visit.id}")
    assert follow.headers["Location"] == f"/incidents/{incident.id}/respond"


def test_the_start_button_partial_on_its_own(app, client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    template = '{% include "incidents/_start_button.html" %}'
    with app.test_request_context("/"):
        from flask_login import login_user

        floor.nurse.attach_session_token("test-token")
        floor.desk.attach_session_token("test-token")
        login_user(floor.nurse)
        assert "Start emergency response" in render_template_string(template, visit=floor.visit)
        started(db, floor)
        assert "running — open it" in render_template_string(template, visit=floor.visit)
        rendered = render_template_string(template, visit=floor.visit, emergency_running=False)
        assert "Start emergency response" in rendered
        login_user(floor.desk)
        assert render_template_string(template, visit=floor.visit).strip() == ""


def test_taps_are_recorded_with_their_values_and_totals(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    url = f"/incidents/{incident.id}/actions"
    client.post(url, data=action_form("oxygen", oxygen_l_per_min="15"))
    for _ in range(2):
        client.post(
            url, data=action_form("naloxone", dose_mg="0.4", naloxone_route="intramuscular")
        )
    client.post(url, data=action_form("ems_called"))
    page = client.post(url, data=action_form("client_responsive"), follow_redirects=True)
    body = text(page)
    assert "Recorded: Client responsive." in body
    assert "0.8 mg in 2 doses" in body and re.search(r"called 0 min ago", body)
    kinds = [a.kind for a in db.scalars(select(IncidentAction).order_by(IncidentAction.id))]
    assert kinds == [
        ActionKind.OXYGEN,
        ActionKind.NALOXONE,
        ActionKind.NALOXONE,
        ActionKind.EMS_CALLED,
        ActionKind.CLIENT_RESPONSIVE,
    ]
    log = body.split('aria-label="Response log"')[1]
    assert "Oxygen 15 L/min" in log and log.count("Naloxone 0.4 mg intramuscular") == 2


def test_a_double_tap_of_one_button_records_one_action(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    form = action_form("stimulation")
    client.post(f"/incidents/{incident.id}/actions", data=form)
    again = client.post(f"/incidents/{incident.id}/actions", data=form, follow_redirects=True)
    assert "Already recorded: Stimulation." in text(again)
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 1


@pytest.mark.parametrize(
    "form",
    [
        action_form("naloxone", dose_mg="0.4", naloxone_route="intramuscular"),
        action_form("naloxone", dose_mg="", naloxone_route="intramuscular"),
    ],
)
def test_a_tap_after_another_tablet_ended_the_response_says_it_was_not_recorded(client, db, form):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    end_response(db, floor.manager, incident)
    db.commit()
    page = text(client.post(f"/incidents/{incident.id}/actions", data=form, follow_redirects=True))
    assert "The response had already ended, so this was not recorded: add it to the report." in page
    assert "this is the incident&#39;s record" not in page  # one message, not two
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            action_form("naloxone", dose_mg="40", naloxone_route="intranasal"),
            "Enter a dose from 0.01 to 10 mg.",
        ),
        (
            action_form("naloxone", dose_mg="lots", naloxone_route="intranasal"),
            "Enter a number, such as 0.4.",
        ),
        (action_form("naloxone", dose_mg="0.4"), "Choose how the naloxone was given."),
        (action_form("oxygen", oxygen_l_per_min="60"), "Enter a flow from 0.5 to 15 L/min."),
        (
            action_form("oxygen", oxygen_l_per_min="2.25"),
            "Enter the flow to one decimal place at most.",
        ),
        (
            action_form("naloxone", dose_mg="0.125", naloxone_route="intravenous"),
            "Enter the dose to two decimal places at most.",
        ),
        (
            action_form("naloxone", dose_mg="NaN", naloxone_route="intravenous"),
            "Enter a number, such as 0.4.",
        ),
        (action_form("note", note=""), "Write the note before pressing Note."),
        (action_form("levitation"), "Choose an action."),
    ],
)
def test_a_refused_value_comes_back_marked_and_nothing_is_recorded(client, db, form, message):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    response = client.post(f"/incidents/{incident.id}/actions", data=form)
    assert response.status_code == 422
    body = text(response)
    assert message in body and "Nothing was recorded." in body
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0


def test_a_null_character_in_a_note_is_refused_and_nothing_is_recorded(client, db):
    # Refused for every form by the app (sitesys/errors.py); PostgreSQL could not store it.
    floor = make_floor(db)
    incident = started(db, floor)
    sign_in(client, db, floor.nurse)
    response = client.post(
        f"/incidents/{incident.id}/actions", data=action_form("note", note="Breathing\x00 again")
    )
    assert response.status_code == 400
    assert "cannot be stored (a null character), so nothing was saved" in text(response)
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0


def test_a_wrong_tap_is_struck_through_and_stays_visible(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    action = record_action(
        db, floor.nurse, incident, naloxone("4", NaloxoneRoute.INTRANASAL)
    ).action
    url = f"/incidents/{incident.id}/actions/{action.id}/strike"
    refused = client.post(url, data={"reason": ""}, follow_redirects=True)
    assert "Give a reason for striking the action through." in text(refused)
    page = text(
        client.post(url, data={"reason": "Tapped on the wrong tablet"}, follow_redirects=True)
    )
    assert "Struck through: Naloxone 4 mg intranasal. It stays in the log." in page
    assert '<span class="struck">Naloxone 4 mg intranasal</span>' in page
    assert "Tapped on the wrong tablet" in page and "0 mg in 0 doses" in page
    db.refresh(action)
    assert action.struck_by_id == floor.nurse.id


def test_the_log_partial_shows_other_tablets_taps_and_stops_polling_after_the_end(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    record_action(db, floor.manager, incident, tap(ActionKind.AIRWAY))
    log = text(client.get(f"/incidents/{incident.id}/respond/log", headers={"HX-Request": "true"}))
    assert "Airway / recovery position" in log and "Max Manager" in log
    assert 'hx-trigger="every 5s"' in log and "<html" not in log
    end_response(db, floor.manager, incident)
    log = text(client.get(f"/incidents/{incident.id}/respond/log", headers={"HX-Request": "true"}))
    assert "hx-trigger" not in log and "The response ended at" in log


def test_ending_the_response_stops_the_clock_and_opens_the_report(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    response = client.post(f"/incidents/{incident.id}/end", follow_redirects=True)
    assert "Response ended. Complete the report while it is fresh." in text(response)
    assert response.request.path == f"/incidents/{incident.id}/report"
    db.refresh(incident)
    assert incident.status is IncidentStatus.DRAFT and incident.response_ended_at is not None
    late = client.post(f"/incidents/{incident.id}/actions", data=action_form("stimulation"))
    assert late.headers["Location"] == f"/incidents/{incident.id}"
    assert "so this was not recorded: add it to the report." in text(client.get(late.location))
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0
    again = client.post(f"/incidents/{incident.id}/end", follow_redirects=True)
    assert "The response has already ended." in text(again)
    respond = client.get(f"/incidents/{incident.id}/respond")
    assert respond.headers["Location"] == f"/incidents/{incident.id}"
    record = text(client.get(respond.headers["Location"]))
    assert "The response has ended; this is the incident&#39;s record." in record


# -- The report ---------------------------------------------------------------------------------


def test_a_draft_saves_with_fields_missing(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    end_response(db, floor.nurse, incident)
    page = text(client.get(f"/incidents/{incident.id}/report"))
    for legend in (
        "Type of incident",
        "Substances involved",
        "Outcome",
        "Physical harm",
        "Psychological harm",
        "Staff involved",
    ):
        assert f"<legend>{legend}</legend>" in page, legend
    assert re.search(
        r'<input checked id="substances-\d+" name="substances" type="checkbox" value="heroin">',
        page,
    )
    assert "Needed for an incident on a client's visit." in page
    nurse_box = r'<input checked id="staff_involved-\d+" name="staff_involved" type="checkbox"'
    assert re.search(nurse_box + rf' value="{floor.nurse.id}">', page)
    response = client.post(
        f"/incidents/{incident.id}/report",
        data={"narrative": "Half written", "save": "1", "version": version_on(page)},
        follow_redirects=True,
    )
    assert "Draft saved. Submit it when it is complete." in text(response)
    db.refresh(incident)
    assert incident.status is IncidentStatus.DRAFT and incident.narrative == "Half written"


def test_submitting_an_incomplete_report_marks_each_missing_field(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    end_response(db, floor.nurse, incident)
    response = client.post(f"/incidents/{incident.id}/report", data={"submit": "1"})
    assert response.status_code == 422
    body = text(response)
    for message in (
        "Choose at least one type of incident.",
        "Describe what happened.",
        "Choose the outcome for the client.",
        "Choose the level of physical harm.",
        "Choose the level of psychological harm.",
        "Tick the staff involved.",
    ):
        assert message in body, message
    assert "Nothing was saved yet." in body
    db.refresh(incident)
    assert incident.status is IncidentStatus.DRAFT


def test_a_complete_report_is_submitted_and_then_frozen(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    end_response(db, floor.nurse, incident)
    url = f"/incidents/{incident.id}/report"
    form = {**report_form([floor.nurse]), "submit": "1", "version": opened_version(client, url)}
    response = client.post(url, data=form, follow_redirects=True)
    assert "Report submitted to the managers. Thank you." in text(response)
    db.refresh(incident)
    assert incident.status is IncidentStatus.SUBMITTED
    again = client.post(
        f"/incidents/{incident.id}/report",
        data={**form, "narrative": "Rewritten later"},
        follow_redirects=True,
    )
    assert "changes are made by amendment" in text(again)
    db.refresh(incident)
    assert incident.narrative.startswith("Found unresponsive")


def test_report_incident_files_an_incident_without_a_visit_once(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    page = text(client.get("/incidents/new"))
    assert "<h1>Report incident</h1>" in page
    key = re.search(r'name="submission_key" type="hidden" value="([0-9a-f-]{36})"', page)
    assert key is not None
    form = {
        **report_form([floor.nurse], types=["security_police"], outcome=None, substances=None),
        "narrative": "A fight at the door; police called.",
        "submission_key": key.group(1),
        "submit": "1",
    }
    first = client.post("/incidents/new", data=form, follow_redirects=True)
    assert "Report submitted to the managers. Thank you." in text(first)
    second = client.post("/incidents/new", data=form, follow_redirects=True)
    assert "That report had already been saved." in text(second)
    [incident] = db.scalars(select(Incident))
    assert incident.visit_id is None and incident.status is IncidentStatus.SUBMITTED
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "incident.reported"))
    assert event is not None and "fight" not in str(event.detail)


def test_report_incident_refuses_a_tampered_choice_in_plain_words(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    form = {
        **report_form([floor.nurse]),
        "types": ["alien_abduction"],
        "staff_involved": ["999999"],
        "submission_key": str(uuid.uuid4()),
        "save": "1",
    }
    body = text(client.post("/incidents/new", data=form))
    assert "Choose types from the list." in body and "Choose staff of this site." in body
    assert db.scalar(select(func.count()).select_from(Incident)) == 0


# -- Amendments ---------------------------------------------------------------------------------


def test_the_reporter_amends_and_the_incident_shows_old_and_new(client, db):
    floor = make_floor(db)
    incident = submitted(db, floor)
    sign_in(client, db, floor.nurse)
    page = text(client.get(f"/incidents/{incident.id}"))
    assert "Amend report" in page
    version = opened_version(client, f"/incidents/{incident.id}/amend")
    form = {**report_form([floor.nurse]), "physical_harm": "severe", "version": version}
    refused = client.post(f"/incidents/{incident.id}/amend", data=form)
    assert refused.status_code == 422 and "Give a reason for the amendment." in text(refused)
    form["reason"] = "Needed a life-saving intervention"
    response = client.post(f"/incidents/{incident.id}/amend", data=form, follow_redirects=True)
    body = text(response)
    assert "Amendment saved (physical harm)." in body
    amendments = re.search(r'aria-label="Amendments">(.*?)</section>', body, re.S).group(1)
    assert "Physical harm" in amendments and "Moderate" in amendments and "Severe" in amendments
    assert "Needed a life-saving intervention" in amendments and "Nia Nurse" in amendments
    [amendment] = db.scalars(select(IncidentAmendment))
    assert (amendment.old_value, amendment.new_value) == ("Moderate", "Severe")


def test_another_nurse_may_not_amend_and_nothing_changed_is_refused(client, db, app):
    floor = make_floor(db)
    incident = submitted(db, floor)
    colleague = make_staff(db, Role.NURSE, [floor.site])
    sign_in(client, db, colleague)
    assert client.get(f"/incidents/{incident.id}/amend").status_code == 403
    assert "Amend report" not in text(client.get(f"/incidents/{incident.id}"))
    manager = app.test_client()
    sign_in(manager, db, floor.manager)
    version = opened_version(manager, f"/incidents/{incident.id}/amend")
    same = {**report_form([floor.nurse]), "reason": "Checking", "version": version}
    body = text(manager.post(f"/incidents/{incident.id}/amend", data=same))
    assert "Nothing was changed, so there is nothing to amend." in body
    assert db.scalar(select(func.count()).select_from(IncidentAmendment)) == 0


def _amending_meanwhile(client, app, db):
    """A submitted report the nurse has open to amend while her manager amends it too: the
    floor, the incident, the amend URL, the form as opened and the version the nurse opened."""
    floor = make_floor(db)
    incident = started(db, floor)
    end_response(db, floor.nurse, incident)
    as_opened = {"physical_harm": PhysicalHarm.LOW, "psychological_harm": PsychologicalHarm.NONE}
    submit_report(db, floor.nurse, incident, complete_report([floor.nurse], **as_opened))
    take_into_review(db, floor.manager, incident)
    url = f"/incidents/{incident.id}/amend"
    sign_in(client, db, floor.nurse)
    nurse_opened = opened_version(client, url)
    manager = app.test_client()
    sign_in(manager, db, floor.manager)
    form = report_form([floor.nurse], physical_harm="low", psychological_harm="none")
    moderate = {**form, "physical_harm": "moderate", "reason": "Bruising found later"}
    saved = manager.post(url, data={**moderate, "version": opened_version(manager, url)})
    assert saved.status_code == 302
    assert [a.field for a in db.scalars(select(IncidentAmendment))] == ["physical_harm"]
    return floor, incident, url, form, nurse_opened


def test_an_amendment_from_a_stale_form_is_refused_and_the_other_amendment_stands(client, app, db):
    floor, incident, url, form, nurse_opened = _amending_meanwhile(client, app, db)
    # The nurse's form, still open, changes only the psychological harm.
    stale = {**form, "psychological_harm": "low", "reason": "Upset afterwards"}
    refused = client.post(url, data={**stale, "version": nurse_opened})
    body = text(refused)
    assert refused.status_code == 409
    assert (
        "This report was changed by someone else since you opened it; nothing was saved. "
        "Here it is as it is now — make your change again."
    ) in body
    assert 'checked id="physical_harm-2" name="physical_harm" type="radio" value="moderate"' in body
    assert 'value="Upset afterwards"' in body

    def amendments():
        rows = db.scalars(select(IncidentAmendment).order_by(IncidentAmendment.id))
        return [(a.field, a.old_value, a.new_value, a.amended_by_id) for a in rows]

    by_manager = ("physical_harm", "Low", "Moderate", floor.manager.id)
    assert amendments() == [by_manager]
    assert incident.psychological_harm is PsychologicalHarm.NONE
    # Made again on the report as it is now, her change is saved and the manager's stands.
    again = client.post(
        url, data={**stale, "physical_harm": "moderate", "version": VERSION.search(body)[1]}
    )
    assert again.status_code == 302
    assert amendments() == [by_manager, ("psychological_harm", "None", "Low", floor.nurse.id)]
    assert incident.physical_harm is PhysicalHarm.MODERATE
    assert [event.detail["fields"] for event in events(db, "incident.amended")] == [
        ["physical_harm"],
        ["psychological_harm"],
    ]


def test_a_double_tap_on_save_amendment_saves_one_set_of_amendments(client, db):
    floor = make_floor(db)
    incident = submitted(db, floor)
    sign_in(client, db, floor.nurse)
    url = f"/incidents/{incident.id}/amend"
    form = {
        **report_form([floor.nurse]),
        "physical_harm": "severe",
        "psychological_harm": "moderate",
        "reason": "Needed a life-saving intervention",
        "version": opened_version(client, url),
    }
    first = client.post(url, data=form)
    second = client.post(url, data=form, follow_redirects=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "That amendment had already been saved." in text(second)
    assert db.scalar(select(func.count()).select_from(IncidentAmendment)) == 2
    assert len(events(db, "incident.amended")) == 1


# -- Manager review and the queue ---------------------------------------------------------------


def test_the_manager_takes_reviews_adds_an_action_and_closes(client, db):
    floor = make_floor(db)
    incident = submitted(db, floor)
    sign_in(client, db, floor.manager)
    page = text(client.get(f"/incidents/{incident.id}"))
    assert "Take into review</button>" in page and "Close incident" not in page
    taken = client.post(f"/incidents/{incident.id}/review/take", follow_redirects=True)
    assert "Taken into review. You are its reviewer." in text(taken)
    early = client.post(f"/incidents/{incident.id}/close", follow_redirects=True)
    assert "Record the findings before closing the incident." in text(early)
    client.post(
        f"/incidents/{incident.id}/review",
        data={
            "findings": "Naloxone within two minutes.",
            "contributing_factors": "Fentanyl",
            "learning": "Drug alert",
            "version": opened_version(client, f"/incidents/{incident.id}"),
        },
    )
    due = (date.today() + timedelta(days=14)).isoformat()
    bad = client.post(
        f"/incidents/{incident.id}/review/actions",
        data={"description": "", "owner": "", "due_on": ""},
    )
    assert bad.status_code == 422
    for message in (
        "Say what needs to be done.",
        "Choose who owns the action.",
        "Enter the due date.",
    ):
        assert message in text(bad)
    past = (date.today() - timedelta(days=2)).isoformat()
    late = client.post(
        f"/incidents/{incident.id}/review/actions",
        data={
            "description": "Restock naloxone",
            "owner": str(floor.nurse.id),
            "due_on": past,
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert late.status_code == 422
    assert re.search(r'id="due_on-error">The due date cannot be in the past.', text(late))
    form = {
        "description": "Restock naloxone",
        "owner": str(floor.nurse.id),
        "due_on": due,
        "submission_key": str(uuid.uuid4()),
    }
    # The same form twice (a double tap, or the browser resending it): one action.
    client.post(f"/incidents/{incident.id}/review/actions", data=form)
    again = client.post(f"/incidents/{incident.id}/review/actions", data=form)
    assert again.status_code == 302
    assert db.scalar(select(func.count()).select_from(ReviewAction)) == 1
    added = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.review_action_added")
    ).all()
    assert len(added) == 1
    action = db.scalar(select(ReviewAction))
    assert action is not None and action.owner_id == floor.nurse.id
    assert "Mark done: Restock naloxone</button>" in text(client.get(f"/incidents/{incident.id}"))
    # Not closed while an action is still to do: a closed incident could never mark it done.
    waiting = client.post(f"/incidents/{incident.id}/close", follow_redirects=True)
    assert "A review action is not done yet: mark it done before closing." in text(waiting)
    db.refresh(incident)
    assert incident.status is IncidentStatus.IN_REVIEW
    client.post(f"/incidents/{incident.id}/review/actions/{action.id}/done")
    closed = client.post(f"/incidents/{incident.id}/close", follow_redirects=True)
    body = text(closed)
    assert "Incident closed." in body and "Naloxone within two minutes." in body
    assert "Restock naloxone" in body and "Done" in body
    db.refresh(incident)
    assert incident.status is IncidentStatus.CLOSED and incident.reviewer_id == floor.manager.id


def test_a_refused_amendment_shows_the_text_typed_so_it_is_not_lost(client, app, db):
    _floor, _incident, url, form, nurse_opened = _amending_meanwhile(client, app, db)
    typed = "Found slumped in booth 4 at 14:02, lips blue; two doses of naloxone given."
    refused = client.post(
        url, data={**form, "narrative": typed, "reason": "Times", "version": nurse_opened}
    )
    body = text(refused)
    assert refused.status_code == 409
    section = body[body.index('aria-label="What you typed"') :]
    assert "What you typed (not saved)" in section and typed in section
    assert db.scalar(select(func.count()).select_from(IncidentAmendment)) == 1


def test_a_review_saved_from_a_stale_tab_is_refused_and_its_text_stays_on_screen(client, db):
    floor = make_floor(db)
    incident = submitted(db, floor)
    take_into_review(db, floor.manager, incident)
    sign_in(client, db, floor.manager)
    page, url = f"/incidents/{incident.id}", f"/incidents/{incident.id}/review"
    first_tab, second_tab = opened_version(client, page), opened_version(client, page)
    findings = {
        "findings": "Naloxone within two minutes.",
        "contributing_factors": "",
        "learning": "",
    }
    saved = client.post(url, data={**findings, "version": second_tab})
    assert saved.status_code == 302
    mine = {
        "findings": "Slow to call EMS.",
        "contributing_factors": "Short-staffed",
        "learning": "",
    }
    refused = client.post(url, data={**mine, "version": first_tab})
    body = text(refused)
    assert refused.status_code == 409
    assert "The review was changed by someone else since you opened it; nothing was saved." in body
    assert (incident.findings, incident.contributing_factors) == (
        "Naloxone within two minutes.",
        "",
    )
    assert len(events(db, "incident.review_recorded")) == 1
    # The form holds the review as saved; what this tab typed is shown beside it, not lost.
    assert re.search(r'name="findings" rows="4">\s*Naloxone within two minutes.</textarea>', body)
    unsaved = re.search(r'aria-label="Your text, not saved">(.*?)</section>', body, re.S)[1]
    assert "Slow to call EMS." in unsaved and "Short-staffed" in unsaved
    assert "Learning" not in unsaved


def test_reopening_needs_a_reason_shown_in_the_history(client, db):
    floor = make_floor(db)
    incident = submitted(db, floor)
    take_into_review(db, floor.manager, incident)
    record_review(
        db, floor.manager, incident, ReviewInput(findings="Fine"), version=review_version(incident)
    )
    from sitesys.incidents.review import close_incident

    close_incident(db, floor.manager, incident)
    sign_in(client, db, floor.manager)
    refused = client.post(f"/incidents/{incident.id}/reopen", data={"reason": ""})
    assert refused.status_code == 422
    assert "Give a reason for reopening the incident." in text(refused)
    page = text(
        client.post(
            f"/incidents/{incident.id}/reopen",
            data={"reason": "Coroner asked for more detail"},
            follow_redirects=True,
        )
    )
    assert "Incident reopened into review." in page
    assert "Closed → In review · reason: Coroner asked for more detail" in page


def test_the_queue_puts_urgent_incidents_first_then_the_oldest(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.manager)
    old_quiet = started(db, floor)
    end_response(db, floor.nurse, old_quiet)
    submit_report(db, floor.nurse, old_quiet, complete_report([floor.nurse]))
    urgent = submitted(db, floor)  # EMS called
    severe_visit = make_visit(db, floor.site, floor.desk)
    from sitesys.incidents.services import start_response

    severe = start_response(db, floor.nurse, severe_visit).incident
    end_response(db, floor.nurse, severe)
    submit_report(
        db, floor.nurse, severe, complete_report([floor.nurse], physical_harm=PhysicalHarm.SEVERE)
    )
    page = text(client.get("/incidents/"))
    order = [m for m in re.findall(r'href="/incidents/([0-9a-f-]{36})">', page)]
    assert order.index(str(urgent.id)) < order.index(str(old_quiet.id))
    assert order.index(str(severe.id)) < order.index(str(old_quiet.id))
    assert page.count('badge-urgent">Urgent') == 2
    assert 'title="Awaiting review">3</span>' in page


def test_queue_filters_by_harm_type_state_and_date(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.manager)
    incident = submitted(db, floor)
    found = text(client.get("/incidents/?harm=moderate&type=opioid_overdose&state=submitted"))
    assert f"/incidents/{incident.id}" in found
    for query in (
        "harm=severe",
        "type=seizure",
        "state=closed",
        "date_from=2001-01-01&date_to=2001-01-02",
    ):
        page = text(client.get(f"/incidents/?{query}"))
        assert f'href="/incidents/{incident.id}"' not in page, query
        assert "No incidents match these filters." in page
    backwards = text(client.get("/incidents/?date_from=2026-02-02&date_to=2026-01-01"))
    assert "The end date is before the start date." in backwards


def test_the_queue_paginates(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.manager)
    for _ in range(51):
        visit = make_visit(db, floor.site, floor.desk)
        from sitesys.incidents.services import start_response

        start_response(db, floor.nurse, visit)
    first = text(client.get("/incidents/?state=open"))
    assert "Next page" in first
    second = text(client.get("/incidents/?state=open&page=2"))
    assert "Previous page" in second and "Next page" not in second


def test_the_awaiting_review_badge_is_on_every_manager_page_only(client, db, app):
    floor = make_floor(db)
    submitted(db, floor)
    sign_in(client, db, floor.manager)
    for url in ("/", "/board/", "/audit/"):
        assert 'title="Awaiting review">1</span>' in text(client.get(url)), url
    nurse = app.test_client()
    sign_in(nurse, db, floor.nurse)
    assert "Awaiting review" not in text(nurse.get("/"))


def test_the_incident_page_and_the_printable_view(client, db):
    floor = make_floor(db)
    incident = submitted(db, floor)
    sign_in(client, db, floor.nurse)
    page = text(client.get(f"/incidents/{incident.id}"))
    assert f"Incident {incident.reference}" in page and "Urgent" in page
    assert "EMS called" in page and "Opioid overdose" in page and "Heroin" in page
    printable = text(client.get(f"/incidents/{incident.id}/print"))
    assert "data-print" in printable and "<form" not in printable.split("</header>")[1]
    assert "Found unresponsive in booth 4" in printable


def test_the_nurse_sees_her_drafts_and_her_reports(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = submitted(db, floor)
    draft_visit = make_visit(db, floor.site, floor.desk)
    from sitesys.incidents.services import start_response

    draft = start_response(db, floor.nurse, draft_visit).incident
    end_response(db, floor.nurse, draft)
    page = text(client.get("/incidents/"))
    assert f"/incidents/{draft.id}/report" in page and f"/incidents/{incident.id}" in page
    assert "Incident queue" not in page and "Export CSV" not in page


def report_at(db, floor, starter, submitter, when):
    """A report started by one nurse and submitted by another (or the same) at `when`."""
    from sitesys.incidents.services import start_response

    # Someone who collapsed just outside after leaving.
    visit = make_visit(db, floor.site, floor.desk, status=VisitStatus.LEFT, left_at=when)
    with time_machine.travel(when, tick=False):
        incident = start_response(db, starter, visit).incident
        end_response(db, starter, incident)
        submit_report(db, submitter, incident, complete_report([starter]))
    return incident


def your_reports(body):
    section = re.search(r'aria-label="Your submitted reports">(.*?)</section>', body, re.S)[1]
    return re.findall(r'href="/incidents/([0-9a-f-]{36})"', section), section


def test_your_submitted_reports_are_those_you_reported_or_submitted_newest_first(client, db):
    from sitesys.incidents.queue import reports_by_statement

    floor = make_floor(db)
    colleague = make_staff(db, Role.NURSE, [floor.site], display_name="Cai Colleague")
    start = utcnow() - timedelta(days=3)
    own = [
        report_at(db, floor, floor.nurse, floor.nurse, start + timedelta(hours=n)) for n in range(3)
    ]
    for_her = report_at(db, floor, colleague, floor.nurse, start + timedelta(hours=5))
    by_her = report_at(db, floor, floor.nurse, colleague, start + timedelta(hours=6))
    theirs = report_at(db, floor, colleague, colleague, start + timedelta(hours=7))
    newest_first = [by_her, for_her, own[2], own[1], own[0]]
    assert list(db.scalars(reports_by_statement(floor.site, floor.nurse, reach=10))) == newest_first
    # Reading each index only two deep still puts the newest two first.
    assert (
        list(db.scalars(reports_by_statement(floor.site, floor.nurse, reach=2)))[:2]
        == (newest_first[:2])
    )
    sign_in(client, db, floor.nurse)
    shown, _section = your_reports(text(client.get("/incidents/")))
    assert shown == [str(incident.id) for incident in newest_first]
    assert str(theirs.id) not in shown


def test_your_submitted_reports_page_back_to_the_oldest(client, db):
    from sitesys.incidents.views.queue import MINE_PER_PAGE

    floor = make_floor(db)
    colleague = make_staff(db, Role.NURSE, [floor.site], display_name="Cai Colleague")
    start = utcnow() - timedelta(days=60)
    # Reported and submitted by her, reported by her only, submitted by her only, in turn.
    pairs = [(floor.nurse, floor.nurse), (floor.nurse, colleague), (colleague, floor.nurse)]
    reports = [
        report_at(db, floor, *pairs[n % 3], start + timedelta(hours=n))
        for n in range(MINE_PER_PAGE + 1)
    ]
    newest_first = [str(incident.id) for incident in reversed(reports)]
    sign_in(client, db, floor.nurse)
    first, section = your_reports(text(client.get("/incidents/")))
    assert first == newest_first[:MINE_PER_PAGE]
    assert "Next page" in section and "Previous page" not in section
    second, section = your_reports(text(client.get("/incidents/?page=2")))
    assert second == [str(reports[0].id)]
    assert "Previous page" in section and "Next page" not in section
    beyond, section = your_reports(text(client.get("/incidents/?page=3")))
    assert beyond == [] and "No more reports." in section


def test_pages_read_in_a_fixed_number_of_queries_however_many_rows(client, db, count_queries):
    from sitesys.incidents.services import start_response

    floor = make_floor(db)
    sign_in(client, db, floor.manager)
    incident = submitted(db, floor)
    running = start_response(db, floor.nurse, make_visit(db, floor.site, floor.desk)).incident
    pages = ("/incidents/", f"/incidents/{incident.id}", f"/incidents/{running.id}/respond", "/")

    def counts():
        found = {}
        for url in pages:
            db.expire_all()
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            found[url] = counter.count
        return found

    few = counts()
    for _ in range(4):
        person = make_client(db, floor.site)
        visit = make_visit(db, floor.site, floor.desk, client=person, status=VisitStatus.LEFT)
        other = start_response(db, floor.nurse, visit).incident
        record_action(db, floor.manager, other, tap(ActionKind.EMS_CALLED))
        end_response(db, floor.nurse, other)
        submit_report(db, floor.nurse, other, complete_report([floor.nurse]))
        record_action(db, floor.manager, running, tap(ActionKind.NOTE, note="Still breathing"))
        record_action(db, floor.nurse, running, naloxone())
    assert counts() == few


def test_the_vitals_shortcut_leads_to_the_same_visits_observation_form(app):
    from flask import url_for

    from sitesys.incidents.views.respond import vitals_url_for

    incident = Incident(id=uuid.uuid4(), visit_id=uuid.uuid4())
    with app.test_request_context():
        expected = url_for(
            "observations.new",
            visit_id=incident.visit_id,
            next=f"/incidents/{incident.id}/respond",
        )
        assert vitals_url_for(incident) == expected
        assert vitals_url_for(Incident(id=uuid.uuid4(), visit_id=None)) is None


def test_queue_dates_off_the_calendar_are_refused_plainly_not_an_error_page(client, db):
    """The day after 31 December 9999 does not exist: the queue's date filter said so with an
    error page."""
    site = make_site(db, time_zone="Asia/Tokyo")
    sign_in(client, db, make_staff(db, Role.MANAGER, [site]), site)
    for query in ("date_to=9999-12-31", "date_from=0001-01-01"):
        response = client.get(f"/incidents/?{query}")
        assert response.status_code == 200
        assert "Enter a date from 1 January 2000 to 31 December 2100." in response.get_data(
            as_text=True
        )
