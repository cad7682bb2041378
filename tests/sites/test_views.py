from __future__ import annotations

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.sites.models import Booth, BoothStatus, Site, SubstanceOption
from tests.factories import make_booth, make_site, make_staff, sign_in

SITE_FORM = {
    "name": "Harbour Street",
    "time_zone": "Europe/London",
    "closing_time": "21:30",
    "idle_timeout_minutes": "15",
    "absolute_timeout_hours": "12",
    "booth_check_minutes": "5",
    "aftercare_check_minutes": "15",
    "close_watch_minutes": "2",
    "handover_ack_minutes": "30",
    "draft_reminder_hours": "12",
    "is_active": "y",
    "code_hint": "Two letters of your first name, two of your mother's, day of birth.",
    "code_pattern": "[A-Z]{4}[0-9]{2}",
}


def test_admin_creates_a_site_with_its_settings(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post("/sites/new", data=SITE_FORM)
    assert response.status_code == 302
    site = db.scalar(select(Site).where(Site.name == "Harbour Street"))
    assert site is not None
    assert site.closing_time.strftime("%H:%M") == "21:30" and site.booth_check_minutes == 5
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "site.created"))
    codes = db.scalars(select(SubstanceOption.code).where(SubstanceOption.site_id == site.id))
    assert {"ketamine", "nitazenes", "unknown"} <= set(codes)


def test_the_incident_report_reminder_limit_is_a_site_setting(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    page = client.get("/sites/new").get_data(as_text=True)
    assert "Incident report reminder (hours)" in page and 'value="12"' in page
    refused = client.post("/sites/new", data={**SITE_FORM, "draft_reminder_hours": "0"})
    assert "Enter a whole number from 1 to 72." in refused.get_data(as_text=True)
    client.post("/sites/new", data={**SITE_FORM, "draft_reminder_hours": "6"})
    site = db.scalar(select(Site).where(Site.name == "Harbour Street"))
    assert site is not None and site.draft_reminder_hours == 6


def test_a_broken_code_pattern_is_refused(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    body = client.post("/sites/new", data={**SITE_FORM, "code_pattern": "[A-Z"}).get_data(
        as_text=True
    )
    assert "not a valid regular expression" in body
    empty = client.post("/sites/new", data={**SITE_FORM, "code_pattern": ".*"}).get_data(
        as_text=True
    )
    assert "must not accept an empty code" in empty


def test_admin_adds_hides_and_shows_substances(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    client.post(f"/sites/{site.id}/substances", data={"label": "Xylazine"})
    option = db.scalar(select(SubstanceOption).where(SubstanceOption.site_id == site.id))
    assert option is not None and option.code == "xylazine" and option.is_active
    again = client.post(f"/sites/{site.id}/substances", data={"label": "xylazine"})
    assert "xylazine is already on the list." in again.get_data(as_text=True)
    client.post(f"/sites/substances/{option.id}/hide")
    db.refresh(option)
    assert not option.is_active


def test_bad_site_settings_are_refused_field_by_field(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    bad = {**SITE_FORM, "time_zone": "Mars/Olympus", "booth_check_minutes": "0"}
    body = client.post("/sites/new", data=bad).get_data(as_text=True)
    assert "That is not a known time zone" in body
    assert "Enter a whole number from 1 to 30." in body
    assert db.scalar(select(Site).where(Site.name == "Harbour Street")) is None


def test_booths_are_added_with_unique_labels(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    url = f"/sites/{site.id}/booths"
    assert (
        client.post(url, data={"label": "3", "kind": "injecting", "position": "3"}).status_code
        == 302
    )
    again = client.post(url, data={"label": "3", "kind": "smoking", "position": "4"})
    assert "already has a booth labelled 3" in again.get_data(as_text=True)
    assert len(list(db.scalars(select(Booth).where(Booth.site_id == site.id)))) == 1


def test_out_of_service_needs_a_reason_and_comes_back_needing_cleaning(client, db):
    site = make_site(db)
    booth = make_booth(db, site, label="4")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    action = f"/sites/booths/{booth.id}/out-of-service"
    response = client.post(action, data={"oos-reason": "  "}, follow_redirects=True)
    assert "Give a reason" in response.get_data(as_text=True)
    db.refresh(booth)
    assert booth.status is BoothStatus.FREE
    client.post(action, data={"oos-reason": "Broken light"})
    db.refresh(booth)
    assert (
        booth.status is BoothStatus.OUT_OF_SERVICE and booth.out_of_service_reason == "Broken light"
    )
    client.post(f"/sites/booths/{booth.id}/back-in-service")
    db.refresh(booth)
    assert booth.status is BoothStatus.NEEDS_CLEANING and booth.out_of_service_reason is None
    client.post(f"/sites/booths/{booth.id}/clean")
    db.refresh(booth)
    assert booth.status is BoothStatus.FREE
    actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-3:] == ["booth.out_of_service", "booth.back_in_service", "booth.cleaned"]


def test_an_occupied_booth_cannot_go_out_of_service(client, db):
    booth = make_booth(db, make_site(db), status=BoothStatus.OCCUPIED)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/sites/booths/{booth.id}/out-of-service",
        data={"oos-reason": "Leak"},
        follow_redirects=True,
    )
    assert "is occupied" in response.get_data(as_text=True)
    db.refresh(booth)
    assert booth.status is BoothStatus.OCCUPIED


def test_unknown_booth_is_not_found(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    assert client.post("/sites/booths/999999/clean").status_code == 404
    assert client.get("/sites/999999/edit").status_code == 404
