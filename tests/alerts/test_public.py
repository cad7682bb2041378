"""A site's public alerts page, tried as an attacker would: other sites' alerts, a page turned
off, markup in free text, trying addresses.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from tests.drugchecks.scenes import make_alert
from tests.factories import make_site, make_staff


def _text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def network(db):
    north = make_site(db, name="Northgate Consumption Room")
    south = make_site(db, name="Southside Overdose Prevention Centre")
    manager = make_staff(db, Role.MANAGER, [north, south], display_name="Max Manager")
    return north, south, manager


def test_a_sites_page_shows_its_active_alerts_and_nothing_of_anyone(client, db, network):
    north, south, manager = network
    make_alert(db, manager, [north], title="Fentanyl found in ketamine", harms="Two overdoses")
    make_alert(db, manager, [south], title="Xylazine in heroin")
    make_alert(
        db, manager, [north], title="Old news",
        starts_at=utcnow() - timedelta(days=9), ends_at=utcnow() - timedelta(days=2),
    )  # fmt: skip
    page = client.get(f"/alerts/{north.public_id}")
    body = _text(page)
    assert page.status_code == 200
    assert "Fentanyl found in ketamine" in body and "Two overdoses" in body
    assert "Do not use alone. Start with a tiny amount." in body
    for hidden in ("Xylazine in heroin", "Old news", north.name, south.name, "Max Manager"):
        assert hidden not in body
    assert "Set-Cookie" not in page.headers


def test_a_page_turned_off_and_an_unknown_address_get_the_same_answer(client, db, network):
    north, _south, manager = network
    make_alert(db, manager, [north])
    north.public_alerts_enabled = False
    db.flush()
    off = client.get(f"/alerts/{north.public_id}")
    unknown = client.get("/alerts/not-a-site-id")
    assert off.status_code == unknown.status_code == 404
    assert _text(off) == _text(unknown)
    assert "Fentanyl" not in _text(off)
    assert "QR code" in _text(client.get("/alerts"))


def test_free_text_in_an_alert_is_never_rendered_as_markup(client, db, network):
    north, _south, manager = network
    make_alert(
        db, manager, [north], title="<script>alert(1)</script>",
        advice='<img src=x onerror="alert(2)">', sold_as="<b>pills</b>",
    )  # fmt: skip
    body = _text(client.get(f"/alerts/{north.public_id}"))
    assert "<script>alert(1)" not in body and "<img src=x" not in body and "<b>pills" not in body
    assert "&lt;script&gt;" in body


def test_trying_addresses_hits_the_rate_limit(client, db, network):
    north, _south, _manager = network
    statuses = [client.get(f"/alerts/guess{number}").status_code for number in range(60)]
    assert set(statuses) == {404}
    refused = client.get(f"/alerts/{north.public_id}")
    assert refused.status_code == 429 and "Too many tries" in _text(refused)
