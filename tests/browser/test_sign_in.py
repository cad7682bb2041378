"""A newcomer signs in with each demo account on a real browser and sees their home page."""

from __future__ import annotations

import pytest

from sitesys.db import get_database
from sitesys.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def demo_accounts(committed_app):
    with get_database(committed_app).new_session() as session:
        accounts = {account.username: account for account in seed_demo(session)}
        session.commit()
    return accounts


EXPECTED_NAV = {
    "demo.desk": (["Home"], ["Staff", "Audit log"]),
    "demo.nurse": (["Home"], ["Staff", "Audit log"]),
    "demo.manager": (["Home", "Audit log"], ["Staff"]),
    "demo.admin": (["Home", "Staff", "Sites and booths", "Audit log"], []),
}


@pytest.mark.parametrize("username", sorted(EXPECTED_NAV))
def test_each_demo_account_signs_in_to_its_home_page(new_page, demo_accounts, username):
    page = new_page()
    page.goto("/")
    assert page.url.endswith("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_accounts[username].password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello,").wait_for()
    nav = page.get_by_role("navigation", name="Main")
    shown, hidden = EXPECTED_NAV[username]
    for label in shown:
        assert nav.get_by_role("link", name=label, exact=True).is_visible()
    for label in hidden:
        assert nav.get_by_role("link", name=label, exact=True).count() == 0
    assert page.get_by_text("Demo Site").first.is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have been signed out.").wait_for()


def test_wrong_password_shows_a_plain_message(new_page, demo_accounts):
    page = new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("demo.nurse")
    page.get_by_label("Password").fill("not the right one at all")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Username or password is wrong.").wait_for()
    assert page.url.endswith("/login")


def test_admin_adds_a_colleague_and_sees_the_password_once(new_page, demo_accounts):
    page = new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("demo.admin")
    page.get_by_label("Password").fill(demo_accounts["demo.admin"].password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.get_by_role("link", name="Add staff member").click()
    page.get_by_label("Username").fill("kit.jones")
    page.get_by_label("Display name").fill("Kit Jones")
    page.get_by_label("Role").select_option(label="Nurse")
    page.get_by_label("Demo Site").check()
    page.get_by_role("button", name="Save staff member").click()
    password = page.get_by_test_id("new-password").inner_text()
    assert len(password) > 12
    colleague = new_page()
    colleague.goto("/login")
    colleague.get_by_label("Username").fill("kit.jones")
    colleague.get_by_label("Password").fill(password)
    colleague.get_by_role("button", name="Sign in").click()
    colleague.get_by_role("heading", name="Hello, Kit Jones").wait_for()
