"""The board that stays up, in Chromium: a wall-board display polls past the idle timeout and is
still up, while a staff board whose session ended says so in a banner; a revoked display ends
at its next poll.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.db import get_database
from sitesys.sites.models import Booth, Site
from tests.browser.helpers import nav, seed, sign_in
from tests.factories import make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]

#: The site's idle timeout, shortened from 15 minutes for the test.
IDLE_MINUTES = 1


def test_a_display_stays_up_past_the_idle_timeout_and_ends_when_revoked(new_page, committed_app):
    accounts = seed(committed_app)
    with get_database(committed_app).new_session() as session:
        session.execute(update(Site).values(idle_timeout_minutes=IDLE_MINUTES))
        session.commit()

    admin = new_page()
    sign_in(admin, accounts, "demo.admin")
    nav(admin, "Displays")
    admin.get_by_label("Display name").fill("Nurses' station")
    admin.get_by_role("button", name="Register and show the pairing code").click()
    message = admin.get_by_text(re.compile("Pairing code for Nurses' station: "))
    expect(message).to_be_visible()
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", message.text_content() or "")
    assert code

    display = new_page()
    display.set_viewport_size({"width": 1024, "height": 768})
    display.goto("/display")
    display.get_by_label("Pairing code").fill(code.group(0))
    display.get_by_role("button", name="Show the board").click()
    board = display.locator("#board")
    expect(board).to_be_visible()
    expect(display.get_by_role("heading", name=re.compile("Nurses' station"))).to_be_visible()
    expect(board.get_by_role("link")).to_have_count(0)
    expect(board.get_by_role("button")).to_have_count(0)

    nurse = new_page()
    nurse.set_viewport_size({"width": 768, "height": 1024})
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    banner = nurse.get_by_role("alert").filter(has_text="This board has stopped updating")
    expect(banner).to_be_hidden()

    # Past the idle timeout, with nobody touching either tablet.
    display.wait_for_timeout((IDLE_MINUTES * 60 + 8) * 1000)

    # The nurse's board was signed out: it says so, full width, with a way back in.
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text("You were signed out because the tablet was idle.")
    assert nurse.url.endswith("/board/")
    sign_in_button = banner.get_by_role("link", name="Sign in")
    expect(sign_in_button).to_be_visible()
    box = banner.bounding_box()
    assert box is not None and box["width"] >= 760 and box["y"] + box["height"] <= 1024, box
    # It stays in view when the board is scrolled (sticky at the top).
    nurse.mouse.wheel(0, 2000)
    nurse.wait_for_timeout(300)
    box = sign_in_button.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 1024, box

    # The display is still up and still following the floor.
    with get_database(committed_app).new_session() as session:
        site = session.scalar(select(Site))
        staff = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booth = session.scalar(select(Booth).where(Booth.label == "2"))
        visit = make_visit(
            session,
            site,
            staff,
            booth=booth,
            client=make_client(session, site, display_tag="Teal Otter 3"),
        )
        # As the desk's check-in would: every change to the floor is audited (the board's cue).
        record_event(session, "visit.checked_in", actor=staff, record=visit)
        session.commit()
    expect(board.get_by_text("Teal Otter 3")).to_be_visible()
    assert display.url.endswith("/display")

    # Revoked, it ends at its next poll: the pairing page says why.
    # (The admin's own session idled out too, by the same timeout: they sign in again.)
    sign_in(admin, accounts, "demo.admin")
    admin.goto("/board/displays")
    admin.get_by_role("button", name="Revoke Nurses' station").click()
    expect(admin.get_by_text(re.compile("Nurses' station revoked"))).to_be_visible()
    expect(
        display.get_by_text(re.compile("This display was disconnected by an admin"))
    ).to_be_visible()
    expect(display.locator("#board")).to_have_count(0)

    # Signing in again from the banner returns to the board.
    sign_in_button.click()
    nurse.get_by_label("Username").fill("demo.nurse")
    nurse.get_by_label("Password").fill(accounts["demo.nurse"].password)
    nurse.get_by_role("button", name="Sign in").click()
    expect(nurse.locator("#board")).to_be_visible()
