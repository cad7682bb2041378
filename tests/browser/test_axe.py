"""axe-core (bundled by axe-playwright-python, no CDN) on every page each role can reach, with
real records behind every link: WCAG 2.0, 2.1 and 2.2 A and AA, zero violations.

Each role signs in and follows every link the pages show it, one page per route (a second
visit page or a second page of a list adds nothing), so a new page is checked the day a link
to it appears. Error pages, forms after a failed submission and the public pages are visited
directly.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

from bench.history.generator import HistoryRequest, generate_history
from sitesys.db import get_database
from sitesys.demo import DEMO_SITE
from tests.browser.helpers import check_in, nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ROLES = ("demo.desk", "demo.nurse", "demo.manager", "demo.admin", "demo.checker")
#: Enough for every route a role can reach from its pages; the crawl fails if it runs out.
PAGES_PER_ROLE = 90
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NUMBER = re.compile(r"/\d+(?=/|$)")


def route_of(url: str) -> str:
    """One key per route: ids and numbers stand for any, query values for any value."""
    parts = urlsplit(url)
    path = NUMBER.sub("/{n}", UUID.sub("{id}", parts.path))
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} - {"page"})
    return path + ("?" + "&".join(keys) if keys else "")


def violations(page: Page, axe: Axe) -> list[str]:
    # Read at the end of the page: a sticky bar (the desk's Check in) covers whatever scrolls
    # under it higher up, and at the end nothing is under it; targets are judged in full.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    results = axe.run(
        page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    )
    found = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        found.append(f"{page.url}: {violation['id']} ({violation['impact']}) at {targets}")
    return found


def links_on(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(link => link.href)"
    )
    kept = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith("/static/"):
            continue
        if parts.path.endswith((".csv", ".svg", ".png")) or "export" in parts.path:
            continue
        kept.append(href.split("#")[0])
    return kept


def crawl(page: Page, origin: str) -> Iterator[str]:
    seen_routes: set[str] = set()
    queue = deque([origin + "/"])
    while queue:
        url = queue.popleft()
        route = route_of(url)
        if route in seen_routes:
            continue
        seen_routes.add(route)
        assert len(seen_routes) <= PAGES_PER_ROLE, "more routes than the crawl allows"
        response = page.goto(url)
        assert response is not None
        assert response.status < 400, f"{url} answered {response.status}"
        yield url
        queue.extend(links_on(page, origin))


def fill_the_site(app: Flask) -> None:
    """Two days of history (visits, observations, incidents, reviews, handovers) behind the
    demo accounts, so every list has rows and every record page a record."""
    generate_history(
        get_database(app).engine,
        HistoryRequest(days=5, visits_per_day=200, site_name=DEMO_SITE, seed=7),
        client_code_key=app.config["SITESYS_CLIENT_CODE_KEY"],
        environment="test",
    )


def test_every_page_every_role_reaches_has_no_wcag_violations(new_page, committed_app, live_server):
    accounts = seed(committed_app)
    fill_the_site(committed_app)
    axe = Axe()
    found: list[str] = []
    visited = 0
    desk = new_page()
    sign_in(desk, accounts, "demo.desk")
    check_in(desk, "ax te 01", "Ketamine", "Snort", "Booth 1")
    for username in ROLES:
        page = new_page()
        sign_in(page, accounts, username)
        for _url in crawl(page, live_server.url):
            visited += 1
            found.extend(violations(page, axe))
    assert visited > 60
    assert not found, "\n".join(found)


def test_error_pages_failed_forms_and_public_pages_have_no_wcag_violations(
    new_page, committed_app, live_server
):
    accounts = seed(committed_app)
    axe = Axe()
    found: list[str] = []
    public = new_page()
    for path in ("/login", "/fallback", "/results", "/no-such-page"):
        public.goto(path)
        found.extend(violations(public, axe))
    public.goto("/login")
    public.get_by_role("button", name="Sign in").click()
    found.extend(violations(public, axe))

    desk = new_page()
    sign_in(desk, accounts, "demo.desk")
    response = desk.goto("/staff/")
    assert response is not None and response.status == 403
    found.extend(violations(desk, axe))
    nav(desk, "Check in")
    desk.get_by_label("Anonymous walk-in").check()
    desk.get_by_role("button", name="Check in", exact=True).click()
    expect(desk.locator(".error-summary")).to_be_visible()
    found.extend(violations(desk, axe))
    assert not found, "\n".join(found)


def test_the_board_offline_and_a_wall_board_display_have_no_wcag_violations(
    new_page, committed_app
):
    accounts = seed(committed_app)
    axe = Axe()
    found: list[str] = []
    desk = new_page()
    sign_in(desk, accounts, "demo.desk")
    check_in(desk, "ax ds 01", "Heroin", "Inject", "Booth 1")

    # The board when its polls get no answer: the "Not updating" warning is up.
    nurse = new_page()
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    nurse.route("**/board/partial*", lambda route: route.abort("internetdisconnected"))
    expect(nurse.locator("#board [data-board-lost]")).to_be_visible()
    found.extend(violations(nurse, axe))

    # A wall-board display, paired as an admin and a wall tablet would pair it.
    admin = new_page()
    sign_in(admin, accounts, "demo.admin")
    nav(admin, "Displays")
    found.extend(violations(admin, axe))
    admin.get_by_label("Display name").fill("Front room")
    admin.get_by_role("button", name="Register and show the pairing code").click()
    message = admin.get_by_text(re.compile("Pairing code for Front room: "))
    expect(message).to_be_visible()
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", message.text_content() or "")
    assert code
    display = new_page()
    display.goto("/display")
    found.extend(violations(display, axe))
    display.get_by_label("Pairing code").fill(code.group(0))
    display.get_by_role("button", name="Show the board").click()
    expect(display.locator("#board")).to_be_visible()
    found.extend(violations(display, axe))
    assert not found, "\n".join(found)
