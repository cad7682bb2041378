"""An overdose, from the first tap to the closed review, tried in Chromium as staff would."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def check_in_walk_in(page, booth: str) -> None:
    nav(page, "Check in")
    page.get_by_label("Anonymous walk-in").check()
    page.get_by_role("group", name="Substances").get_by_label("Heroin").check()
    page.get_by_role("group", name="Route").get_by_label("Inject", exact=True).check()
    page.get_by_role("group", name="Drug checked").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Booth").get_by_label(booth, exact=True).check()
    page.get_by_role("button", name="Check in", exact=True).click()
    page.get_by_text(re.compile(r"^Checked in Walk-in")).wait_for()


def tap(page, button: str, recorded: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(f"Recorded: {recorded}.").wait_for()


def test_an_overdose_from_the_first_tap_to_the_closed_review(new_page, committed_app):
    accounts = seed(committed_app)
    nurse = new_page()
    sign_in(nurse, accounts, "demo.nurse")
    check_in_walk_in(nurse, "Booth 3")

    # Breathing 6 a minute and unresponsive: the tile turns red and prompts the response.
    nav(nurse, "Board")
    nurse.locator("#board").get_by_role("link", name=re.compile("Booth 3 Walk-in")).click()
    nurse.get_by_role("link", name="Full observation").click()
    nurse.get_by_label("Respiratory rate").fill("6")
    nurse.get_by_role("group", name="Consciousness (ACVPU)").get_by_label(
        "U – Unresponsive"
    ).check()
    nurse.get_by_role("button", name="Save observation").click()
    nurse.get_by_text(re.compile("Start emergency response now")).wait_for()
    nav(nurse, "Board")
    tile = nurse.locator("#board .tile-wrap").filter(has_text="Booth 3")
    assert "tile-red" in tile.get_by_role("link").first.get_attribute("class")
    tile.get_by_role("button", name="Start emergency response").click()
    nurse.get_by_role(
        "heading", name=re.compile("Emergency response · Walk-in \\w{4} · Booth 3")
    ).wait_for()
    clock = nurse.locator("[data-clock-since]")
    nurse.wait_for_function(
        "el => /^\\d+:\\d\\d$/.test(el.textContent)", arg=clock.element_handle()
    )

    # A manager's tablet on the same response sees the running totals beside its clock change.
    watcher = new_page()
    sign_in(watcher, accounts, "demo.manager")
    watcher.goto(nurse.url)
    watched = watcher.locator("#response-totals")
    assert "0 mg in 0 doses" in watched.inner_text()

    tap(nurse, "Oxygen", "Oxygen 15 L/min")
    tap(nurse, "Naloxone", "Naloxone 0.4 mg intramuscular")
    tap(nurse, "Naloxone", "Naloxone 0.4 mg intramuscular")
    tap(nurse, "EMS called", "EMS called")
    tap(nurse, "Client responsive", "Client responsive")
    # Every board shows the emergency at once, the front desk's too (without the clinical button).
    desk = new_page()
    sign_in(desk, accounts, "demo.desk")
    nav(desk, "Board")
    running = desk.locator("#board").get_by_role("link", name=re.compile("Booth 3 Walk-in"))
    assert "tile-emergency" in running.get_attribute("class")
    assert "Emergency response running" in running.text_content()
    assert desk.get_by_role("button", name="Start emergency response").count() == 0

    totals = nurse.locator("#response-totals")
    assert "0.8 mg in 2 doses" in totals.inner_text()
    assert re.search(r"called \d+ min ago", totals.inner_text())
    watched.filter(has_text="0.8 mg in 2 doses").wait_for(timeout=15_000)
    assert (
        watcher.get_by_role("region", name="Response log")
        .get_by_text("Naloxone 0.4 mg intramuscular")
        .count()
        == 2
    )

    nurse.once("dialog", lambda dialog: dialog.accept())
    nurse.get_by_role("button", name="End response").click()
    nurse.get_by_text("Response ended. Complete the report while it is fresh.").wait_for()

    # Submitting too early says what is missing; nothing is lost from the form.
    nurse.get_by_role("button", name="Submit report").click()
    nurse.get_by_role("alert").get_by_text("Choose at least one type of incident.").wait_for()
    nurse.get_by_role("group", name="Type of incident").get_by_label("Opioid overdose").check()
    nurse.get_by_label("What happened").fill(
        "Found unresponsive in booth 3, pinpoint pupils, slow breathing. Oxygen, naloxone twice, "
        "EMS called; responsive before EMS arrived."
    )
    nurse.get_by_role("group", name="Outcome").get_by_label("Recovered on site").check()
    nurse.get_by_role("group", name="Physical harm").get_by_label("Moderate").check()
    nurse.get_by_role("group", name="Psychological harm").get_by_label("Low").check()
    staff = nurse.get_by_role("group", name="Staff involved")
    assert staff.get_by_label("Nia (nurse)").is_checked()
    nurse.get_by_role("button", name="Submit report").click()
    nurse.get_by_text("Report submitted to the managers. Thank you.").wait_for()

    # The manager sees it waiting, urgent, and reviews it.
    manager = new_page()
    sign_in(manager, accounts, "demo.manager")
    incidents_link = manager.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Incidents")
    )
    assert incidents_link.get_by_title("Awaiting review").inner_text() == "1"
    incidents_link.click()
    queue = manager.get_by_role("region", name="Incident queue")
    first_row = queue.get_by_role("row").nth(1)
    assert "Urgent" in first_row.inner_text() and "Opioid overdose" in first_row.inner_text()
    first_row.get_by_role("link").first.click()
    manager.get_by_role("button", name="Take into review").click()
    manager.get_by_text("Taken into review. You are its reviewer.").wait_for()
    manager.get_by_label("Findings").fill("Naloxone within two minutes; ventilation kept up.")
    manager.get_by_label("Learning").fill("Fentanyl in the heroin: share the drug alert.")
    manager.get_by_role("button", name="Save review").click()
    manager.get_by_text("Review saved.").wait_for()
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.get_by_role("button", name="Close incident").click()
    manager.get_by_text("Incident closed.").wait_for()

    # A later amendment keeps the old value beside the new one.
    manager.get_by_role("link", name="Amend report").click()
    manager.get_by_role("group", name="Physical harm").get_by_label("Severe").check()
    manager.get_by_label("Reason for the amendment").fill(
        "Two doses of naloxone were a life-saving intervention"
    )
    manager.get_by_role("button", name="Save amendment").click()
    manager.get_by_text("Amendment saved (physical harm).").wait_for()
    amendments = manager.get_by_role("region", name="Amendments")
    row = amendments.get_by_role("row").nth(1).inner_text()
    assert "Physical harm" in row and "Moderate" in row and "Severe" in row
    assert "life-saving intervention" in row


def test_someone_who_collapses_just_after_leaving_is_responded_to_and_on_every_board(
    new_page, committed_app
):
    accounts = seed(committed_app)
    nurse = new_page()
    sign_in(nurse, accounts, "demo.nurse")
    check_in_walk_in(nurse, "Booth 3")
    tag = re.search(r"Walk-in \w{4}", nurse.get_by_text(re.compile("^Checked in")).inner_text())[0]
    nav(nurse, "Board")
    nurse.locator("#board").get_by_role("link", name=re.compile(f"Booth 3 {tag}")).click()
    nurse.once("dialog", lambda dialog: dialog.accept())
    nurse.get_by_role("button", name="Check out").click()
    nurse.get_by_text(re.compile(f"{tag} checked out")).wait_for()

    # The front desk's board is open; the client is no longer on it.
    desk = new_page()
    sign_in(desk, accounts, "demo.desk")
    nav(desk, "Board")
    assert desk.locator("#board").get_by_text(tag).count() == 0

    # Minutes later they collapse outside: the nurse finds them under "Left in the last hour".
    nav(nurse, "Incidents")
    left = nurse.get_by_role("listitem").filter(has_text=tag)
    assert "Left at" in left.inner_text()
    left.get_by_role("button", name="Start emergency response").click()
    nurse.get_by_role("heading", name=re.compile(f"Emergency response · {tag}")).wait_for()

    # Every board shows it above the booths, the desk's without reloading.
    off_floor = desk.get_by_role("region", name="Emergency responses off the floor")
    off_floor.wait_for(timeout=15_000)
    assert tag in off_floor.inner_text() and "Left the site at" in off_floor.inner_text()
    assert off_floor.get_by_role("link").count() == 0
    nav(nurse, "Board")
    nurse.get_by_role("region", name="Emergency responses off the floor").get_by_role(
        "link", name="Emergency response running — open it"
    ).click()
    nurse.get_by_role("heading", name=re.compile(f"Emergency response · {tag}")).wait_for()
    nurse.once("dialog", lambda dialog: dialog.accept())
    nurse.get_by_role("button", name="End response").click()
    nurse.get_by_text("Response ended. Complete the report while it is fresh.").wait_for()
    off_floor.wait_for(state="detached", timeout=15_000)


def test_the_manager_can_export_twice_without_reloading(new_page, committed_app):
    """A download leaves the page where it is: the double-tap guard must not keep the Export
    button dead, so the manager can export again with narratives ticked."""
    accounts = seed(committed_app)
    manager = new_page()
    sign_in(manager, accounts, "demo.manager")
    nav(manager, "Incidents")
    export = manager.get_by_role("button", name="Export CSV")
    with manager.expect_download() as first:
        export.click()
    assert first.value.suggested_filename.endswith(".csv")
    manager.get_by_label("Include narratives").check()
    with manager.expect_download(timeout=10_000) as second:
        export.click()
    assert second.value.suggested_filename.endswith(".csv")


def test_a_long_unbroken_note_wraps_instead_of_widening_the_response_screen(
    new_page, committed_app
):
    accounts = seed(committed_app)
    nurse = new_page()
    nurse.set_viewport_size({"width": 1024, "height": 768})
    sign_in(nurse, accounts, "demo.nurse")
    check_in_walk_in(nurse, "Booth 3")
    nav(nurse, "Board")
    nurse.locator("#board .tile-wrap").filter(has_text="Booth 3").get_by_role(
        "button", name="Start emergency response"
    ).click()
    nurse.get_by_role("heading", name=re.compile("Emergency response")).wait_for()
    nurse.get_by_label("Note").fill("x" * 200)
    tap(nurse, "Note", "Note: " + "x" * 200)
    assert nurse.evaluate("document.documentElement.scrollWidth") <= 1024
