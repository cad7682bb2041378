"""The site's language and date order, on a tablet set up in US English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_dates_are_typed_and_shown_day_first_on_a_us_english_tablet(
    browser, live_server, committed_app
):
    accounts = seed(committed_app)
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 768, "height": 1024}
    )
    page = context.new_page()
    sign_in(page, accounts, "demo.manager")
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    page.goto("/audit/")
    date_from = page.get_by_label("From date")
    expect(date_from).to_have_attribute("placeholder", "dd/mm/yyyy")
    date_from.fill("03/12/2026")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"date_from=03%2F12%2F2026"))
    expect(page.get_by_label("From date")).to_have_value("03/12/2026")
    # Dates on the page read day first, month in words.
    expect(page.locator("main td.nowrap").first).to_have_text(
        re.compile(r"^\d{2} [A-Z][a-z]{2} \d{4}")
    )
    context.close()
