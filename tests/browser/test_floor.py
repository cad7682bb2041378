"""The front desk and the floor, tried as staff would on two tablets."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def check_in(desk, code: str, substance: str, route: str, booth: str) -> str:
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill(code)
    desk.get_by_role("button", name="Find client").click()
    desk.get_by_role("region", name="Client").wait_for()
    desk.get_by_role("group", name="Substances").get_by_label(substance).check()
    desk.get_by_role("group", name="Route").get_by_label(route, exact=True).check()
    desk.get_by_role("group", name="Drug checked").get_by_label("No", exact=True).check()
    desk.get_by_role("group", name="Booth").get_by_label(booth, exact=True).check()
    desk.get_by_role("button", name="Check in", exact=True).click()
    message = desk.get_by_text(re.compile(r"^Checked in ")).inner_text()
    return re.match(r"Checked in (.+?)( \(new client\))?:", message).group(1)


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
    tile.wait_for(timeout=8_000)
    assert "Ketamine · Snort" in tile.inner_text()

    tile.click()
    nurse.get_by_role("heading", name=re.compile(tag)).wait_for()
    nurse.get_by_role("button", name="Move to aftercare").click()
    nurse.get_by_text(f"{tag} moved to aftercare.").wait_for()
    nurse.once("dialog", lambda dialog: dialog.accept())
    nurse.get_by_role("button", name="Check out").click()
    nurse.get_by_text(f"{tag} checked out.").wait_for()
    nurse.get_by_role("button", name="Mark booth 1 clean").click()
    nurse.get_by_text("Booth 1 is clean and free.").wait_for()
    assert nurse.locator("#board").get_by_role("link", name=re.compile("Booth 1 Free")).is_visible()

    # The same code again is a returning client, with one visit behind them.
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill("JOMA07")
    desk.get_by_role("button", name="Find client").click()
    summary = desk.get_by_role("region", name="Client")
    assert tag in summary.inner_text() and re.search(r"Visits\s+1", summary.inner_text())
    assert check_in(desk, "JOMA07", "Heroin", "Inject", "Waiting list") == tag
    board.get_by_role("region", name="Waiting list").get_by_text(tag).wait_for(timeout=8_000)


def test_without_javascript_the_desk_still_checks_in(browser, live_server, committed_app):
    accounts = seed(committed_app)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, accounts, "demo.desk")
    tag = check_in(page, "ANBO03", "Crack", "Smoke", "Booth S1 (smoking)")
    nav(page, "Board")
    page.get_by_role("heading", name="Board").wait_for()
    assert page.get_by_role("link", name=re.compile(f"Booth S1 {tag}")).is_visible()
    context.close()


def test_a_board_that_gets_no_answer_says_it_is_not_updating(new_page, committed_app):
    """The network drops: the board must not go on reading "Up to date". Once polls are answered
    again the warning goes."""
    accounts = seed(committed_app)
    nurse = new_page()
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    warning = nurse.locator("#board [data-board-lost]")
    assert warning.is_hidden()
    # Answered polls ("no change") move the time the board says it was checked.
    checked = nurse.locator("[data-board-checked]")
    first = checked.inner_text()
    nurse.wait_for_function(
        "([el, was]) => el.textContent !== was"
        " && /^Up to date at \\d\\d:\\d\\d:\\d\\d$/.test(el.textContent)",
        arg=[checked.element_handle(), first],
        timeout=10_000,
    )
    nurse.route("**/board/partial*", lambda route: route.abort("internetdisconnected"))
    warning.wait_for(state="visible", timeout=10_000)
    assert re.match(
        r"Not updating: no answer since \d\d:\d\d:\d\d\. The board may be out of date\. "
        r"Check the tablet's connection\.$",
        warning.inner_text(),
    )
    assert nurse.get_by_role("alert").filter(has_text="Not updating").count() == 1
    nurse.unroute("**/board/partial*")
    warning.wait_for(state="hidden", timeout=10_000)
    # A poll that hangs with no answer at all is caught too, ten seconds after it was sent.
    stalled = []
    nurse.route("**/board/partial*", lambda route: stalled.append(route))
    warning.wait_for(state="visible", timeout=20_000)
    assert stalled
