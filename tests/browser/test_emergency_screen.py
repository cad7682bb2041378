"""The emergency screen at tablet sizes: the life-saving buttons above the fold, in order, and
a tap that leaves the page where it is."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.db import get_database
from sitesys.incidents.services import start_response
from sitesys.sites.models import Site
from tests.browser.helpers import nav, seed, sign_in
from tests.factories import make_booth, make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]

SIZES = [(768, 1024), (1024, 768)]


def running_response(app):
    with get_database(app).new_session() as session:
        site = session.scalar(select(Site))
        nurse = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booth = make_booth(session, site, label="9")
        visit = make_visit(
            session,
            site,
            nurse,
            booth=booth,
            client=make_client(session, site, display_tag="Amber Heron 27"),
        )
        incident = start_response(session, nurse, visit).incident
        session.commit()
        return incident.id


def first_aid(page):
    """The first actions and the totals, in the order the screen must show them."""
    return [
        ("Naloxone", page.get_by_role("button", name="Naloxone", exact=True)),
        ("Dose", page.get_by_label("Dose (mg)")),
        ("Route", page.get_by_role("group", name="Route")),
        ("Rescue breaths", page.get_by_role("button", name="Rescue breaths / bag-valve-mask")),
        ("Airway", page.get_by_role("button", name="Airway / recovery position")),
        ("Oxygen", page.get_by_role("button", name="Oxygen", exact=True)),
        ("EMS called", page.get_by_role("button", name="EMS called")),
        ("Totals", page.get_by_role("definition").filter(has_text="mg in")),
    ]


def box(locator):
    found = locator.bounding_box()
    assert found is not None
    return found


def reads_before(first, second) -> bool:
    """`first` comes before `second` as a page is read: a row above, or left on the same row."""
    if first["y"] + first["height"] <= second["y"] + 1:
        return True
    same_row = abs(first["y"] - second["y"]) < 40
    return same_row and first["x"] + first["width"] <= second["x"] + 1


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_first_aid_is_above_the_fold_in_order_and_a_tap_leaves_the_page_still(
    new_page, committed_app, width, height
):
    accounts = seed(committed_app)
    incident_id = running_response(committed_app)
    page = new_page()
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, accounts, "demo.nurse")
    page.goto(f"/incidents/{incident_id}/respond")

    expect(page.get_by_label("Dose (mg)")).to_have_value("0.4")
    expect(page.get_by_role("group", name="Route").get_by_label("Intramuscular")).to_be_checked()
    parts = first_aid(page)
    boxes = {}
    for name, locator in parts:
        expect(locator).to_be_visible()
        found = box(locator)
        assert found["y"] >= 0 and found["y"] + found["height"] <= height, (name, found)
        if name not in ("Dose", "Route", "Totals"):
            assert found["height"] >= 44 and found["width"] >= 44, (name, found)
        boxes[name] = found
    order = ["Naloxone", "Rescue breaths", "Airway", "Oxygen", "EMS called", "Totals"]
    for first, second in itertools.pairwise(order):
        assert reads_before(boxes[first], boxes[second]), (first, second)
    # The rest follow the totals.
    for later in ("Stimulation", "CPR started", "End response"):
        assert box(page.get_by_role("button", name=later))["y"] > boxes["Totals"]["y"]

    # A tap is answered in place: no page load, nothing moves, the log and totals change.
    page.evaluate("window.scrollTo(0, 0); window.stillHere = true")
    page.get_by_role("button", name="Naloxone", exact=True).click()
    expect(
        page.get_by_role("status").get_by_text("Recorded: Naloxone 0.4 mg intramuscular.")
    ).to_be_visible()
    expect(page.locator("#naloxone-total")).to_have_text("0.4 mg in 1 dose")
    log = page.get_by_role("region", name="Response log")
    expect(log.get_by_text("Naloxone 0.4 mg intramuscular")).to_have_count(1)
    assert page.evaluate("window.stillHere") is True
    assert page.evaluate("window.scrollY") == 0
    for name, locator in first_aid(page):
        assert box(locator)["y"] == pytest.approx(boxes[name]["y"], abs=2), name

    # A second tap is a second dose (a fresh key came with the answer), and a changed route is
    # kept for it.
    page.get_by_role("group", name="Route").get_by_label("Intranasal").check()
    page.get_by_role("button", name="Naloxone", exact=True).click()
    expect(page.locator("#naloxone-total")).to_have_text("0.8 mg in 2 doses")
    expect(log.get_by_text("Naloxone 0.4 mg intranasal")).to_have_count(1)
    page.get_by_role("button", name="EMS called").click()
    expect(log.get_by_text("EMS called")).to_have_count(1)
    assert page.evaluate("window.stillHere") is True


def test_without_javascript_a_tap_is_recorded_and_the_screen_comes_back(
    browser, live_server, committed_app
):
    accounts = seed(committed_app)
    incident_id = running_response(committed_app)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 768, "height": 1024}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, accounts, "demo.nurse")
        page.goto(f"/incidents/{incident_id}/respond")
        page.get_by_label("Dose (mg)").fill("0.8")
        with page.expect_navigation():
            page.get_by_role("button", name="Naloxone", exact=True).click()
        expect(page.get_by_text("Recorded: Naloxone 0.8 mg intramuscular.")).to_be_visible()
        expect(page.locator("#naloxone-total")).to_have_text("0.8 mg in 1 dose")
        with page.expect_navigation():
            page.get_by_role("button", name="Naloxone", exact=True).click()
        expect(page.locator("#naloxone-total")).to_have_text("1.2 mg in 2 doses")
        # Still above the fold with the message on top.
        found = box(page.get_by_role("definition").filter(has_text="mg in"))
        assert found["y"] + found["height"] <= 1024
    finally:
        context.close()


def test_the_minutes_since_the_last_dose_run_and_prompt_another(new_page, committed_app):
    accounts = seed(committed_app)
    incident_id = running_response(committed_app)
    page = new_page()
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, accounts, "demo.nurse")
    page.clock.install()
    page.goto(f"/incidents/{incident_id}/respond")
    since = page.locator("#naloxone-since")
    expect(since).to_have_text("no dose yet")
    page.get_by_role("button", name="Naloxone", exact=True).click()
    expect(since).to_contain_text(re.compile(r"^0:0\d min"))
    prompt = since.get_by_text("Consider another dose")
    expect(prompt).to_be_hidden()
    page.clock.fast_forward("03:01")
    expect(prompt).to_be_visible()
    expect(since).to_contain_text(re.compile(r"^3:0\d min"))
    expect(prompt).to_be_in_viewport(ratio=1)


def test_vitals_recorded_from_the_response_screen_come_back_to_its_log(new_page, committed_app):
    accounts = seed(committed_app)
    incident_id = running_response(committed_app)
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, accounts, "demo.nurse")
    page.goto(f"/incidents/{incident_id}/respond")
    page.get_by_role("link", name="Record vitals").click()
    page.get_by_label("Respiratory rate").fill("6")
    page.get_by_role("group", name="Consciousness (ACVPU)").get_by_label("U – Unresponsive").check()
    page.get_by_role("button", name="Save observation").click()
    expect(page).to_have_url(re.compile(f"/incidents/{incident_id}/respond$"))
    log = page.get_by_role("region", name="Response log")
    expect(log.get_by_text(re.compile(r"^Vitals: .*RR 6/min.*Unresponsive"))).to_be_visible()


def test_a_client_transferred_to_hospital_leaves_every_board_and_the_booth_needs_cleaning(
    new_page, committed_app
):
    accounts = seed(committed_app)
    incident_id = running_response(committed_app)
    desk, lead = new_page(), new_page()
    sign_in(desk, accounts, "demo.desk")
    sign_in(lead, accounts, "demo.manager")
    for page in (desk, lead):
        nav(page, "Board")
        expect(
            page.locator("#board").get_by_role("link", name=re.compile("Booth 9 Amber Heron 27"))
        ).to_be_visible()
    nurse = new_page()
    nurse.set_viewport_size({"width": 768, "height": 1024})
    sign_in(nurse, accounts, "demo.nurse")
    nurse.goto(f"/incidents/{incident_id}/respond")
    nurse.get_by_role("button", name="Transferred to hospital", exact=True).click()
    expect(
        nurse.get_by_role("status").get_by_text(
            "Amber Heron 27 left by ambulance and is off the board. Booth 9 needs cleaning."
        )
    ).to_be_visible()
    for page in (desk, lead):
        board = page.locator("#board")
        # Every board follows by itself: the booth needs cleaning, the client's tile is gone
        # (the response still running shows off the floor until it is ended).
        expect(board.locator(".tile", has_text="Needs cleaning")).to_contain_text(
            "Booth 9", timeout=15_000
        )
        expect(board.get_by_role("link", name=re.compile("Amber Heron 27"))).to_have_count(0)
        expect(
            board.get_by_role("region", name="Emergency responses off the floor")
        ).to_contain_text("Left by ambulance at")
    nurse.get_by_role("button", name="End response", exact=True).click()
    nurse.get_by_role("button", name="Yes, end the response").click()
    expect(
        nurse.get_by_text("Response ended. Complete the report while it is fresh.")
    ).to_be_visible()
    for page in (desk, lead):
        expect(page.locator("#board")).not_to_contain_text("Amber Heron 27", timeout=15_000)


def no_dialogs(page):
    shown = []
    page.on("dialog", lambda dialog: (shown.append(dialog.message), dialog.dismiss()))
    return shown


@pytest.mark.parametrize("javascript", [True, False])
def test_ending_the_response_is_confirmed_in_the_page_with_large_buttons(
    browser, live_server, committed_app, javascript
):
    accounts = seed(committed_app)
    incident_id = running_response(committed_app)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 768, "height": 1024},
        java_script_enabled=javascript,
    )
    try:
        page = context.new_page()
        dialogs = no_dialogs(page)
        sign_in(page, accounts, "demo.nurse")
        page.goto(f"/incidents/{incident_id}/respond")
        yes = page.get_by_role("button", name="Yes, end the response")
        expect(yes).to_be_hidden()
        page.get_by_role("button", name="End response", exact=True).click()
        panel = page.get_by_role("group", name="End the response?")
        expect(panel).to_contain_text("The clock stops and the report opens.")
        for button in (
            page.get_by_role("button", name="End response", exact=True),
            yes,
            page.get_by_role("button", name="Yes, end it: transferred to hospital"),
        ):
            expect(button).to_be_visible()
            assert box(button)["height"] >= 44 and box(button)["width"] >= 44
        if javascript:
            page.get_by_role("button", name="Cancel").click()
            expect(yes).to_be_hidden()
            page.get_by_role("button", name="End response", exact=True).click()
        else:
            expect(page.get_by_role("button", name="Cancel")).to_be_hidden()
        yes.click()
        expect(
            page.get_by_text("Response ended. Complete the report while it is fresh.")
        ).to_be_visible()
        assert dialogs == []
    finally:
        context.close()


def test_check_out_is_confirmed_in_the_page_with_how_the_client_left(new_page, committed_app):
    accounts = seed(committed_app)
    with get_database(committed_app).new_session() as session:
        site = session.scalar(select(Site))
        desk = session.scalar(select(Staff).where(Staff.username == "demo.desk"))
        visit = make_visit(
            session,
            site,
            desk,
            booth=make_booth(session, site, label="11"),
            client=make_client(session, site, display_tag="Birch Owl 12"),
        )
        session.commit()
        visit_id = visit.id
    page = new_page()
    page.set_viewport_size({"width": 768, "height": 1024})
    dialogs = no_dialogs(page)
    sign_in(page, accounts, "demo.desk")
    page.goto(f"/visits/{visit_id}")
    page.get_by_role("button", name="Check out").click()
    panel = page.get_by_role("group", name="Check Birch Owl 12 out?")
    reasons = panel.get_by_role("group", name="How they left")
    expect(reasons.get_by_label("Left as planned")).to_be_checked()
    reasons.get_by_label("Left against advice").check()
    panel.get_by_role("button", name="Yes, check out").click()
    expect(page.get_by_text("Birch Owl 12 checked out: left against advice.")).to_be_visible()
    assert dialogs == []
