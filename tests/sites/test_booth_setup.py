"""Booths and the pick-list on the admin's set-up pages: each action is told in the same words
as on the floor, audited, and looked for across every site an admin sets up."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.sites.models import BoothStatus, SubstanceOption
from tests.factories import make_booth, make_site, make_staff, make_substances, sign_in


def actions(db):
    return [event.action for event in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize(
    ("status", "action", "told", "after", "event"),
    [
        (
            BoothStatus.OUT_OF_SERVICE,
            "back-in-service",
            # The floor's words (the set-up page said "... and needs cleaning." before).
            "Booth 4 is back in service; it needs cleaning.",
            BoothStatus.NEEDS_CLEANING,
            "booth.back_in_service",
        ),
        (
            BoothStatus.NEEDS_CLEANING,
            "clean",
            "Booth 4 is clean and free.",
            BoothStatus.FREE,
            "booth.cleaned",
        ),
    ],
)
def test_set_up_booth_actions_are_told_in_the_floors_words(
    client, db, status, action, told, after, event
):
    site = make_site(db)
    booth = make_booth(db, site, label="4", status=status)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(f"/sites/booths/{booth.id}/{action}")
    assert response.headers["Location"] == f"/sites/{site.id}/booths"
    assert told in client.get(f"/sites/{site.id}/booths").get_data(as_text=True)
    db.refresh(booth)
    assert booth.status is after
    assert actions(db)[-1:] == [event]


def test_a_booth_taken_out_of_service_from_set_up_is_told_so(client, db):
    site = make_site(db)
    booth = make_booth(db, site, label="4")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/sites/booths/{booth.id}/out-of-service",
        data={"oos-reason": "Broken light"},
        follow_redirects=True,
    )
    assert "Booth 4 is out of service." in response.get_data(as_text=True)
    db.refresh(booth)
    assert booth.status is BoothStatus.OUT_OF_SERVICE
    assert booth.out_of_service_reason == "Broken light"
    assert actions(db)[-1:] == ["booth.out_of_service"]


def test_a_booth_is_retired_and_restored_with_a_message_and_an_event_each(client, db):
    site = make_site(db)
    booth = make_booth(db, site, label="4")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    retired = client.post(f"/sites/booths/{booth.id}/retire", follow_redirects=True)
    assert "Booth 4 is retired." in retired.get_data(as_text=True)
    db.refresh(booth)
    assert booth.is_retired
    restored = client.post(f"/sites/booths/{booth.id}/restore", follow_redirects=True)
    assert "Booth 4 is restored." in restored.get_data(as_text=True)
    db.refresh(booth)
    assert not booth.is_retired
    assert actions(db)[-2:] == ["booth.retired", "booth.restored"]


def test_an_occupied_booth_is_not_retired(client, db):
    site = make_site(db)
    booth = make_booth(db, site, label="4", status=BoothStatus.OCCUPIED)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    refused = client.post(f"/sites/booths/{booth.id}/retire", follow_redirects=True)
    assert "Booth 4 is occupied; it cannot be retired now." in refused.get_data(as_text=True)
    db.refresh(booth)
    assert not booth.is_retired
    assert "booth.retired" not in actions(db)


def test_substances_are_hidden_and_shown_with_a_message_and_an_event_each(client, db):
    site = make_site(db)
    make_substances(db, site)
    heroin = db.scalar(
        select(SubstanceOption).where(
            SubstanceOption.site_id == site.id, SubstanceOption.code == "heroin"
        )
    )
    sign_in(client, db, make_staff(db, Role.ADMIN))
    hidden = client.post(f"/sites/substances/{heroin.id}/hide", follow_redirects=True)
    assert "Heroin is hidden at the desk." in hidden.get_data(as_text=True)
    db.refresh(heroin)
    assert not heroin.is_active
    shown = client.post(f"/sites/substances/{heroin.id}/show", follow_redirects=True)
    assert "Heroin is shown at the desk." in shown.get_data(as_text=True)
    db.refresh(heroin)
    assert heroin.is_active
    assert actions(db)[-2:] == ["substance.hidden", "substance.shown"]


def test_an_admin_sets_up_every_site_not_only_those_they_belong_to(client, db):
    """Admins work across sites: the set-up pages find a site, booth or substance wherever it
    is, as they always have."""
    home, elsewhere = make_site(db), make_site(db, name="Harbour Street")
    make_substances(db, elsewhere)
    booth = make_booth(db, elsewhere, label="9", status=BoothStatus.NEEDS_CLEANING)
    sign_in(client, db, make_staff(db, Role.ADMIN, [home]))
    assert client.get(f"/sites/{elsewhere.id}/edit").status_code == 200
    assert client.get(f"/sites/booths/{booth.id}/edit").status_code == 200
    client.post(f"/sites/booths/{booth.id}/clean")
    db.refresh(booth)
    assert booth.status is BoothStatus.FREE
    option = db.scalar(select(SubstanceOption).where(SubstanceOption.site_id == elsewhere.id))
    client.post(f"/sites/substances/{option.id}/hide")
    db.refresh(option)
    assert not option.is_active


@pytest.mark.parametrize(
    "url",
    [
        "/sites/999999/edit",
        "/sites/999999/booths",
        "/sites/999999/substances",
        "/sites/booths/999999/edit",
    ],
)
def test_set_up_pages_of_records_that_do_not_exist_are_not_found(client, db, url):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/sites/booths/999999/clean",
        "/sites/booths/999999/retire",
        "/sites/booths/999999/out-of-service",
        "/sites/substances/999999/hide",
    ],
)
def test_set_up_actions_on_records_that_do_not_exist_are_not_found(client, db, url):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    assert client.post(url, data={"oos-reason": "Leak"}).status_code == 404
    assert actions(db) == ["auth.signed_in"]


def test_floor_staff_cannot_use_the_set_up_booth_actions(client, db):
    site = make_site(db)
    booth = make_booth(db, site, label="4", status=BoothStatus.NEEDS_CLEANING)
    sign_in(client, db, make_staff(db, Role.MANAGER, [site]))
    assert client.post(f"/sites/booths/{booth.id}/clean").status_code == 403
    assert client.post(f"/sites/booths/{booth.id}/retire").status_code == 403
    db.refresh(booth)
    assert booth.status is BoothStatus.NEEDS_CLEANING and not booth.is_retired
