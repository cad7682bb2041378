"""A regular's check-in at the desk, tried on a portrait tablet (768x1024)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.checkin.models import Route, VisitStatus
from sitesys.clients.codes import code_digest, normalise_code
from sitesys.clients.models import Client, ClientFlag, FlagKind
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.demo import DEMO_SITE
from sitesys.sites.models import Site
from tests.browser.helpers import seed, sign_in
from tests.factories import make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PORTRAIT = {"width": 768, "height": 1024}


class Taps:
    """Counts the desk's taps, and refuses one on anything the desk would have to scroll to."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def tap(self, target: Locator) -> None:
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box is not None
        height = self.page.viewport_size["height"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{target} needs a scroll"
        assert self.page.evaluate("window.scrollY") == 0, "the page was scrolled"
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        # Nothing lies over it (the Check in bar at the foot of the screen, say).
        assert target.evaluate(
            """(element, [x, y]) => {
                const hit = document.elementFromPoint(x, y);
                const labels = element.labels ? Array.from(element.labels) : [];
                return element.contains(hit) || labels.some((label) => label.contains(hit));
            }""",
            [x, y],
        ), f"{target} is covered"
        # A tap lands where the element is on screen: nothing scrolls it into view first.
        self.page.mouse.click(x, y)
        self.count += 1


def a_regular(app: Flask, code: str, route: Route, substances: list[str]) -> str:
    """A client with one visit behind them (left an hour ago); returns their display tag."""
    with get_database(app).new_session() as session:
        site = session.scalars(select(Site).where(Site.name == DEMO_SITE)).one()
        staff = session.scalars(select(Staff).where(Staff.username == "demo.desk")).one()
        digest = code_digest(normalise_code(code), app.config["SITESYS_CLIENT_CODE_KEY"])
        client = make_client(session, site, code_digest=digest)
        make_visit(
            session,
            site,
            staff,
            client_id=client.id,
            route=route,
            substances=substances,
            status=VisitStatus.LEFT,
            at=utcnow() - timedelta(hours=2),
        )
        session.commit()
        return client.display_tag


def test_a_regular_checks_in_with_five_taps_and_no_scroll(browser, live_server, committed_app):
    accounts = seed(committed_app)
    tag = a_regular(committed_app, "JOMA07", Route.INJECT, ["heroin", "cocaine"])
    context = browser.new_context(base_url=live_server.url, viewport=PORTRAIT)
    desk = context.new_page()
    sign_in(desk, accounts, "demo.desk")
    desk.goto("/checkin")
    taps = Taps(desk)

    taps.tap(desk.get_by_label("Client code"))
    desk.keyboard.type("joma07")
    taps.tap(desk.get_by_role("button", name="Find client"))
    summary = desk.get_by_role("region", name="Client")
    expect(summary).to_contain_text(tag)
    # Last visit's substances and route are ticked; only injecting booths are offered.
    substances = desk.get_by_role("group", name="Substances")
    expect(substances.get_by_label("Heroin")).to_be_checked()
    expect(substances.get_by_label("Cocaine")).to_be_checked()
    expect(substances.get_by_label("Crack")).not_to_be_checked()
    route = desk.get_by_role("group", name="Route")
    expect(route.get_by_label("Inject", exact=True)).to_be_checked()
    booths = desk.get_by_role("group", name="Booth")
    expect(booths.get_by_label("Booth 1", exact=True)).to_be_visible()
    expect(booths.get_by_label("Booth S1 (smoking)")).to_be_hidden()

    taps.tap(desk.get_by_role("group", name="Drug checked").get_by_label("No", exact=True))
    taps.tap(booths.get_by_label("Booth 2", exact=True))
    taps.tap(desk.get_by_role("button", name="Check in", exact=True))
    expect(desk.get_by_text(f"Checked in {tag}: Booth 2.")).to_be_visible()
    assert taps.count <= 5
    context.close()


def test_the_booths_offered_follow_the_route_chosen(browser, live_server, committed_app):
    accounts = seed(committed_app)
    a_regular(committed_app, "ANBO03", Route.SMOKE, ["crack"])
    context = browser.new_context(base_url=live_server.url, viewport=PORTRAIT)
    desk = context.new_page()
    sign_in(desk, accounts, "demo.desk")
    desk.goto("/checkin")
    desk.get_by_label("Client code").fill("ANBO03")
    desk.get_by_role("button", name="Find client").click()
    booths = desk.get_by_role("group", name="Booth")
    route = desk.get_by_role("group", name="Route")
    expect(route.get_by_label("Smoke", exact=True)).to_be_checked()
    expect(booths.get_by_label("Booth S1 (smoking)")).to_be_visible()
    expect(booths.get_by_label("Booth 1", exact=True)).to_be_hidden()
    expect(booths.get_by_label("Waiting list")).to_be_visible()
    booths.get_by_label("Booth S1 (smoking)").check()

    # Today they will snort: the smoking booths go, and the one chosen is unticked.
    route.get_by_label("Snort", exact=True).check()
    expect(booths.get_by_label("Booth S1 (smoking)")).to_be_hidden()
    expect(booths.get_by_label("Booth S1 (smoking)")).not_to_be_checked()
    expect(booths.get_by_label("Booth 1", exact=True)).to_be_visible()
    # The Check in button stays in reach at the foot of the screen.
    button = desk.get_by_role("button", name="Check in", exact=True).bounding_box()
    assert button and button["y"] + button["height"] <= PORTRAIT["height"]
    assert re.search("Snort", route.inner_text())
    context.close()


def test_a_manager_elsewhere_approves_an_override_and_the_desk_sees_it_by_itself(
    browser, live_server, committed_app
):
    accounts = seed(committed_app)
    a_regular(committed_app, "ANBO03", Route.INJECT, ["heroin"])
    with get_database(committed_app).new_session() as session:
        manager = session.scalars(select(Staff).where(Staff.username == "demo.manager")).one()
        client = session.scalars(select(Client)).one()
        session.add(
            ClientFlag(
                client_id=client.id,
                kind=FlagKind.SERVICE_RESTRICTION,
                note="Threatened staff",
                ends_on=utcnow().date() + timedelta(days=7),
                created_by_id=manager.id,
            )
        )
        session.commit()
    desk_context = browser.new_context(base_url=live_server.url, viewport=PORTRAIT)
    manager_context = browser.new_context(base_url=live_server.url, viewport=PORTRAIT)
    desk, boss = desk_context.new_page(), manager_context.new_page()
    sign_in(desk, accounts, "demo.desk")
    sign_in(boss, accounts, "demo.manager")
    desk.goto("/checkin")
    desk.get_by_label("Client code").fill("ANBO03")
    desk.get_by_role("button", name="Find client").click()
    expect(desk.get_by_text("Service restriction until")).to_be_visible()
    desk.get_by_role("button", name="Ask a manager to override").click()
    status = desk.locator("#override-status")
    expect(status).to_contain_text("Waiting for a manager to answer")

    # The manager's page shows the request by itself, wherever they are.
    indicator = boss.get_by_role("link", name=re.compile("1 restriction override request waiting"))
    expect(indicator).to_be_visible(timeout=15_000)
    indicator.click()
    boss.get_by_label("Reason (the desk sees it)").fill("Calm today, agreed with the team")
    boss.get_by_role("button", name="Approve").click()
    expect(boss.get_by_text(re.compile("approved: the desk can see it"))).to_be_visible()

    # The desk's page follows without a reload; the desk checks the client in.
    expect(status).to_contain_text("Override approved by Max (manager)", timeout=10_000)
    expect(status).to_contain_text("Calm today, agreed with the team")
    desk.get_by_role("group", name="Drug checked").get_by_label("No", exact=True).check()
    desk.get_by_role("group", name="Booth").get_by_label("Booth 3", exact=True).check()
    desk.get_by_role("button", name="Check in", exact=True).click()
    expect(desk.get_by_text(re.compile(r"^Checked in .+: Booth 3\.$"))).to_be_visible()
    desk_context.close()
    manager_context.close()
