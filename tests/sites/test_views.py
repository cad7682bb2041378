from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.handovers.models import StockItem
from sitesys.sites.models import Booth, BoothKind, BoothStatus, Site, SubstanceOption
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
    "custody_alert_minutes": "30",
    "result_days": "30",
    "naloxone_prompt_minutes": "3",
    "bladder_screen_days": "28",
    "suppression_threshold": "10",
    "public_alerts_enabled": "y",
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


def test_a_new_site_counts_the_default_stock_at_handover(client, db):
    """The site's set-up gives a new site its default pick-lists, the stock list included."""
    sign_in(client, db, make_staff(db, Role.ADMIN))
    client.post("/sites/new", data=SITE_FORM)
    site = db.scalar(select(Site).where(Site.name == "Harbour Street"))
    assert site is not None
    stock = db.scalars(
        select(StockItem.name).where(StockItem.site_id == site.id).order_by(StockItem.position)
    )
    assert list(stock) == ["Naloxone doses", "Oxygen cylinders"]


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


def test_a_site_name_or_recipe_of_spaces_is_refused(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    for name, value, message in (
        ("name", "   ", "Enter the site's name."),
        ("time_zone", "   ", "Enter a time zone such as Europe/London."),
        ("code_hint", "   ", "Describe how clients make their code."),
        ("code_pattern", "   ", "Enter the pattern codes must match."),
    ):
        body = client.post("/sites/new", data={**SITE_FORM, name: value}).get_data(as_text=True)
        assert message in body, name
    assert db.scalar(select(Site).where(Site.name.in_(["", "Harbour Street"]))) is None
    site = make_site(db, name="Harbour Street")
    response = client.post(f"/sites/{site.id}/edit", data={**SITE_FORM, "name": "   "})
    assert "Enter the site's name." in response.get_data(as_text=True)
    db.refresh(site)
    assert site.name == "Harbour Street"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated")) is None


def test_a_booth_label_or_substance_of_spaces_is_refused(client, db):
    site = make_site(db)
    booth = make_booth(db, site, label="4")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    added = client.post(
        f"/sites/{site.id}/booths", data={"label": "   ", "kind": "injecting", "position": "1"}
    )
    assert "Enter a label, such as 3." in added.get_data(as_text=True)
    edited = client.post(
        f"/sites/booths/{booth.id}/edit",
        data={"label": "   ", "kind": "injecting", "position": "1"},
    )
    assert "Enter a label, such as 3." in edited.get_data(as_text=True)
    assert [b.label for b in db.scalars(select(Booth).where(Booth.site_id == site.id))] == ["4"]
    substance = client.post(f"/sites/{site.id}/substances", data={"label": "   "})
    assert "Enter the substance's name." in substance.get_data(as_text=True)
    assert db.scalar(select(SubstanceOption).where(SubstanceOption.site_id == site.id)) is None


def _harbour_street(db):
    """A site whose settings are exactly SITE_FORM's."""
    return make_site(
        db, name="Harbour Street", closing_time=time(21, 30), code_hint=SITE_FORM["code_hint"]
    )


def _opened_version(client, site):
    page = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', page).group(1)


def test_settings_saved_from_a_second_tab_are_not_undone_by_the_first(client, db):
    site = _harbour_street(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    tab_a, tab_b = _opened_version(client, site), _opened_version(client, site)
    saved = client.post(
        f"/sites/{site.id}/edit",
        data={**SITE_FORM, "idle_timeout_minutes": "30", "version": tab_b},
    )
    assert saved.status_code == 302
    stale = client.post(
        f"/sites/{site.id}/edit",
        data={**SITE_FORM, "booth_check_minutes": "10", "version": tab_a},
    )
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert (
        "These settings were changed by someone else since you opened them; nothing was saved. "
        "Here they are now." in body
    )
    assert re.search(r'id="idle_timeout_minutes"[^>]*value="30"', body)
    db.refresh(site)
    assert site.idle_timeout_minutes == 30 and site.booth_check_minutes == 5
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "site.updated")).all()) == 1
    # The page shown after the refusal carries the new version: saved from there, it goes in.
    fresh = re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', body).group(1)
    again = client.post(
        f"/sites/{site.id}/edit",
        data={
            **SITE_FORM,
            "idle_timeout_minutes": "30",
            "booth_check_minutes": "10",
            "version": fresh,
        },
    )
    assert again.status_code == 302
    db.refresh(site)
    assert site.idle_timeout_minutes == 30 and site.booth_check_minutes == 10


def test_settings_without_the_version_they_were_opened_with_are_refused(client, db):
    site = _harbour_street(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/sites/{site.id}/edit", data={**SITE_FORM, "idle_timeout_minutes": "30"}
    )
    assert response.status_code == 409
    db.refresh(site)
    assert site.idle_timeout_minutes == 15


def test_site_and_booth_names_that_differ_only_by_case_are_refused(client, db):
    site = make_site(db, name="Demo Site")
    other = make_site(db, name="Harbour Street")
    make_booth(db, site, label="S1")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    created = client.post("/sites/new", data={**SITE_FORM, "name": "demo site"})
    assert "A site called Demo Site already exists." in created.get_data(as_text=True)
    renamed = client.post(
        f"/sites/{other.id}/edit",
        data={**SITE_FORM, "name": "DEMO SITE", "version": _opened_version(client, other)},
    )
    assert "A site called Demo Site already exists." in renamed.get_data(as_text=True)
    db.refresh(other)
    assert other.name == "Harbour Street"
    added = client.post(
        f"/sites/{site.id}/booths", data={"label": "s1", "kind": "injecting", "position": "2"}
    )
    assert "Demo Site already has a booth labelled S1." in added.get_data(as_text=True)
    assert [b.label for b in db.scalars(select(Booth).where(Booth.site_id == site.id))] == ["S1"]
    # The same label at another site, or a booth keeping its own label in another case, is fine.
    assert (
        client.post(
            f"/sites/{other.id}/booths", data={"label": "s1", "kind": "injecting", "position": "1"}
        ).status_code
        == 302
    )
    booth = db.scalar(select(Booth).where(Booth.site_id == site.id))
    kept = client.post(
        f"/sites/booths/{booth.id}/edit", data={"label": "s1", "kind": "injecting", "position": "1"}
    )
    assert kept.status_code == 302
    assert [b.label for b in db.scalars(select(Booth).where(Booth.site_id == other.id))] == ["s1"]
    db.refresh(booth)
    assert booth.label == "s1"
    assert "Saved Booth s1." in client.get(f"/sites/{site.id}/booths").get_data(as_text=True)


@pytest.mark.parametrize("zone", ["localtime", "Factory", "GB", "Etc/GMT+5", "US/Eastern"])
def test_odd_time_zones_are_refused(client, db, zone):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    body = client.post("/sites/new", data={**SITE_FORM, "time_zone": zone}).get_data(as_text=True)
    assert "use an Area/Location name such as Europe/London, or UTC." in body
    assert db.scalar(select(Site).where(Site.name == "Harbour Street")) is None


@pytest.mark.parametrize("zone", ["UTC", "America/Argentina/Salta", "Asia/Tokyo"])
def test_area_location_time_zones_and_utc_are_accepted(client, db, zone):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    assert client.post("/sites/new", data={**SITE_FORM, "time_zone": zone}).status_code == 302
    site = db.scalar(select(Site).where(Site.name == "Harbour Street"))
    assert site is not None and site.time_zone == zone


def test_site_updated_records_old_and_new_values_of_settings_but_not_free_text(client, db):
    site = _harbour_street(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    changes = {
        "idle_timeout_minutes": "30",
        "time_zone": "Europe/Dublin",
        "closing_time": "23:00",
        "name": "Harbour Street East",
        "code_hint": "Something else entirely.",
        "version": _opened_version(client, site),
    }
    data = {**SITE_FORM, **changes}
    del data["is_active"]  # unticked: the site is closed
    assert client.post(f"/sites/{site.id}/edit", data=data).status_code == 302
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated"))
    assert event is not None
    assert event.detail["changed"] == [
        "closing_time",
        "code_hint",
        "idle_timeout_minutes",
        "is_active",
        "name",
        "time_zone",
    ]
    assert event.detail["idle_timeout_minutes_from"] == 15
    assert event.detail["idle_timeout_minutes_to"] == 30
    assert event.detail["time_zone_from"] == "Europe/London"
    assert event.detail["time_zone_to"] == "Europe/Dublin"
    assert event.detail["closing_time_from"] == "21:30"
    assert event.detail["closing_time_to"] == "23:00"
    assert event.detail["is_active_from"] is True and event.detail["is_active_to"] is False
    # Unchanged settings are not repeated, and free text is named but never copied.
    assert "booth_check_minutes_from" not in event.detail
    assert not any(key.startswith(("name_", "code_hint_")) for key in event.detail)
    assert "Harbour Street East" not in str(event.detail)


def test_a_tampered_booth_kind_is_refused_in_plain_words(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/sites/{site.id}/booths", data={"label": "7", "kind": "sauna", "position": "1"}
    )
    body = response.get_data(as_text=True)
    assert "Choose one of the booth kinds in the list." in body and "Not a valid choice" not in body
    assert db.scalar(select(Booth).where(Booth.site_id == site.id)) is None


def test_input_a_field_cannot_read_is_refused_in_house_wording(client, db):
    """WTForms' own messages ("Not a valid integer value.") are not the words staff see."""
    sign_in(client, db, make_staff(db, Role.ADMIN))
    bad = {**SITE_FORM, "booth_check_minutes": "ten"}
    body = client.post("/sites/new", data=bad).get_data(as_text=True)
    assert "Enter a whole number." in body and "Not a valid integer value" not in body
    assert db.scalar(select(Site).where(Site.name == "Harbour Street")) is None


def test_an_occupied_booth_keeps_its_kind_until_it_is_free(client, db):
    """The client in it was placed by its kind: an injecting client must not find themselves in
    a smoking booth (or the reverse) because an admin edited it meanwhile."""
    site = make_site(db)
    booth = make_booth(db, site, label="1", status=BoothStatus.OCCUPIED)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    url = f"/sites/booths/{booth.id}/edit"
    refused = client.post(url, data={"label": "1", "kind": "smoking", "position": "1"})
    assert refused.status_code == 200
    assert (
        "Booth 1 is occupied: change whether it is a smoking booth once it is free."
        in refused.get_data(as_text=True)
    )
    db.refresh(booth)
    assert booth.kind is BoothKind.INJECTING
    renamed = client.post(url, data={"label": "1A", "kind": "injecting", "position": "1"})
    assert renamed.status_code == 302
    db.refresh(booth)
    assert booth.label == "1A"


def test_an_admin_lets_trained_desk_staff_log_rescue_actions_and_it_is_audited(client, db):
    site = _harbour_street(db)
    assert site.desk_rescue_actions is False
    sign_in(client, db, make_staff(db, Role.ADMIN))
    form = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    assert "Trained front desk staff may log naloxone and rescue breaths" in form
    data = {**SITE_FORM, "desk_rescue_actions": "y", "version": _opened_version(client, site)}
    assert client.post(f"/sites/{site.id}/edit", data=data).status_code == 302
    db.refresh(site)
    assert site.desk_rescue_actions is True
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated"))
    assert event is not None and event.detail["changed"] == ["desk_rescue_actions"]
    assert event.detail["desk_rescue_actions_to"] is True
