"""Arabic proves right-to-left layout: every client-facing page, at a phone's width and a
tablet's, is drawn with dir="rtl", its text set against the right-hand edge, and nothing wider
than the screen. A screenshot of each is kept beside the test's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import seed, sign_in
from tests.i18n.client_pages import client_pages, open_client_page

pytestmark = [pytest.mark.browser, pytest.mark.committed]

#: A phone upright (the 320 px reflow width) and a tablet upright.
WIDTHS = (320, 768)

#: What is wrong with the page's right-to-left layout, as sentences (empty: nothing).
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const root = document.documentElement;
  if (root.dir !== "rtl") problems.push(`html dir is "${root.dir}"`);
  if (getComputedStyle(document.body).direction !== "rtl") problems.push("body is not rtl");
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth}px in ${root.clientWidth}px`);
  }
  const width = root.clientWidth;
  const shown = el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  for (const el of document.querySelectorAll("body *")) {
    if (!shown(el) || el.closest(".no-print") && el.closest("[hidden]")) continue;
    const box = el.getBoundingClientRect();
    if (box.left < -1 || box.right > width + 1) {
      problems.push(`<${el.tagName.toLowerCase()} class="${el.className}"> runs off the screen`);
    }
  }
  // Text set from the right: each heading, paragraph and list item of ordinary alignment ends
  // its first line at its box's right-hand edge.
  let checked = 0;
  for (const el of document.querySelectorAll("h1, h2, h3, p, li, label, legend")) {
    if (!shown(el) || !el.textContent.trim()) continue;
    const style = getComputedStyle(el);
    if (style.textAlign === "center" || style.display.includes("flex")) continue;
    if (style.direction !== "rtl") problems.push(`<${el.tagName.toLowerCase()}> is not rtl`);
    if (style.textAlign === "left") problems.push(`<${el.tagName.toLowerCase()}> is set left`);
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = range.getClientRects();
    if (!lines.length) continue;
    // The first line may be several boxes (English words and Arabic punctuation): its right
    // end is the rightmost of them.
    const top = lines[0].top;
    const right = Math.max(...[...lines].filter(r => Math.abs(r.top - top) < 3).map(r => r.right));
    const box = el.getBoundingClientRect();
    const edge = box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
    if (Math.abs(right - edge) > 2) {
      problems.push(
        `<${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 30)}" starts ` +
        `${Math.round(edge - right)}px from the right edge`
      );
    }
    checked += 1;
  }
  if (checked < 3) problems.push(`only ${checked} blocks of text were found to check`);
  return problems;
}
"""


def rtl_problems(page: Page) -> list[str]:
    problems: list[str] = page.evaluate(LAYOUT_PROBLEMS)
    return problems


def test_every_client_page_in_arabic_lays_out_right_to_left(
    browser, committed_app, live_server, tmp_path: Path
):
    accounts = seed(committed_app)
    pages = client_pages(committed_app)
    found: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}
        )
        page = context.new_page()
        sign_in(page, accounts, "demo.manager")  # the poster is printed by staff
        for name in pages.paths():
            if name == "poster" and width < 768:
                continue  # an A4 poster, printed from a tablet: its words are 22 pt and up
            open_client_page(page, pages, name, "ar")
            assert page.evaluate("document.documentElement.lang") == "ar", name
            shot = tmp_path / f"ar-{name.replace(' ', '-')}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 0
            found += [f"{name} at {width}px: {problem}" for problem in rtl_problems(page)]
        context.close()
    assert not found, "\n".join(found)


def test_the_same_pages_in_english_are_left_to_right(browser, committed_app, live_server):
    seed(committed_app)
    pages = client_pages(committed_app)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 900})
    page = context.new_page()
    for name in ("drug alerts", "privacy notice", "code recipe"):
        open_client_page(page, pages, name, "en_GB")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
            "en-GB",
            "ltr",
        ]
        assert 'html dir is "ltr"' in rtl_problems(page), "the check tells the two apart"
    context.close()
