"""The home page offers only what the account can open."""

from __future__ import annotations

import pytest

from sitesys.auth.roles import Role
from tests.factories import make_site, make_staff, sign_in


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.NURSE, Role.MANAGER])
def test_an_account_without_a_site_is_told_so_and_offered_no_pages_it_cannot_open(client, db, role):
    sign_in(client, db, make_staff(db, role))
    body = client.get("/").get_data(as_text=True)
    assert "Your account is not assigned to a site yet, so there is nothing here you can use." in (
        body
    )
    main = body.split('<main id="main"', 1)[1]
    for label in ("Check in", "Board", "Incidents", "Handover", "Audit log"):
        assert f">{label}</a>" not in main, label


def test_a_nurse_with_a_site_is_offered_check_in_and_the_board(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.NURSE, [site]), site)
    main = client.get("/").get_data(as_text=True).split('<main id="main"', 1)[1]
    assert "not assigned to a site" not in main
    assert ">Check in</a>" in main and ">Board</a>" in main


def test_an_admin_without_a_site_is_offered_the_admin_pages(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    main = client.get("/").get_data(as_text=True).split('<main id="main"', 1)[1]
    assert "not assigned to a site" not in main
    assert ">Staff</a>" in main and ">Sites and booths</a>" in main
