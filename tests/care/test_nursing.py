"""Wound care and blood-borne virus tests (issue 22): a nurse records them on a visit (a
services-only visit too) with a short note; each is audited, never deleted, and corrected by
striking through with a reason; the reports count them.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.care.models import CareGiven, CareKind
from sitesys.care.nursing import (
    CareRefused,
    care_of_visit,
    correct_care,
    record_care,
    strike_care,
)
from sitesys.care.reports import care_figures
from sitesys.checkin.models import VisitKind, VisitStatus
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.refusals import NotAllowed
from tests.factories import make_site, make_staff, make_substances, make_visit, sign_in
from tests.incidents.helpers import make_floor


def key() -> str:
    return str(uuid.uuid4())


def events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_nurse_records_wound_care_with_a_note_and_it_is_audited_without_the_note(db):
    floor = make_floor(db)
    row, new = record_care(
        db, floor.nurse, floor.site, floor.visit, CareKind.WOUND_CARE,
        "  Cleaned and dressed an abscess, left forearm; review in two days.  ", key(),
    )  # fmt: skip
    assert new
    assert row.note == "Cleaned and dressed an abscess, left forearm; review in two days."
    assert row.recorded_by_id == floor.nurse.id and row.visit_id == floor.visit.id
    [event] = events(db, "care.recorded")
    assert event.record_id == str(row.id) and event.actor_id == floor.nurse.id
    assert event.detail == {"kind": "wound_care", "visit_id": str(floor.visit.id)}
    assert "abscess" not in str(event.detail)


def test_the_same_form_sent_twice_makes_one_record(db):
    floor = make_floor(db)
    submission = key()
    note = "HCV antibody, dried blood spot"
    first, new = record_care(
        db, floor.nurse, floor.site, floor.visit, CareKind.BBV_TEST, note, submission
    )
    again, again_new = record_care(
        db, floor.nurse, floor.site, floor.visit, CareKind.BBV_TEST, note, submission
    )
    assert new and not again_new and again.id == first.id
    assert len(db.scalars(select(CareGiven)).all()) == 1
    assert len(events(db, "care.recorded")) == 1


@pytest.mark.parametrize("role", ["desk", "checker"])
def test_only_a_nurse_or_manager_records_care(db, role):
    floor = make_floor(db)
    with pytest.raises(NotAllowed, match="Only a nurse or a manager can record wound care"):
        record_care(
            db,
            getattr(floor, role),
            floor.site,
            floor.visit,
            CareKind.WOUND_CARE,
            "Dressing",
            key(),
        )
    assert db.scalars(select(CareGiven)).all() == []


def test_a_note_is_needed_and_kept_short(db):
    floor = make_floor(db)
    with pytest.raises(CareRefused, match="Write a short note"):
        record_care(db, floor.nurse, floor.site, floor.visit, CareKind.WOUND_CARE, "   ", key())
    with pytest.raises(CareRefused, match="500 characters"):
        record_care(db, floor.nurse, floor.site, floor.visit, CareKind.WOUND_CARE, "x" * 501, key())


def test_care_is_recorded_on_a_services_only_visit_and_soon_after_a_visit_ends(db):
    floor = make_floor(db)
    services = make_visit(
        db, floor.site, floor.desk, kind=VisitKind.SERVICES_ONLY, route=None, substances=[]
    )
    row, _ = record_care(
        db, floor.nurse, floor.site, services, CareKind.BBV_TEST, "HIV point-of-care test", key()
    )
    assert row.visit_id == services.id
    left = make_visit(db, floor.site, floor.desk, status=VisitStatus.LEFT)
    record_care(db, floor.nurse, floor.site, left, CareKind.WOUND_CARE, "Dressing changed", key())
    later = time_machine.travel(utcnow() + timedelta(hours=13), tick=False)
    with later, pytest.raises(CareRefused, match="left more than 12 hours ago"):
        record_care(db, floor.nurse, floor.site, left, CareKind.WOUND_CARE, "Late", key())


def test_a_record_is_struck_through_with_a_reason_and_kept(db):
    floor = make_floor(db)
    row, _ = record_care(
        db, floor.nurse, floor.site, floor.visit, CareKind.WOUND_CARE, "Wrong client", key()
    )
    with pytest.raises(CareRefused, match="Give a reason"):
        strike_care(db, floor.nurse, row, "  ")
    strike_care(db, floor.manager, row, "Recorded on the wrong visit")
    assert row.is_struck and row.struck_by_id == floor.manager.id
    assert row.strike_reason == "Recorded on the wrong visit" and row.note == "Wrong client"
    with pytest.raises(CareRefused, match="already struck through"):
        strike_care(db, floor.nurse, row, "Again")
    [event] = events(db, "care.struck")
    assert event.record_id == str(row.id) and "wrong" not in str(event.detail).lower()
    assert care_of_visit(db, floor.visit) == [row]


def test_a_correction_strikes_the_note_through_and_names_it(db):
    floor = make_floor(db)
    row, _ = record_care(
        db, floor.nurse, floor.site, floor.visit, CareKind.WOUND_CARE, "Right forearm", key()
    )
    with pytest.raises(CareRefused, match="same as the note"):
        correct_care(db, floor.nurse, floor.site, row, "Right forearm", "Side", key())
    submission = key()
    correction, new = correct_care(
        db, floor.nurse, floor.site, row, "Left forearm", "Wrong side written", submission
    )
    again, again_new = correct_care(
        db, floor.nurse, floor.site, row, "Left forearm", "Wrong side written", submission
    )
    assert new and not again_new and again.id == correction.id
    assert row.is_struck and row.strike_reason == "Wrong side written"
    assert row.note == "Right forearm"  # the original stays as it was written
    assert correction.corrects_id == row.id and correction.kind is CareKind.WOUND_CARE
    assert correction.note == "Left forearm" and correction.visit_id == floor.visit.id
    # A second tablet correcting the same record finds it already corrected.
    with pytest.raises(CareRefused, match="already struck through or corrected"):
        correct_care(db, floor.manager, floor.site, row, "Both forearms", "Other", key())
    [event] = events(db, "care.corrected")
    assert event.record_id == str(correction.id) and event.detail["corrects"] == str(row.id)
    assert [r.id for r in care_of_visit(db, floor.visit)] == [row.id, correction.id]


def test_the_database_refuses_to_delete_care_given(db):
    floor = make_floor(db)
    record_care(db, floor.nurse, floor.site, floor.visit, CareKind.WOUND_CARE, "Dressing", key())
    db.flush()
    with pytest.raises(DBAPIError, match="never deleted"), db.begin_nested():
        db.execute(delete(CareGiven))
    assert len(db.scalars(select(CareGiven)).all()) == 1


def test_reports_count_care_given_and_not_what_was_struck_through(db):
    floor = make_floor(db)
    today = utcnow().astimezone(floor.site.zone).date()
    wound, _ = record_care(
        db, floor.nurse, floor.site, floor.visit, CareKind.WOUND_CARE, "Dressing", key()
    )
    correct_care(db, floor.nurse, floor.site, wound, "Dressing and swab", "Swab taken", key())
    record_care(db, floor.nurse, floor.site, floor.visit, CareKind.BBV_TEST, "HCV test", key())
    struck, _ = record_care(
        db, floor.nurse, floor.site, floor.visit, CareKind.BBV_TEST, "Twice", key()
    )
    strike_care(db, floor.nurse, struck, "Recorded twice")
    figures = care_figures(db, floor.site, today, today)
    assert figures.wound_care == 1 and figures.bbv_tests == 1
    yesterday = today - timedelta(days=1)
    assert care_figures(db, floor.site, yesterday, yesterday).wound_care == 0


def test_the_visit_page_records_strikes_and_corrects_care(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    assert "Wound care and BBV tests" in page and "Record care" in page
    response = client.post(
        f"/visits/{floor.visit.id}/care",
        data={"kind": "wound_care", "note": "Cleaned a small cut", "submission_key": key()},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Wound care recorded." in page and "Cleaned a small cut" in page
    [row] = db.scalars(select(CareGiven)).all()
    response = client.post(
        f"/care/{row.id}/correct",
        data={
            "note": "Cleaned and closed a small cut",
            "reason": "Steri-strips used",
            "submission_key": key(),
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Corrected; the note it replaces stays on the record" in page
    assert "Steri-strips used" in page and "Cleaned and closed a small cut" in page
    refused = client.post(
        f"/visits/{floor.visit.id}/care",
        data={"kind": "wound_care", "note": "", "submission_key": key()},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Write a short note of what was done." in refused
    assert len(db.scalars(select(CareGiven)).all()) == 2


def test_the_front_desk_neither_sees_nor_records_care(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.desk)
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    assert "Wound care and BBV tests" not in page
    response = client.post(
        f"/visits/{floor.visit.id}/care",
        data={"kind": "bbv_test", "note": "HIV test", "submission_key": key()},
    )
    assert response.status_code == 403
    assert db.scalars(select(CareGiven)).all() == []


def test_another_sites_record_is_not_found(client, db):
    floor = make_floor(db)
    other = make_floor(db, name="Other Site")
    row, _ = record_care(
        db, other.nurse, other.site, other.visit, CareKind.WOUND_CARE, "Dressing", key()
    )
    sign_in(client, db, floor.nurse)
    response = client.post(f"/care/{row.id}/strike", data={"reason": "Not ours"})
    assert response.status_code == 404
    db.refresh(row)
    assert not row.is_struck


def test_two_tablets_correcting_one_note_at_once_give_one_correction(committed_app):
    """With real commits: the record's row lock lets the first correction strike it through; the
    second finds it corrected and is refused, so one correction stands."""
    with get_database(committed_app).new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        first_nurse = make_staff(session, Role.NURSE, [site])
        visit = make_visit(session, site, first_nurse)
        row, _ = record_care(
            session, first_nurse, site, visit, CareKind.WOUND_CARE, "Dressing", key()
        )
        tablets = []
        for _ in range(2):
            nurse = make_staff(session, Role.NURSE, [site])
            tablet = committed_app.test_client()
            sign_in(tablet, session, nurse)
            tablets.append(tablet)
        row_id = row.id
        session.commit()
    forms = [
        {
            "note": f"Dressing changed ({index})",
            "reason": "More detail",
            "submission_key": key(),
            "csrf_token": tablet.csrf_token(),
        }
        for index, tablet in enumerate(tablets)
    ]
    barrier = threading.Barrier(2)
    responses = [None, None]

    def correct(index):
        barrier.wait()
        responses[index] = tablets[index].post(f"/care/{row_id}/correct", data=forms[index])

    threads = [threading.Thread(target=correct, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in responses] == [302, 302]
    with get_database(committed_app).new_session() as session:
        rows = session.scalars(select(CareGiven).where(CareGiven.visit_id == visit.id)).all()
        assert len(rows) == 2
        [original] = [r for r in rows if r.id == row_id]
        [correction] = [r for r in rows if r.id != row_id]
        assert original.is_struck and correction.corrects_id == row_id
        assert not correction.is_struck
        corrected = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "care.corrected")
        ).all()
        assert len(corrected) == 1
