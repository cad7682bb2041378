"""Accessibility findings fixed, each tried in Chromium: the idle warning, the focus ring's
contrast, error-summary links that move focus, and the menu at a phone's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

#: Relative luminance and contrast as WCAG 2 defines them, worked out in the page.
CONTRAST_JS = """
(element) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const ring = rgb(getComputedStyle(element).outlineColor);
  let node = element.parentElement, back = null;
  while (node) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { back = colour; break; }
    node = node.parentElement;
  }
  back = back || [255, 255, 255];
  const [a, b] = [lum(ring), lum(back.slice(0, 3))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


def test_two_minutes_before_the_idle_sign_out_a_dialog_offers_to_stay(new_page, committed_app):
    accounts = seed(committed_app)
    page = new_page()
    page.clock.install()
    sign_in(page, accounts, "demo.nurse")
    # Not the board, where a session that ends is told by the board's own banner instead.
    nav(page, "Incidents")
    dialog = page.get_by_role("dialog", name="Are you still there?")
    page.clock.fast_forward("12:30")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("00:45")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("You will be signed out in 1:")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    # The clock starts again from the tap: 12 minutes on, no warning yet.
    page.clock.fast_forward("12:00")
    expect(dialog).to_be_hidden()
    # Left alone past the timeout, the page says it was signed out, with a way back in.
    page.clock.fast_forward("03:30")
    expect(page.get_by_role("dialog")).to_contain_text(
        "You were signed out because the tablet was idle."
    )
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_the_focus_ring_has_at_least_3_to_1_contrast_where_it_is_drawn(new_page, committed_app):
    accounts = seed(committed_app)
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, accounts, "demo.manager")
    checked = 0
    for path in ("/", "/board/", "/checkin", "/incidents/"):
        page.goto(path)
        for _ in range(25):
            page.keyboard.press("Tab")
            focused = page.locator(":focus")
            if focused.count() == 0:
                continue
            ratio = focused.evaluate(CONTRAST_JS)
            label = focused.evaluate("e => e.outerHTML.slice(0, 80)")
            assert ratio >= 3.0, f"{path}: focus ring {ratio:.2f}:1 on {label}"
            checked += 1
    assert checked > 60


def test_error_summary_links_move_focus_to_the_field_even_for_a_group(new_page, committed_app):
    accounts = seed(committed_app)
    page = new_page()
    sign_in(page, accounts, "demo.desk")
    nav(page, "Check in")
    page.get_by_label("Anonymous walk-in").check()
    page.get_by_role("button", name="Check in", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    link = summary.get_by_role("link", name=re.compile("^Substances"))
    link.click()
    focused_name = page.evaluate("document.activeElement.name")
    assert focused_name == "substances"


def test_at_320_px_every_menu_item_is_on_view(new_page, committed_app):
    accounts = seed(committed_app)
    page: Page = new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, accounts, "demo.manager")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    assert links.count() >= 5
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, links.nth(index).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


TABLE_LINKS_JS = """() => [...document.querySelectorAll("main td a, main th a")]
  .filter((link) => link.offsetParent !== null)
  .map((link) => {
    const box = link.getBoundingClientRect();
    return {text: link.innerText.trim(), height: box.height, width: box.width};
  })"""


def test_table_links_and_edit_links_are_44_px_tall_on_a_tablet(new_page, committed_app):
    accounts = seed(committed_app)
    page: Page = new_page()
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, accounts, "demo.admin")
    found = []

    def measured() -> list[dict[str, object]]:
        # Measured once the style sheet is applied (nav waits for the document alone).
        page.wait_for_load_state("load")
        links: list[dict[str, object]] = page.evaluate(TABLE_LINKS_JS)
        return links

    nav(page, "Staff")
    found += measured()
    assert any(link["text"].startswith("Edit ") for link in found)
    nav(page, "Sites and booths")
    found += measured()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Booths of ")).first.click()
    found += measured()
    assert any(link["text"].startswith("Edit booth ") for link in found)
    assert len(found) >= 8
    small = [link for link in found if link["height"] < 44 or link["width"] < 24]
    assert small == [], small
