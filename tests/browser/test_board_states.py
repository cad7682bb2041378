"""The board under pressure, in Chromium on tablets either way up: emergencies first with their
start button above the fold, and the front desk raising the alarm.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import ObservationInput, record_observation
from sitesys.sites.models import Booth, Site
from tests.browser.helpers import nav, seed, sign_in
from tests.factories import make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]

TABLETS = [(768, 1024), (1024, 768)]


def busy_floor(app) -> None:
    """Every booth taken; the client in the last booth unresponsive (a red flag)."""
    with get_database(app).new_session() as session:
        site = session.scalar(select(Site))
        nurse = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booths = list(session.scalars(select(Booth).order_by(Booth.position)))
        for number, booth in enumerate(booths):
            tag = "Red Kite 9" if booth is booths[-1] else f"Calm Client {number}"
            visit = make_visit(
                session,
                site,
                nurse,
                booth=booth,
                client=make_client(session, site, display_tag=tag),
            )
        record_observation(
            session, nurse, visit, ObservationInput(Consciousness.UNRESPONSIVE), str(uuid.uuid4())
        )
        session.commit()


def above_the_fold(page: Page, locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (box, height)


def test_the_emergency_tile_comes_first_with_its_start_button_above_the_fold(
    new_page, committed_app
):
    accounts = seed(committed_app)
    busy_floor(committed_app)
    page = new_page()
    sign_in(page, accounts, "demo.nurse")
    nav(page, "Board")
    first = page.locator("#board .board-booths .tile-wrap").first
    expect(first).to_contain_text("Booth S2")
    expect(first.locator(".tile")).to_contain_class("tile-emergency")
    expect(first).to_contain_text("Emergency: start emergency response")
    for width, height in TABLETS:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        above_the_fold(page, first.get_by_role("button", name="Start emergency response"))


def test_the_desk_raises_the_alarm_and_every_board_turns_red(new_page, committed_app):
    accounts = seed(committed_app)
    with get_database(committed_app).new_session() as session:
        site = session.scalar(select(Site))
        nurse_staff = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booth = session.scalar(select(Booth).where(Booth.label == "4"))
        make_visit(
            session,
            site,
            nurse_staff,
            booth=booth,
            client=make_client(session, site, display_tag="Teal Otter 3"),
        )
        session.commit()
    nurse = new_page()
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    desk = new_page()
    desk.set_viewport_size({"width": 768, "height": 1024})
    sign_in(desk, accounts, "demo.desk")
    desk.goto("/board/")
    tile = desk.locator("#board .tile-wrap").filter(has_text="Teal Otter 3")
    expect(tile.get_by_role("button", name="Start emergency response")).to_have_count(0)
    tile.get_by_role("button", name="Raise the alarm").click()
    expect(desk.get_by_text(re.compile("Alarm raised for Teal Otter 3"))).to_be_visible()
    first = desk.locator("#board .board-booths .tile-wrap").first
    expect(first).to_contain_text("Teal Otter 3")
    expect(first.locator(".tile")).to_contain_class("tile-emergency")
    # The nurse's board, polling by itself, turns the tile red and says who raised it.
    nurse_tile = nurse.locator("#board .tile-wrap").filter(has_text="Teal Otter 3")
    expect(nurse_tile.locator(".tile")).to_contain_class("tile-emergency")
    expect(nurse_tile).to_contain_text("Alarm raised by the front desk")
    nurse_tile.get_by_role("link", name="Emergency response running — open it").click()
    expect(nurse.get_by_role("heading", name=re.compile("Emergency response"))).to_be_visible()


def _turn_red(app, booth_label: str, tag: str) -> None:
    """A client in a booth found unresponsive (the service audits it: every board redraws)."""
    with get_database(app).new_session() as session:
        site = session.scalar(select(Site))
        nurse = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booth = session.scalar(select(Booth).where(Booth.label == booth_label))
        visit = make_visit(
            session, site, nurse, booth=booth, client=make_client(session, site, display_tag=tag)
        )
        record_observation(
            session, nurse, visit, ObservationInput(Consciousness.UNRESPONSIVE), str(uuid.uuid4())
        )
        session.commit()


def test_the_board_sounds_when_a_tile_turns_red_once_a_tap_allows_it(new_page, committed_app):
    accounts = seed(committed_app)
    page = new_page()
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, accounts, "demo.nurse")
    nav(page, "Board")
    sound = page.locator("[data-board-sound]")
    enable = page.get_by_role("button", name="Tap to turn on alert sound")
    above_the_fold(page, enable)
    enable.click()
    expect(enable).to_be_hidden()
    mute = page.get_by_role("button", name="Alert sound on · Mute")
    expect(mute).to_have_attribute("aria-pressed", "false")
    above_the_fold(page, mute)

    _turn_red(committed_app, "5", "Red Kite 9")
    expect(page.locator("#board .tile-emergency").filter(has_text="Red Kite 9")).to_be_visible()
    expect(sound).to_have_attribute("data-sounded", "1")
    expect(sound).to_have_attribute("data-sounded-for", "emergency")

    # Muted, it says so plainly and stays quiet.
    mute.click()
    muted = page.get_by_role("button", name="Alert sound muted · Turn on")
    expect(muted).to_have_attribute("aria-pressed", "true")
    expect(sound).to_have_attribute("data-sound-state", "muted")
    _turn_red(committed_app, "6", "Grey Heron 4")
    expect(page.locator("#board .tile-emergency").filter(has_text="Grey Heron 4")).to_be_visible()
    page.wait_for_timeout(500)
    expect(sound).to_have_attribute("data-sounded", "1")
    # The mute is kept for this board across a reload; unmuting is one tap.
    page.reload()
    expect(page.get_by_role("button", name="Alert sound muted · Turn on")).to_be_visible()
    page.get_by_role("button", name="Alert sound muted · Turn on").click()
    expect(page.get_by_role("button", name="Alert sound on · Mute")).to_be_visible()
    # A check falling overdue sounds too (the board turns the tile orange by the clock alone).
    with get_database(committed_app).new_session() as session:
        site = session.scalar(select(Site))
        nurse = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booth = session.scalar(select(Booth).where(Booth.label == "7"))
        visit = make_visit(
            session,
            site,
            nurse,
            booth=booth,
            client=make_client(session, site, display_tag="Teal Otter 3"),
            at=utcnow() - timedelta(minutes=9, seconds=45),
        )
        record_event(session, "visit.checked_in", actor=nurse, record=visit)
        session.commit()
    late = page.locator("#board .tile").filter(has_text="Teal Otter 3")
    expect(late).to_contain_class("tile-due")
    expect(late).to_contain_class("tile-overdue", timeout=25_000)
    # (The count is the page's own: one since the reload.)
    expect(sound).to_have_attribute("data-sounded", "1")
    expect(sound).to_have_attribute("data-sounded-for", "overdue")
