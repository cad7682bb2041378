"""A manager reads last month's report, and downloads the internal and the publication CSVs: the
publication shows "<10" where the internal one shows 3.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from config import PROJECT_ROOT
from sitesys.auth.roles import Role
from sitesys.checkin.models import Route
from sitesys.clock import day_start, local_date, utcnow
from sitesys.db import get_database
from sitesys.reports.periods import last_full_month
from tests.browser.helpers import submit_sign_in
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    make_booth,
    make_site,
    make_staff,
    make_substances,
)
from tests.reports.scenes import left_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]

SCREENSHOT = PROJECT_ROOT / "docs" / "screenshots" / "reports.png"


def _rows(path: Path) -> dict[tuple[str, str], str]:
    rows = csv.DictReader(io.StringIO(path.read_text()))
    return {(row["indicator"], row["breakdown"]): row["value"] for row in rows}


def _download(page: Page, name: str) -> Path:
    with page.expect_download() as waiting:
        page.get_by_role("button", name=name).click()
    path = waiting.value.path()
    assert path is not None
    return Path(path)


def test_a_manager_reads_last_month_and_downloads_both_csvs(new_page, committed_app, tmp_path):
    with get_database(committed_app).new_session() as db:
        site = make_site(db, name="Harbour")
        make_substances(db, site)
        make_booth(db, site)
        nurse = make_staff(db, Role.NURSE, [site])
        make_staff(db, Role.MANAGER, [site], username="harbour.manager")
        month = last_full_month(local_date(utcnow(), site.zone))
        start = day_start(month.first, site.zone)
        # 3 visits to smoke and 20 to inject, spread over the month's days.
        for number in range(23):
            at = start + timedelta(days=number % month.days, hours=10 + number % 8)
            route = Route.SMOKE if number < 3 else Route.INJECT
            left_visit(db, site, nurse, at, route=route, substances=["heroin"])
        db.commit()

    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    submit_sign_in(page, "harbour.manager", PASSWORD, TOTP_SECRET)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()

    # Last month is the default.
    expect(page.get_by_role("heading", name=f"{month.label} · Harbour")).to_be_visible()
    expect(page.get_by_text("Internal — exact counts, not for publication")).to_be_visible()
    for title in ("Visits per day", "Substances named", "Visits by weekday and hour",
                  "Twelve-month trend"):  # fmt: skip
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.locator("#chart-visits_by_day img")).to_be_visible()
    smoke = page.locator('tr[data-key="visits_by_route"][data-row="Smoke"] td').first
    expect(smoke).to_have_text("3")
    expect(page.locator('tr[data-key="visits_total"] td').first).to_have_text("23")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.locator(".report-heading").evaluate("heading => heading.scrollIntoView()")
    page.screenshot(path=str(SCREENSHOT))

    internal = _rows(_download(page, "Download CSV (internal)"))
    public = _rows(_download(page, "Download CSV (for publication)"))
    assert internal[("visits_by_route", "Smoke")] == "3"
    assert public[("visits_by_route", "Smoke")] == "<10"
    assert internal[("visits_total", "")] == public[("visits_total", "")] == "23"
    # Smoke is small, so inject (20) is withheld too: 23 - 20 would give it away.
    assert public[("visits_by_route", "Inject")] == "suppressed"
