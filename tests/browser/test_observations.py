"""A nurse watches the board and records observations, in Chromium."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.sites.models import Booth, Site
from tests.browser.helpers import nav, seed, sign_in
from tests.factories import make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def floor_with_clients(app):
    with get_database(app).new_session() as session:
        site = session.scalar(select(Site))
        nurse = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booths = {b.label: b for b in session.scalars(select(Booth))}
        make_visit(
            session,
            site,
            nurse,
            booth=booths["1"],
            client=make_client(session, site, display_tag="Amber Heron 27"),
            substances=["heroin"],
        )
        # Unchecked for 9 minutes 50 seconds on a 5-minute interval: due now, overdue at 10.
        make_visit(
            session,
            site,
            nurse,
            booth=booths["2"],
            client=make_client(session, site, display_tag="Teal Otter 3"),
            at=utcnow() - timedelta(minutes=9, seconds=50),
        )
        session.commit()


def test_nurse_records_and_the_board_raises_its_voice(new_page, committed_app):
    accounts = seed(committed_app)
    floor_with_clients(committed_app)
    page = new_page()
    sign_in(page, accounts, "demo.nurse")
    nav(page, "Board")
    board = page.locator("#board")

    unchecked = board.get_by_role("link", name=re.compile("Booth 2 Teal Otter 3"))
    expect(unchecked).to_contain_class("tile-due")
    expect(unchecked).to_contain_text("Check due")
    # Ten minutes after check-in the board, polling by itself, turns the tile orange.
    expect(unchecked).to_contain_class("tile-overdue", timeout=20_000)
    expect(unchecked).to_contain_text("Check overdue · 0 min")

    board.get_by_role("link", name=re.compile("Booth 1 Amber Heron 27")).click()
    expect(page.get_by_role("heading", name=re.compile("Amber Heron 27"))).to_be_visible()
    page.get_by_role("button", name="Quick check").click()
    expect(
        page.get_by_text(re.compile("Quick check recorded at .*responsive, breathing normally"))
    ).to_be_visible()

    page.get_by_role("link", name="Full observation").click()
    page.get_by_label("Respiratory rate").fill("7")
    page.get_by_label("SpO2").fill("88")
    page.get_by_label("Pulse").fill("130")
    page.get_by_label("Systolic blood pressure").fill("95")
    page.get_by_label("Temperature").fill("36.5")
    page.get_by_role("group", name="Consciousness (ACVPU)").get_by_label(
        "V – Responds to voice"
    ).check()
    page.get_by_role("group", name="Sedation (POSS)").get_by_label(
        "4 – Somnolent, minimal or no response"
    ).check()
    page.get_by_role("group", name="RASS").get_by_label("−4 Deep sedation").check()
    page.get_by_role("button", name="Save observation").click()
    expect(page.get_by_text("Observation saved: NEWS2 13 (High).")).to_be_visible()
    expect(page.get_by_text(re.compile("Start emergency response now"))).to_be_visible()
    chart = page.get_by_role("img", name="Respiratory rate, SpO2, pulse and NEWS2 over the visit")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(4)

    nav(page, "Board")
    tile = page.locator("#board").get_by_role("link", name=re.compile("Booth 1 Amber Heron 27"))
    expect(tile).to_contain_class("tile-emergency")
    expect(tile).to_contain_text("Emergency: start emergency response")
    expect(tile).to_contain_text("NEWS2 13 · High")
