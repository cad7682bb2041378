"""Steps staff take in the browser, shared by the browser tests."""

from __future__ import annotations

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
    # Each role lands on its own page (auth/roles.py: LANDING_ENDPOINTS), signed in.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def nav(page: Page, label: str) -> None:
    """Follow a link of the main navigation and wait for the page it opens."""
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True)
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state("domcontentloaded")
