"""The front desk and the floor, tried as staff would on two tablets."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_in, nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_desk_checks_in_and_the_floor_follows_on_another_tablet(new_page, committed_app):
    accounts = seed(committed_app)
    desk, nurse = new_page(), new_page()
    sign_in(desk, accounts, "demo.desk")
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    board = nurse.locator("#board")

    tag = check_in(desk, "jo ma 07", "Ketamine", "Snort", "Booth 1")
    # The nurse's board updates by itself, without a reload.
    tile = board.get_by_role("link", name=re.compile(f"Booth 1 {tag}"))
    expect(tile).to_be_visible(timeout=8_000)
    expect(tile).to_contain_text("Ketamine · Snort", use_inner_text=True)

    tile.click()
    expect(nurse.get_by_role("heading", name=re.compile(tag))).to_be_visible()
    nurse.get_by_role("button", name="Move to aftercare").click()
    expect(nurse.get_by_text(f"{tag} moved to aftercare.")).to_be_visible()
    nurse.get_by_role("button", name="Check out").click()
    nurse.get_by_role("button", name="Yes, check out").click()
    expect(nurse.get_by_text(f"{tag} checked out.")).to_be_visible()
    nurse.get_by_role("button", name="Mark booth 1 clean").click()
    expect(nurse.get_by_text("Booth 1 is clean and free.")).to_be_visible()
    expect(
        nurse.locator("#board").get_by_role("link", name=re.compile("Booth 1 Free"))
    ).to_be_visible()

    # The same code again is a returning client, with one visit behind them.
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill("JOMA07")
    desk.get_by_role("button", name="Find client").click()
    summary = desk.get_by_role("region", name="Client")
    expect(summary).to_contain_text(tag, use_inner_text=True)
    expect(summary).to_contain_text(re.compile(r"Visits\s+1"), use_inner_text=True)
    assert check_in(desk, "JOMA07", "Heroin", "Inject", "Waiting list") == tag
    waiting = board.get_by_role("region", name="Waiting list")
    expect(waiting.get_by_text(tag, exact=True)).to_be_visible(timeout=8_000)


def test_without_javascript_the_desk_still_checks_in(browser, live_server, committed_app):
    accounts = seed(committed_app)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, accounts, "demo.desk")
    tag = check_in(page, "ANBO03", "Crack", "Smoke", "Booth S1 (smoking)")
    nav(page, "Board")
    expect(page.get_by_role("heading", name="Board")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(f"Booth S1 {tag}"))).to_be_visible()
    context.close()


def test_a_board_that_gets_no_answer_says_it_is_not_updating(new_page, committed_app):
    """The network drops: the board must not go on reading "Up to date". Once polls are answered
    again the warning goes."""
    accounts = seed(committed_app)
    nurse = new_page()
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    warning = nurse.locator("#board [data-board-lost]")
    expect(warning).to_be_hidden()
    # Answered polls ("no change") move the time the board says it was checked.
    checked = nurse.locator("[data-board-checked]")
    up_to_date = re.compile(r"^Up to date at \d\d:\d\d:\d\d$")
    first = checked.text_content()
    expect(checked).not_to_have_text(first)
    expect(checked).to_have_text(up_to_date)
    nurse.route("**/board/partial*", lambda route: route.abort("internetdisconnected"))
    expect(warning).to_be_visible()
    expect(warning).to_have_text(
        re.compile(
            r"^Not updating: no answer since \d\d:\d\d:\d\d\. The board may be out of date\. "
            r"Check the tablet's connection\.$"
        ),
        use_inner_text=True,
    )
    expect(nurse.get_by_role("alert").filter(has_text="Not updating")).to_have_count(1)
    nurse.unroute("**/board/partial*")
    expect(warning).to_be_hidden()
    # A poll that hangs with no answer at all is caught too, ten seconds after it was sent.
    stalled = []
    nurse.route("**/board/partial*", lambda route: stalled.append(route))
    expect(warning).to_be_visible(timeout=20_000)
    assert stalled
