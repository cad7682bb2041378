"""The visit page, driven in Chromium as the floor uses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.checkin.models import Visit
from sitesys.db import get_database
from sitesys.sites.models import Site
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


def test_one_ticked_service_is_recorded(new_page, committed_app):
    """The browser sends the form with one service of six ticked (it refused to until all six
    were, each checkbox having been marked required)."""
    accounts = seed(committed_app)
    visit_id = waiting_visit(committed_app)
    page = new_page()
    sign_in(page, accounts, "demo.desk")
    page.goto(f"/visits/{visit_id}")
    services = page.get_by_role("group", name="Services given")
    services.get_by_label("Foil", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record services").click()
    expect(page.get_by_text("Recorded: Foil.")).to_be_visible()
    with get_database(committed_app).new_session() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        assert [given.service.value for given in visit.services] == ["foil"]
