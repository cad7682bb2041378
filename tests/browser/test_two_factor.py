"""Two-factor sign-in in a real browser: an admin enrols from the secret shown beside the QR code
and signs in again with a code from an authenticator (pyotp here); a manager whose phone was lost
is reset by an admin and must enrol again before anything else.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from sitesys.auth.roles import Role
from sitesys.db import get_database
from tests.browser.helpers import enter_code, next_code, seed, sign_in, submit_sign_in
from tests.browser.test_axe import violations
from tests.factories import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_an_admin_enrols_from_the_secret_shown_and_signs_in_with_a_code(new_page, committed_app):
    with get_database(committed_app).new_session() as db:
        make_staff(db, Role.ADMIN, username="ada.new", display_name="Ada New", two_factor=False)
        db.commit()
    page = new_page()
    submit_sign_in(page, "ada.new", PASSWORD, None)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    # Nothing else opens before it is set up.
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/login"))
    submit_sign_in(page, "ada.new", PASSWORD, None)

    expect(page.locator(".qr-code svg")).to_be_visible()
    assert violations(page, Axe()) == []
    secret = "".join(page.get_by_test_id("two-factor-secret").inner_text().split())
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit()  # a valid base32 secret
    page.get_by_label("Code from the app").fill(next_code(secret))
    page.get_by_role("button", name="Confirm and sign in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have kept them safe: continue").click()
    expect(page.get_by_role("heading", name="Hello, Ada New")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The next sign-in asks for the code from the app.
    submit_sign_in(page, "ada.new", PASSWORD, None)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert violations(page, Axe()) == []
    enter_code(page, secret)
    expect(page.get_by_role("heading", name="Hello, Ada New")).to_be_visible()
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_test_id("recovery-codes-left")).to_have_text("10")


def test_a_manager_reset_after_a_lost_phone_must_enrol_again(new_page, committed_app):
    accounts = seed(committed_app)
    admin = new_page()
    sign_in(admin, accounts, "demo.admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    admin.get_by_role("link", name="Edit demo.manager").click()
    # Asked in the page, with a reason, before anything is reset.
    admin.get_by_text("Reset two-factor sign-in", exact=True).click()
    admin.get_by_label("Phone lost or stolen").check()
    admin.get_by_role("button", name="Yes, reset two-factor sign-in").click()
    expect(admin.get_by_text("Two-factor sign-in of Max (manager) is reset")).to_be_visible()

    manager = new_page()
    submit_sign_in(manager, "demo.manager", accounts["demo.manager"].password, None)
    expect(manager.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    manager.goto("/incidents/")
    expect(manager).to_have_url(re.compile(r"/login"))

    submit_sign_in(manager, "demo.manager", accounts["demo.manager"].password, None)
    secret = "".join(manager.get_by_test_id("two-factor-secret").inner_text().split())
    assert secret != accounts["demo.manager"].totp_secret
    manager.get_by_label("Code from the app").fill(next_code(secret))
    manager.get_by_role("button", name="Confirm and sign in").click()
    manager.get_by_role("link", name="I have kept them safe: continue").click()
    expect(manager.get_by_role("heading", name="Incidents").first).to_be_visible()

    # The old phone's codes no longer sign in.
    manager.get_by_role("button", name="Sign out").click()
    submit_sign_in(manager, "demo.manager", accounts["demo.manager"].password, None)
    old = accounts["demo.manager"].totp_secret
    assert old is not None
    manager.get_by_label("Code", exact=True).fill(pyotp.TOTP(old).now())
    manager.get_by_role("button", name="Continue").click()
    expect(manager.get_by_text("That code is not right")).to_be_visible()
    enter_code(manager, secret)
    expect(manager.get_by_role("heading", name="Incidents").first).to_be_visible()
