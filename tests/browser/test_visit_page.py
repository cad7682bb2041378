"""The visit page, driven in Chromium as the floor uses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.db import get_database
from sitesys.sites.models import Site
from sitesys.supplies.models import VisitSupply
from tests.browser.helpers import seed, sign_in
from tests.factories import make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def waiting_visit(app):
    with get_database(app).new_session() as session:
        site = session.scalar(select(Site))
        desk = session.scalar(select(Staff).where(Staff.username == "demo.desk"))
        visit = make_visit(
            session, site, desk, client=make_client(session, site, display_tag="Amber Heron 27")
        )
        session.commit()
        return visit.id


def test_supplies_are_given_with_the_steppers(new_page, committed_app):
    """The visit page's − / + steppers (they replaced the service ticks) record quantities."""
    accounts = seed(committed_app)
    visit_id = waiting_visit(committed_app)
    page = new_page()
    sign_in(page, accounts, "demo.desk")
    page.goto(f"/visits/{visit_id}")
    supplies = page.get_by_role("region", name="Supplies")
    more_foil = supplies.get_by_role("button", name="One more Foil")
    more_foil.click()
    more_foil.click()
    more_foil.click()
    supplies.get_by_role("button", name="One fewer Foil").click()
    expect(supplies.get_by_label("Foil (sheet)")).to_have_value("2")
    with page.expect_navigation():
        supplies.get_by_role("button", name="Record supplies").click()
    expect(page.get_by_text("Recorded: Foil 2.")).to_be_visible()
    with get_database(committed_app).new_session() as session:
        rows = session.scalars(select(VisitSupply).where(VisitSupply.visit_id == visit_id)).all()
        assert [(row.item.code, row.quantity) for row in rows] == [("foil", 2)]
