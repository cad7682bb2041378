"""An overdose, from the first tap to the closed review, tried in Chromium as staff would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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
    expect(page.get_by_text(re.compile(r"^Checked in Walk-in"))).to_be_visible()


def tap(page, button: str, recorded: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_text(f"Recorded: {recorded}.")).to_be_visible()


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
    expect(nurse.get_by_text(re.compile("Start emergency response now"))).to_be_visible()
    nav(nurse, "Board")
    tile = nurse.locator("#board .tile-wrap").filter(has_text="Booth 3")
    expect(tile.get_by_role("link").first).to_contain_class("tile-emergency")
    tile.get_by_role("button", name="Start emergency response").click()
    expect(
        nurse.get_by_role(
            "heading", name=re.compile("Emergency response · Walk-in \\w{4} · Booth 3")
        )
    ).to_be_visible()
    expect(nurse.locator("[data-clock-since]")).to_have_text(re.compile(r"^\d+:\d\d$"))

    # A manager's tablet on the same response sees the running totals beside its clock change.
    watcher = new_page()
    sign_in(watcher, accounts, "demo.manager")
    watcher.goto(nurse.url)
    watched = watcher.locator("#response-totals")
    expect(watched).to_contain_text("0 mg in 0 doses", use_inner_text=True)

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
    expect(running).to_contain_class("tile-emergency")
    expect(running).to_contain_text("Emergency response running")
    expect(desk.get_by_role("button", name="Start emergency response")).to_have_count(0)

    totals = nurse.locator("#response-totals")
    expect(totals).to_contain_text("0.8 mg in 2 doses", use_inner_text=True)
    expect(totals).to_contain_text(re.compile(r"called \d+ min ago"), use_inner_text=True)
    expect(watched).to_contain_text("0.8 mg in 2 doses", timeout=15_000)
    expect(
        watcher.get_by_role("region", name="Response log").get_by_text(
            "Naloxone 0.4 mg intramuscular"
        )
    ).to_have_count(2)

    nurse.get_by_role("button", name="End response").click()
    nurse.get_by_role("button", name="Yes, end the response").click()
    expect(
        nurse.get_by_text("Response ended. Complete the report while it is fresh.")
    ).to_be_visible()

    # Submitting too early says what is missing; nothing is lost from the form.
    nurse.get_by_role("button", name="Submit report").click()
    expect(
        nurse.get_by_role("alert").get_by_text("Choose at least one type of incident.")
    ).to_be_visible()
    nurse.get_by_role("group", name="Type of incident").get_by_label("Opioid overdose").check()
    nurse.get_by_label("What happened").fill(
        "Found unresponsive in booth 3, pinpoint pupils, slow breathing. Oxygen, naloxone twice, "
        "EMS called; responsive before EMS arrived."
    )
    nurse.get_by_role("group", name="Outcome").get_by_label("Recovered on site").check()
    nurse.get_by_role("group", name="Physical harm").get_by_label("Moderate").check()
    nurse.get_by_role("group", name="Psychological harm").get_by_label("Low").check()
    staff = nurse.get_by_role("group", name="Staff involved")
    expect(staff.get_by_label("Nia (nurse)")).to_be_checked()
    nurse.get_by_role("button", name="Submit report").click()
    expect(nurse.get_by_text("Report submitted to the managers. Thank you.")).to_be_visible()

    # The manager sees it waiting, urgent, and reviews it.
    manager = new_page()
    sign_in(manager, accounts, "demo.manager")
    incidents_link = manager.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Incidents")
    )
    expect(incidents_link.get_by_title("Awaiting review")).to_have_text("1", use_inner_text=True)
    incidents_link.click()
    queue = manager.get_by_role("region", name="Incident queue")
    first_row = queue.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("Urgent", use_inner_text=True)
    expect(first_row).to_contain_text("Opioid overdose", use_inner_text=True)
    first_row.get_by_role("link").first.click()
    manager.get_by_role("button", name="Take into review").click()
    expect(manager.get_by_text("Taken into review. You are its reviewer.")).to_be_visible()
    # Not offered while a rule would refuse it: the page says what is missing instead.
    expect(manager.get_by_role("region", name="Before it can be closed")).to_contain_text(
        "Record the findings before closing the incident."
    )
    expect(manager.get_by_role("button", name="Close incident")).to_have_count(0)
    manager.get_by_label("Findings").fill("Naloxone within two minutes; ventilation kept up.")
    manager.get_by_label("Learning").fill("Fentanyl in the heroin: share the drug alert.")
    manager.get_by_role("button", name="Save review").click()
    expect(manager.get_by_text("Review saved.")).to_be_visible()
    manager.get_by_role("button", name="Close incident").click()
    manager.get_by_role("button", name="Yes, close the incident").click()
    expect(manager.get_by_text("Incident closed.")).to_be_visible()

    # A later amendment keeps the old value beside the new one.
    manager.get_by_role("link", name="Amend report").click()
    manager.get_by_role("group", name="Physical harm").get_by_label("Severe").check()
    manager.get_by_label("Reason for the amendment").fill(
        "Two doses of naloxone were a life-saving intervention"
    )
    manager.get_by_role("button", name="Save amendment").click()
    expect(manager.get_by_text("Amendment saved (physical harm).")).to_be_visible()
    row = manager.get_by_role("region", name="Amendments").get_by_role("row").nth(1)
    for shown in ("Physical harm", "Moderate", "Severe", "life-saving intervention"):
        expect(row).to_contain_text(shown, use_inner_text=True)


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
    nurse.get_by_role("button", name="Check out").click()
    nurse.get_by_role("button", name="Yes, check out").click()
    expect(nurse.get_by_text(re.compile(f"{tag} checked out"))).to_be_visible()

    # The front desk's board is open; the client is no longer on it.
    desk = new_page()
    sign_in(desk, accounts, "demo.desk")
    nav(desk, "Board")
    expect(desk.locator("#board").get_by_text(tag)).to_have_count(0)

    # Minutes later they collapse outside: the nurse finds them under "Left in the last hour".
    nav(nurse, "Incidents")
    left = nurse.get_by_role("listitem").filter(has_text=tag)
    expect(left).to_contain_text("Left at", use_inner_text=True)
    left.get_by_role("button", name="Start emergency response").click()
    expect(
        nurse.get_by_role("heading", name=re.compile(f"Emergency response · {tag}"))
    ).to_be_visible()

    # Every board shows it above the booths, the desk's without reloading.
    off_floor = desk.get_by_role("region", name="Emergency responses off the floor")
    expect(off_floor).to_be_visible(timeout=15_000)
    expect(off_floor).to_contain_text(tag, use_inner_text=True)
    expect(off_floor).to_contain_text("Left the site at", use_inner_text=True)
    expect(off_floor.get_by_role("link")).to_have_count(0)
    nav(nurse, "Board")
    nurse.get_by_role("region", name="Emergency responses off the floor").get_by_role(
        "link", name="Emergency response running — open it"
    ).click()
    expect(
        nurse.get_by_role("heading", name=re.compile(f"Emergency response · {tag}"))
    ).to_be_visible()
    nurse.get_by_role("button", name="End response").click()
    nurse.get_by_role("button", name="Yes, end the response").click()
    expect(
        nurse.get_by_text("Response ended. Complete the report while it is fresh.")
    ).to_be_visible()
    expect(off_floor).not_to_be_attached(timeout=15_000)


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
    expect(nurse.get_by_role("heading", name=re.compile("Emergency response"))).to_be_visible()
    nurse.get_by_label("Note").fill("x" * 200)
    tap(nurse, "Note", "Note: " + "x" * 200)
    assert nurse.evaluate("document.documentElement.scrollWidth") <= 1024
