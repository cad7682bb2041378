"""Steps staff take in the browser, shared by the browser tests."""

from __future__ import annotations

import re
import time

from flask import Flask
from playwright.sync_api import Page, expect

from sitesys.auth.two_factor import STEP_SECONDS, code_at, secret_box_for, time_step
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.demo import DemoAccount, seed_demo

#: The last time step whose code each secret was signed in with: a code is accepted once only,
#: so a second sign-in within its 30 seconds uses the next step's code (one step of drift is
#: allowed), and a third waits for the step to turn.
_used_steps: dict[str, int] = {}


def seed(app: Flask) -> dict[str, DemoAccount]:
    with get_database(app).new_session() as session:
        accounts = {
            account.username: account for account in seed_demo(session, secret_box_for(app.config))
        }
        session.commit()
    return accounts


def next_code(secret: str) -> str:
    """A code the authenticator app would show for `secret`, not yet used in this run."""
    now = time_step(utcnow())
    step = max(now, _used_steps.get(secret, now - 1) + 1)
    if step > now + 1:
        time.sleep(STEP_SECONDS - utcnow().timestamp() % STEP_SECONDS + 0.2)
        step = max(time_step(utcnow()), _used_steps[secret] + 1)
    _used_steps[secret] = step
    return code_at(secret, step)


def enter_code(page: Page, secret: str) -> None:
    """The second step of a sign-in: the code from the app."""
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(next_code(secret))
    page.get_by_role("button", name="Continue").click()


def submit_sign_in(page: Page, username: str, password: str, totp_secret: str | None) -> None:
    """Fill the sign-in page and send it, then the code where the account has two-factor."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if totp_secret:
        enter_code(page, totp_secret)


def sign_in(page: Page, accounts: dict[str, DemoAccount], username: str) -> None:
    account = accounts[username]
    submit_sign_in(page, username, account.password, account.totp_secret)
    # Each role lands on its own page (auth/roles.py: LANDING_ENDPOINTS), signed in.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def nav(page: Page, label: str) -> None:
    """Follow a link of the main navigation and wait for the page it opens."""
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True)
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state("domcontentloaded")


def fill_check_in(desk: Page, code: str, substance: str, route: str, booth: str) -> None:
    """Find a client at the desk and fill in their check-in, not yet sent."""
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill(code)
    desk.get_by_role("button", name="Find client").click()
    expect(desk.get_by_role("region", name="Client")).to_be_visible()
    desk.get_by_role("group", name="Substances").get_by_label(substance).check()
    desk.get_by_role("group", name="Route").get_by_label(route, exact=True).check()
    desk.get_by_role("group", name="Drug checked").get_by_label("No", exact=True).check()
    desk.get_by_role("group", name="Booth").get_by_label(booth, exact=True).check()


def check_in(desk: Page, code: str, substance: str, route: str, booth: str) -> str:
    """Check a client in at the desk; returns the tag the desk is told."""
    fill_check_in(desk, code, substance, route, booth)
    desk.get_by_role("button", name="Check in", exact=True).click()
    message = desk.get_by_text(re.compile(r"^Checked in "))
    expect(message).to_be_visible()
    told = re.match(r"Checked in (.+?)( \(new client\))?:", message.inner_text())
    assert told is not None
    return told.group(1)
