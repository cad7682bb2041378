"""A services-only visit at the desk, and wound care recorded on it by the nurse (issue 22), on
tablets held upright (768×1024): nobody uses, so no booth is offered and the board gives it no
tile, only a line under "Services only" that opens it; the nurse records wound care with a short
note and corrects it, the first note staying struck through.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from sitesys.care.models import CareGiven, CareKind
from sitesys.checkin.models import Visit, VisitKind, VisitStatus
from sitesys.db import get_database
from tests.browser.helpers import nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PORTRAIT = {"width": 768, "height": 1024}
TAP = 44


def tablet(browser: Browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport=PORTRAIT)
    return context.new_page()


def big_enough(control: Locator) -> None:
    box = control.bounding_box()
    assert box is not None and box["height"] >= TAP, box


def services_only_check_in(desk: Page, code: str) -> str:
    """The desk checks a client in for services only; returns the tag it is told."""
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill(code)
    desk.get_by_role("button", name="Find client").click()
    expect(desk.get_by_role("region", name="Client")).to_contain_text("New client")
    booths = desk.get_by_role("group", name="Booth")
    expect(booths).to_be_visible()
    kind = desk.get_by_role("group", name="Visit")
    # The choice sits beside Check in, in reach without a scroll, and is big enough to tap.
    choice = kind.locator("label", has_text="Services only")
    box = choice.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PORTRAIT["height"]
    big_enough(choice)
    kind.get_by_label("Services only").check()
    # Nobody uses: no booth, no substances, no route are asked.
    expect(booths).to_be_hidden()
    expect(desk.get_by_role("group", name="Substances")).to_be_hidden()
    expect(desk.get_by_role("group", name="Route")).to_be_hidden()
    desk.get_by_role("group", name="Drug checked").get_by_label("No", exact=True).check()
    check_in = desk.get_by_role("button", name="Check in", exact=True)
    big_enough(check_in)
    check_in.click()
    message = desk.get_by_text(re.compile(r"^Checked in "))
    expect(message).to_contain_text("(new client): services only, no booth.")
    told = re.match(r"Checked in (.+?) \(new client\)", message.inner_text())
    assert told is not None
    return told.group(1)


def test_a_services_only_visit_takes_no_booth(browser, live_server, committed_app):
    accounts = seed(committed_app)
    desk = tablet(browser, live_server)
    sign_in(desk, accounts, "demo.desk")
    tag = services_only_check_in(desk, "SEON12")

    with get_database(committed_app).new_session() as session:
        [visit] = session.scalars(select(Visit)).all()
        assert visit.kind is VisitKind.SERVICES_ONLY and visit.status is VisitStatus.WAITING
        assert visit.booth_id is None and visit.route is None

    # The board gives it no tile (not in a booth, not waiting, not in aftercare), and lists it
    # under "Services only".
    nav(desk, "Board")
    board = desk.locator("#board")
    expect(board.get_by_role("region", name="Waiting list")).not_to_contain_text(tag)
    expect(board.get_by_role("region", name="Aftercare")).not_to_contain_text(tag)
    expect(board.get_by_role("link", name=re.compile("Booth 1 Free"))).to_be_visible()
    listed = board.get_by_role("region", name="Services only").get_by_role(
        "link", name=re.compile(re.escape(tag))
    )
    expect(listed).to_be_visible()
    big_enough(listed)
    desk.context.close()


def test_the_nurse_records_wound_care_on_a_services_only_visit(browser, live_server, committed_app):
    accounts = seed(committed_app)
    desk, nurse = tablet(browser, live_server), tablet(browser, live_server)
    sign_in(desk, accounts, "demo.desk")
    sign_in(nurse, accounts, "demo.nurse")
    tag = services_only_check_in(desk, "WOUN07")

    # The nurse opens the visit from the board's "Services only" list.
    nav(nurse, "Board")
    nurse.locator("#board").get_by_role("region", name="Services only").get_by_role(
        "link", name=re.compile(re.escape(tag))
    ).click()
    expect(nurse.get_by_role("heading", level=1)).to_contain_text("Services only")
    care = nurse.get_by_role("region", name="Wound care and BBV tests")
    kinds = care.get_by_role("group", name="Care given")
    big_enough(kinds.locator("label", has_text="Wound care"))
    kinds.get_by_label("Wound care").check()
    care.get_by_label("Note").fill("Abscess left forearm cleaned and dressed; review Thursday.")
    record = care.get_by_role("button", name="Record care")
    big_enough(record)
    record.click()
    expect(nurse.get_by_text("Wound care recorded.")).to_be_visible()
    care = nurse.get_by_role("region", name="Wound care and BBV tests")
    expect(care).to_contain_text("Abscess left forearm cleaned and dressed; review Thursday.")

    # The nurse corrects the note: the first stays, struck through, with the reason.
    correct = care.get_by_text("Correct the note")
    big_enough(correct)
    correct.click()
    care.get_by_label("Corrected note").fill("Abscess right forearm cleaned and dressed.")
    care.get_by_label("Reason for the correction").fill("Wrong arm written")
    save = care.get_by_role("button", name="Save correction")
    big_enough(save)
    save.click()
    expect(nurse.get_by_text("Corrected; the note it replaces stays on the record")).to_be_visible()
    care = nurse.get_by_role("region", name="Wound care and BBV tests")
    expect(care).to_contain_text("Wrong arm written")
    expect(care.locator(".struck")).to_contain_text("Abscess left forearm")

    with get_database(committed_app).new_session() as session:
        rows = session.scalars(select(CareGiven).order_by(CareGiven.recorded_at)).all()
        assert [(row.kind, row.is_struck) for row in rows] == [
            (CareKind.WOUND_CARE, True),
            (CareKind.WOUND_CARE, False),
        ]
        assert rows[1].corrects_id == rows[0].id
        assert rows[1].note == "Abscess right forearm cleaned and dressed."
    desk.context.close()
    nurse.context.close()
