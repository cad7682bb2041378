"""The board's refreshes, for people who use a keyboard or a screen reader: focus stays where it
was, a change of state is said once in a polite live region, and updates can be paused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_in, nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def focused_href(page: Page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")


def test_focus_stays_on_the_same_tile_across_three_refreshes(new_page, committed_app):
    accounts = seed(committed_app)
    desk, nurse = new_page(), new_page()
    sign_in(desk, accounts, "demo.desk")
    sign_in(nurse, accounts, "demo.nurse")
    tag = check_in(desk, "fo cu 01", "Ketamine", "Snort", "Booth 1")
    nav(nurse, "Board")
    tile = nurse.locator("#board").get_by_role("link", name=re.compile(f"Booth 1 {tag}"))
    expect(tile).to_be_visible()
    tile.focus()
    href = focused_href(nurse)
    assert href and "/visits/" in href
    for number, booth in ((2, "Booth 2"), (3, "Booth 3"), (4, "Booth 4")):
        other = check_in(desk, f"fo cu 0{number}", "Heroin", "Inject", booth)
        # The board was replaced (the new tile is there) and focus is still on the first tile.
        expect(nurse.locator("#board").get_by_role("link", name=re.compile(other))).to_be_visible()
        assert focused_href(nurse) == href
        assert nurse.evaluate("document.activeElement !== document.body")


def test_a_new_emergency_is_said_once_and_the_start_buttons_name_their_client(
    new_page, committed_app
):
    accounts = seed(committed_app)
    desk, nurse, lead = new_page(), new_page(), new_page()
    sign_in(desk, accounts, "demo.desk")
    sign_in(nurse, accounts, "demo.nurse")
    sign_in(lead, accounts, "demo.manager")
    first = check_in(desk, "an no 01", "Ketamine", "Snort", "Booth 1")
    second = check_in(desk, "an no 02", "Heroin", "Inject", "Booth 2")
    nav(nurse, "Board")
    nav(lead, "Board")
    # Two buttons, two names: each says whose response it starts.
    expect(
        lead.get_by_role("button", name=f"Start emergency response for {second} in Booth 2")
    ).to_be_visible()
    expect(
        lead.get_by_role("button", name=f"Start emergency response for {first} in Booth 1")
    ).to_be_visible()
    announcer = nurse.locator("[data-board-announce]")
    expect(announcer).to_have_text("")
    lead.get_by_role("button", name=f"Start emergency response for {second} in Booth 2").click()
    expect(lead.get_by_role("heading", name=re.compile("Emergency response"))).to_be_visible()
    expect(announcer).to_have_text(re.compile(r"^Booth 2: emergency\.$"))
    # A later refresh that changes something else does not say it again.
    third = check_in(desk, "an no 03", "Ketamine", "Snort", "Booth 3")
    expect(nurse.locator("#board").get_by_role("link", name=re.compile(third))).to_be_visible()
    expect(announcer).to_have_text(re.compile(r"^Booth 2: emergency\.$"))


def test_pause_updates_holds_the_board_and_says_so_then_resumes(new_page, committed_app):
    accounts = seed(committed_app)
    desk, nurse = new_page(), new_page()
    sign_in(desk, accounts, "demo.desk")
    nurse.clock.install()
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    pause = nurse.get_by_role("button", name="Pause updates")
    pause.click()
    expect(nurse.get_by_role("button", name="Resume updates")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(nurse.get_by_text("Updates paused: this board is not changing.")).to_be_visible()
    tag = check_in(desk, "pa us 01", "Ketamine", "Snort", "Booth 1")
    nurse.clock.run_for(10_000)
    expect(nurse.locator("#board .tile-tag").filter(has_text=tag)).to_have_count(0)
    # Five minutes on, the board resumes by itself and catches up.
    nurse.clock.run_for(5 * 60 * 1000)
    expect(nurse.get_by_role("button", name="Pause updates")).to_have_attribute(
        "aria-pressed", "false"
    )
    nurse.clock.run_for(4_000)
    expect(nurse.locator("#board .tile-tag").filter(has_text=tag)).to_be_visible()
