from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.incidents.kinds import ActionKind, NaloxoneRoute, PhysicalHarm
from sitesys.incidents.queue import neutralise
from sitesys.incidents.reports import submit_report
from sitesys.incidents.services import end_response, record_action, strike_action
from tests.factories import sign_in
from tests.incidents.helpers import complete_report, make_floor, naloxone, started, tap


def rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def reported(db, floor, **report):
    incident = started(db, floor)
    record_action(db, floor.nurse, incident, naloxone("0.4"))
    record_action(db, floor.nurse, incident, naloxone("0.4"))
    wrong = record_action(db, floor.nurse, incident, naloxone("4", NaloxoneRoute.INTRANASAL))
    strike_action(db, floor.nurse, wrong.action, "Not given")
    record_action(db, floor.nurse, incident, tap(ActionKind.EMS_CALLED))
    end_response(db, floor.nurse, incident)
    submit_report(db, floor.nurse, incident, complete_report([floor.nurse], **report))
    return incident


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+44 20", "'+44 20"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tlead", "'\tlead"),
        ("\rlead", "'\rlead"),
        ("Plain words", "Plain words"),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(cell, safe):
    assert neutralise(cell) == safe


def test_the_export_leaves_narratives_out_unless_asked_and_neutralises_formulas(client, db):
    floor = make_floor(db)
    incident = reported(db, floor, narrative='=HYPERLINK("http://evil.example","click")')
    sign_in(client, db, floor.manager)
    response = client.post("/incidents/export", data={"state": "active"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    header, row = rows(response)
    assert "Narrative" not in header and "HYPERLINK" not in response.get_data(as_text=True)
    record = dict(zip(header, row, strict=True))
    assert record["Reference"] == incident.reference
    assert record["Urgent"] == "yes" and record["Types"] == "Opioid overdose"
    assert record["Naloxone doses"] == "2" and record["Naloxone total (mg)"] == "0.8"
    assert record["Physical harm"] == "Moderate" and record["Reported by"] == "Nia Nurse"
    assert "Amber Heron" not in response.get_data(as_text=True)

    with_text = client.post(
        "/incidents/export", data={"state": "active", "include_narratives": "y"}
    )
    header, row = rows(with_text)
    assert header[-1] == "Narrative"
    assert row[-1] == '\'=HYPERLINK("http://evil.example","click")'


def test_the_export_follows_the_filters_and_is_audited(client, db):
    floor = make_floor(db)
    reported(db, floor, physical_harm=PhysicalHarm.SEVERE)
    reported(db, floor)
    sign_in(client, db, floor.manager)
    response = client.post("/incidents/export", data={"harm": "severe", "state": "all"})
    header, *data = rows(response)
    assert len(data) == 1 and data[0][header.index("Physical harm")] == "Severe"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "incidents.exported"))
    assert event is not None and event.actor_id == floor.manager.id
    assert event.detail["count"] == 1 and event.detail["harm"] == "severe"
    assert event.detail["include_narratives"] is False


def test_another_sites_incidents_are_not_exported(client, db):
    theirs = make_floor(db)
    reported(db, theirs)
    mine = make_floor(db)
    sign_in(client, db, mine.manager)
    _header, *data = rows(client.post("/incidents/export", data={"state": "all"}))
    assert data == []


@pytest.mark.parametrize("role", [Role.NURSE, Role.FRONT_DESK, Role.ADMIN])
def test_only_managers_export(client, db, role):
    floor = make_floor(db)
    reported(db, floor)
    sign_in(client, db, floor.staff(role))
    assert client.post("/incidents/export", data={"state": "all"}).status_code == 403
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "incidents.exported")) is None


def test_bad_filters_export_nothing(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.manager)
    response = client.post(
        "/incidents/export",
        data={"date_from": "2026-03-01", "date_to": "2026-02-01"},
        follow_redirects=True,
    )
    assert "The end date is before the start date." in response.get_data(as_text=True)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "incidents.exported")) is None
