"""The incidents blueprint: every page at its address under its name, declared in its route
module, and saved through one `committing_or_403`.
"""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from werkzeug.exceptions import Forbidden

from sitesys.auth.models import Staff
from sitesys.db import get_session
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident
from sitesys.incidents.reports import ReportInput, save_draft
from sitesys.incidents.services import IncidentChanged
from sitesys.incidents.views import committing_or_403
from sitesys.refusals import NotAllowed
from tests.incidents.helpers import bring_to, make_floor, started

_I = "/incidents/<uuid:incident_id>"
#: (endpoint, address, methods): templates, the board, the home page and bookmarks use these.
ROUTES = {
    ("incidents.index", "/incidents/", ("GET",)),
    ("incidents.export", "/incidents/export", ("POST",)),
    ("incidents.new_report", "/incidents/new", ("GET", "POST")),
    ("incidents.start", "/incidents/start/<uuid:visit_id>", ("POST",)),
    ("incidents.for_visit", "/incidents/visits/<uuid:visit_id>", ("GET",)),
    ("incidents.respond", f"{_I}/respond", ("GET",)),
    ("incidents.respond_log", f"{_I}/respond/log", ("GET",)),
    ("incidents.add_action", f"{_I}/actions", ("POST",)),
    ("incidents.strike", f"{_I}/actions/<int:action_id>/strike", ("POST",)),
    ("incidents.end", f"{_I}/end", ("POST",)),
    ("incidents.report", f"{_I}/report", ("GET", "POST")),
    ("incidents.show", _I, ("GET",)),
    ("incidents.printable", f"{_I}/print", ("GET",)),
    ("incidents.amend", f"{_I}/amend", ("GET", "POST")),
    ("incidents.take", f"{_I}/review/take", ("POST",)),
    ("incidents.save_review", f"{_I}/review", ("POST",)),
    ("incidents.add_review_action", f"{_I}/review/actions", ("POST",)),
    (
        "incidents.review_action_done",
        f"{_I}/review/actions/<int:review_action_id>/done",
        ("POST",),
    ),
    ("incidents.close", f"{_I}/close", ("POST",)),
    ("incidents.reopen", f"{_I}/reopen", ("POST",)),
    ("incidents.versions", f"{_I}/versions/<any(report, review):part>", ("GET",)),
}
ROUTE_MODULES = {
    f"sitesys.incidents.views.{name}"
    for name in ("queue", "report", "respond", "review", "versions")
}


def incident_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("incidents.")]


def test_every_incident_page_keeps_its_address_name_and_methods(app):
    found = {
        (rule.endpoint, rule.rule, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in incident_rules(app)
    }
    assert found == ROUTES


def test_every_incident_view_is_declared_in_a_route_module(app):
    modules = {
        rule.endpoint: app.view_functions[rule.endpoint].__module__ for rule in incident_rules(app)
    }
    assert set(modules.values()) == ROUTE_MODULES, modules


def _narrative(db, incident_id):
    db.expire_all()
    return db.get(Incident, incident_id).narrative


def test_a_step_the_role_may_not_take_answers_403_saves_nothing_and_says_nothing(app, db):
    incident_id = started(db, make_floor(db)).id
    with app.test_request_context("/", method="POST"):
        session = get_session()

        def amend_as_someone_who_may_not():
            with committing_or_403(session) as outcome:
                session.get(Incident, incident_id).narrative = "Written by someone who may not"
                session.flush()
                outcome.say("Saved.")
                raise NotAllowed("Only the reporter or a manager can amend a submitted report.")

        with pytest.raises(Forbidden):
            amend_as_someone_who_may_not()
        # A 403 page, not a message left waiting for the next page.
        assert get_flashed_messages() == []
    assert _narrative(db, incident_id) == ""


def test_any_other_refusal_is_rolled_back_and_shown_as_committing_shows_it(app, db):
    incident_id = started(db, make_floor(db)).id
    with app.test_request_context("/", method="POST"):
        session = get_session()
        with committing_or_403(session) as outcome:
            session.get(Incident, incident_id).narrative = "Half written"
            outcome.say("Saved.")
            raise IncidentChanged("This incident is already closed.")
        assert isinstance(outcome.refusal, IncidentChanged)
        assert get_flashed_messages(with_categories=True) == [
            ("error", "This incident is already closed.")
        ]
    assert _narrative(db, incident_id) == ""


def test_a_refusal_the_view_draws_itself_is_not_flashed(app, db):
    incident_id = started(db, make_floor(db)).id
    with app.test_request_context("/", method="POST"):
        session = get_session()
        with committing_or_403(session, show_refusal=False) as outcome:
            session.get(Incident, incident_id).narrative = "Half written"
            raise IncidentChanged("This incident is already closed.")
        assert str(outcome.refusal) == "This incident is already closed."
        assert get_flashed_messages() == []
    assert _narrative(db, incident_id) == ""


def test_work_the_services_allow_is_committed_and_then_announced(app, db):
    floor = make_floor(db)
    incident_id = bring_to(db, floor, IncidentStatus.DRAFT).id
    with app.test_request_context("/", method="POST"):
        session = get_session()
        nurse = session.get(Staff, floor.nurse.id)
        with committing_or_403(session) as outcome:
            incident = session.get(Incident, incident_id)
            save_draft(session, nurse, incident, ReportInput(narrative="Breathing again at 14:05."))
            outcome.say("Draft saved. Submit it when it is complete.")
        assert not outcome.refused
        assert get_flashed_messages(with_categories=True) == [
            ("success", "Draft saved. Submit it when it is complete.")
        ]
    assert _narrative(db, incident_id) == "Breathing again at 14:05."
