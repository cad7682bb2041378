"""Alerts as staff meet them: publishing, the banner on every page, acknowledging at sign-in or
from the banner, who has not, the history, posters, withdrawal and renewal.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from sitesys.alerts.models import Acknowledgement, DrugAlert, Severity
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from tests.drugchecks.scenes import make_alert, make_sample
from tests.factories import PASSWORD, make_site, make_staff, make_substances, sign_in


def _text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def network(db):
    north, south = make_site(db, name="North"), make_site(db, name="South")
    for site in (north, south):
        make_substances(db, site)
    manager = make_staff(db, Role.MANAGER, [north, south])
    return north, south, manager


def _form(sites, **changes):
    now = utcnow().astimezone(sites[0].zone)
    end = now + timedelta(days=7)
    form = {
        "title": "Fentanyl found in ketamine",
        "severity": "danger",
        "sold_as": "Ketamine, white powder",
        "substances": ["ketamine"],
        "found": "Fentanyl and ketamine",
        "colour": "White",
        "form": "powder",
        "markings": "",
        "where_sold": "",
        "harms": "Two people stopped breathing",
        "advice": "Do not use alone. Test it first.",
        "sites": [str(site.id) for site in sites],
        "starts_on": now.date().isoformat(),
        "starts_time": now.strftime("%H:%M"),
        "ends_on": end.date().isoformat(),
        "ends_time": end.strftime("%H:%M"),
        "submission_key": str(uuid.uuid4()),
    }
    form.update(changes)
    return form


def test_a_manager_publishes_and_every_staff_page_of_the_site_carries_it(app, client, db, network):
    north, south, manager = network
    sign_in(client, db, manager, north)
    response = client.post("/drug-alerts/new", data=_form([north]))
    assert response.status_code == 302
    alert = db.scalar(select(DrugAlert))
    assert alert is not None and alert.severity is Severity.DANGER
    nurse = make_staff(db, Role.NURSE, [north])
    sign_in(client, db, nurse)
    for page in ("/", "/board/", "/checkin", "/drug-checks/", "/incidents/"):
        body = _text(client.get(page))
        assert "Drug alert: Fentanyl found in ketamine" in body, page
        assert "I have read this alert" in body, page
    # Not at a site it does not cover, and never in the board's polled partial.
    elsewhere = make_staff(db, Role.NURSE, [south])
    sign_in(client, db, elsewhere)
    assert "Fentanyl found in ketamine" not in _text(client.get("/"))
    sign_in(client, db, nurse)
    partial = client.get("/board/partial", headers={"HX-Request": "true"})
    assert "I have read this alert" not in _text(partial)


def test_the_publish_form_refuses_bad_input_and_changes_nothing(client, db, network):
    north, _south, manager = network
    sign_in(client, db, manager, north)
    now = utcnow().astimezone(north.zone)
    late = now + timedelta(days=40)
    refused = client.post(
        "/drug-alerts/new",
        data=_form([north], ends_on=late.date().isoformat(), title="", substances=[]),
    )
    assert refused.status_code == 422
    body = _text(refused)
    assert "Give the alert a title." in body and "Tick the substances" in body
    longer = client.post("/drug-alerts/new", data=_form([north], ends_on=late.date().isoformat()))
    assert longer.status_code == 422 and "at most 30 days" in _text(longer)
    assert db.scalar(select(DrugAlert)) is None


def test_only_managers_publish(client, db, network):
    north, _south, _manager = network
    sign_in(client, db, make_staff(db, Role.NURSE, [north]))
    assert client.get("/drug-alerts/new").status_code == 403
    assert client.post("/drug-alerts/new", data=_form([north])).status_code == 403
    assert client.get("/drug-alerts/").status_code == 200


def test_publishing_from_a_drug_check_fills_the_form_in(app, client, db, network):
    north, _south, manager = network
    sample, _ = make_sample(db, app, north, manager, result_at=utcnow())
    sign_in(client, db, manager, north)
    sample_page = _text(client.get(f"/drug-checks/samples/{sample.id}"))
    assert "Publish an alert from this result" in sample_page
    form = _text(client.get(f"/drug-alerts/new?sample={sample.id}"))
    assert "From drug check " + sample.reference in form
    assert "Fentanyl was found as well as ketamine." in form
    assert f'value="{sample.id}"' in form
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', form).group(1)
    published = client.post(
        "/drug-alerts/new", data={**_form([north], submission_key=key), "sample_id": sample.id}
    )
    assert published.status_code == 302
    assert db.scalar(select(DrugAlert.sample_id)) == sample.id


def test_a_nurse_acknowledges_from_the_banner_and_it_goes_quiet(client, db, network):
    north, _south, manager = network
    alert = make_alert(db, manager, [north])
    nurse = make_staff(db, Role.NURSE, [north])
    sign_in(client, db, nurse)
    assert "I have read this alert" in _text(client.get("/board/"))
    reply = client.post(f"/drug-alerts/{alert.id}/acknowledge", data={"next": "/board/"})
    assert reply.status_code == 302 and reply.headers["Location"] == "/board/"
    page = _text(client.get("/board/"))
    assert "Drug alert:" in page and "I have read this alert" not in page
    again = client.post(f"/drug-alerts/{alert.id}/acknowledge", data={"next": "//evil.example"})
    assert again.headers["Location"] == f"/drug-alerts/{alert.id}"
    assert len(list(db.scalars(select(Acknowledgement)))) == 1


def test_at_sign_in_staff_are_shown_the_alerts_still_to_read(client, db, network):
    north, _south, manager = network
    make_alert(db, manager, [north], title="Nitazenes in heroin", substances=("heroin",))
    nurse = make_staff(db, Role.NURSE, [north])
    signed_in = client.post("/login", data={"username": nurse.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    first = client.get(signed_in.headers["Location"])
    assert first.status_code == 302 and "/drug-alerts/to-acknowledge" in first.headers["Location"]
    step = _text(client.get(first.headers["Location"]))
    assert "Drug alerts to read" in step and "Nitazenes in heroin" in step
    assert "Later: go on to work" in step
    # The step stands in front of the first page only: the floor is never held behind it.
    assert client.get("/board/").status_code == 200


def test_managers_see_who_has_not_acknowledged(client, db, network):
    north, _south, manager = network
    alert = make_alert(db, manager, [north])
    make_staff(db, Role.NURSE, [north], display_name="Nia Nurse")
    sign_in(client, db, manager, north)
    page = _text(client.get(f"/drug-alerts/{alert.id}"))
    assert "Not yet acknowledged (2)" in page and "Nia Nurse" in page
    nurse_view = make_staff(db, Role.FRONT_DESK, [north])
    sign_in(client, db, nurse_view)
    assert "Not yet acknowledged" not in _text(client.get(f"/drug-alerts/{alert.id}"))


def test_another_sites_alert_is_not_found(client, db, network):
    north, south, manager = network
    alert = make_alert(db, manager, [south])
    sign_in(client, db, make_staff(db, Role.NURSE, [north]))
    assert client.get(f"/drug-alerts/{alert.id}").status_code == 404
    assert client.post(f"/drug-alerts/{alert.id}/acknowledge").status_code == 404


def test_the_history_is_searchable_and_paginated(client, db, network):
    north, _south, manager = network
    now = utcnow()
    for number in range(55):
        make_alert(
            db,
            manager,
            [north],
            title=f"Old alert {number}",
            starts_at=now - timedelta(days=60 - number % 10),
            ends_at=now - timedelta(days=40),
        )
    make_alert(db, manager, [north], title="Xylazine in heroin")
    sign_in(client, db, manager, north)
    first = _text(client.get("/drug-alerts/"))
    assert "Next page" in first
    found = _text(client.get("/drug-alerts/?q=xylazine"))
    assert "Xylazine in heroin" in found and "Old alert" not in found
    ended = _text(client.get("/drug-alerts/?state=ended&page=2"))
    history = ended[ended.index("<h2>History</h2>") :]
    assert "Old alert" in history and "Xylazine in heroin" not in history
    assert "Previous page" in ended


def test_withdrawing_and_renewing_from_the_alert_page(client, db, network):
    north, _south, manager = network
    alert = make_alert(db, manager, [north])
    sign_in(client, db, manager, north)
    refused = client.post(f"/drug-alerts/{alert.id}/withdraw", data={"reason": ""})
    assert refused.status_code == 422 and "Give the reason" in _text(refused)
    later = (utcnow() + timedelta(days=20)).astimezone(north.zone)
    renewed = client.post(
        f"/drug-alerts/{alert.id}/renew",
        data={"ends_on": later.date().isoformat(), "ends_time": later.strftime("%H:%M")},
    )
    assert renewed.status_code == 302
    db.refresh(alert)
    assert alert.ends_at.astimezone(north.zone).date() == later.date()
    withdrawn = client.post(f"/drug-alerts/{alert.id}/withdraw", data={"reason": "Lab: caffeine"})
    assert withdrawn.status_code == 302
    page = _text(client.get(f"/drug-alerts/{alert.id}"))
    assert "Withdrawn" in page and "Lab: caffeine" in page
    assert "Drug alert:" not in _text(client.get("/"))


def test_the_poster_is_a_printable_page_with_the_public_link(client, db, network):
    north, _south, manager = network
    alert = make_alert(db, manager, [north], title="<b>Blue pills</b>")
    sign_in(client, db, make_staff(db, Role.FRONT_DESK, [north]))
    poster = _text(client.get(f"/drug-alerts/{alert.id}/poster"))
    assert "DANGER: DRUG ALERT" in poster and "&lt;b&gt;Blue pills&lt;/b&gt;" in poster
    assert f"/alerts/{north.public_id}" in poster and "data:image/svg+xml" in poster
    assert "Print poster" in poster
    north.public_alerts_enabled = False
    db.flush()
    assert f"/alerts/{north.public_id}" not in _text(client.get(f"/drug-alerts/{alert.id}/poster"))
