"""Steps staff take in the browser, shared by the browser tests."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect

from sitesys.db import get_database
from sitesys.demo import DemoAccount, seed_demo


def seed(app: Flask) -> dict[str, DemoAccount]:
    with get_database(app).new_session() as session:
        accounts = {account.username: account for account in seed_demo(session)}
        session.commit()
    return accounts


def sign_in(page: Page, accounts: dict[str, DemoAccount], username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(accounts[username].password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello,")).to_be_visible()


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
