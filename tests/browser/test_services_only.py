"""A services-only visit at the desk (issue 22): nobody uses, so no booth is offered, and the
board gives it no tile.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sitesys.checkin.models import Visit, VisitKind, VisitStatus
from sitesys.db import get_database
from tests.browser.helpers import nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PORTRAIT = {"width": 768, "height": 1024}


def test_a_services_only_visit_takes_no_booth(browser, live_server, committed_app):
    accounts = seed(committed_app)
    context = browser.new_context(base_url=live_server.url, viewport=PORTRAIT)
    desk = context.new_page()
    sign_in(desk, accounts, "demo.desk")
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill("SEON12")
    desk.get_by_role("button", name="Find client").click()
    expect(desk.get_by_role("region", name="Client")).to_contain_text("New client")

    booths = desk.get_by_role("group", name="Booth")
    expect(booths).to_be_visible()
    kind = desk.get_by_role("group", name="Visit")
    services_only = kind.get_by_label("Services only")
    # The choice sits beside Check in, in reach without a scroll.
    box = kind.locator("label", has_text="Services only").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PORTRAIT["height"]
    assert box["height"] >= 44
    services_only.check()
    # Nobody uses: no booth, no substances, no route are asked.
    expect(booths).to_be_hidden()
    expect(desk.get_by_role("group", name="Substances")).to_be_hidden()
    expect(desk.get_by_role("group", name="Route")).to_be_hidden()
    desk.get_by_role("group", name="Drug checked").get_by_label("No", exact=True).check()
    desk.get_by_role("group", name="Services given").get_by_label("Foil").check()
    desk.get_by_role("button", name="Check in", exact=True).click()
    message = desk.get_by_text(re.compile(r"^Checked in "))
    expect(message).to_contain_text("(new client): services only, no booth.")
    tag = re.match(r"Checked in (.+?) \(new client\)", message.inner_text())
    assert tag is not None

    with get_database(committed_app).new_session() as session:
        [visit] = session.scalars(select(Visit)).all()
        assert visit.kind is VisitKind.SERVICES_ONLY and visit.status is VisitStatus.WAITING
        assert visit.booth_id is None and visit.route is None

    # The board gives it no tile: not in a booth, not on the waiting list, not in aftercare.
    nav(desk, "Board")
    board = desk.locator("#board")
    expect(board.get_by_role("region", name="Waiting list")).to_be_visible()
    expect(board.get_by_text(tag.group(1), exact=True)).to_have_count(0)
    expect(board.get_by_role("link", name=re.compile("Booth 1 Free"))).to_be_visible()
    context.close()
