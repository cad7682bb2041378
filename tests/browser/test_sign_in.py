"""A newcomer signs in with each demo account on a real browser and sees their home page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import enter_code, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def demo_accounts(committed_app):
    return seed(committed_app)


EXPECTED_NAV = {
    "demo.desk": (["Home"], ["Staff", "Audit log"]),
    "demo.nurse": (["Home"], ["Staff", "Audit log"]),
    "demo.manager": (["Home", "Audit log"], ["Staff"]),
    "demo.admin": (["Home", "Staff", "Sites and booths", "Audit log"], []),
}


LANDS_ON = {
    "demo.desk": "Check in",
    "demo.nurse": "Board",
    "demo.manager": "Incidents",
    "demo.admin": "Hello,",
}


@pytest.mark.parametrize("username", sorted(EXPECTED_NAV))
def test_each_demo_account_lands_on_its_roles_page(new_page, demo_accounts, username):
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_accounts[username].password)
    page.get_by_role("button", name="Sign in").click()
    if demo_accounts[username].totp_secret:
        enter_code(page, demo_accounts[username].totp_secret)
    expect(page.get_by_role("heading", name=LANDS_ON[username]).first).to_be_attached()
    # The home page is kept for those who start there: one tap away.
    nav = page.get_by_role("navigation", name="Main")
    shown, hidden = EXPECTED_NAV[username]
    for label in shown:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in hidden:
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
    expect(page.get_by_text("Demo Site").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()


def test_wrong_password_shows_a_plain_message(new_page, demo_accounts):
    page = new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("demo.nurse")
    page.get_by_label("Password").fill("not the right one at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Username or password is wrong.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_admin_adds_a_colleague_and_sees_the_password_once(new_page, demo_accounts):
    page = new_page()
    sign_in(page, demo_accounts, "demo.admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.get_by_role("link", name="Add staff member").click()
    page.get_by_label("Username").fill("kit.jones")
    page.get_by_label("Display name").fill("Kit Jones")
    page.get_by_label("Role").select_option(label="Nurse")
    page.get_by_label("Demo Site").check()
    page.get_by_role("button", name="Save staff member").click()
    shown_once = page.get_by_test_id("new-password")
    expect(shown_once).to_be_visible()
    password = shown_once.inner_text()
    assert len(password) > 12
    colleague = new_page()
    colleague.goto("/login")
    colleague.get_by_label("Username").fill("kit.jones")
    colleague.get_by_label("Password").fill(password)
    colleague.get_by_role("button", name="Sign in").click()
    # The admin knows that password: the colleague chooses their own before anything else.
    expect(colleague.get_by_role("heading", name="Choose your own password")).to_be_visible()
    colleague.get_by_label("New password", exact=True).fill("quartz lantern meadow oboe")
    colleague.get_by_label("New password again").fill("quartz lantern meadow oboe")
    colleague.get_by_role("button", name="Set password and sign in").click()
    # A new nurse lands on the board; the home page greets them by name.
    expect(colleague.get_by_role("heading", name="Board")).to_be_visible()
    colleague.goto("/")
    expect(colleague.get_by_role("heading", name="Hello, Kit Jones")).to_be_visible()
