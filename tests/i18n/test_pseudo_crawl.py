"""Nothing hard-coded: every page every role reaches (the crawl of tests/browser/test_axe.py,
with real records behind every link), and the client-facing pages, drawn in the pseudo-locale,
where every translated string reads ⟦Ćhéćk îñ⟧. Any visible text left outside the markers
(words on the page, or in an aria-label, title, placeholder, alt or button value) was never
translated, unless it is data: numbers, times and dates, and what the database holds (display
tags, booth labels, staff, site and substance names, notes). The failure lists, page by page,
the text that was found.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable

import pytest
from babel import Locale
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import Enum, String, Text, select, update

from sitesys.auth.models import Staff
from sitesys.db import Base, get_database
from sitesys.i18n import LANGUAGE_NAMES, PSEUDO_LOCALE
from tests.browser.helpers import check_in, seed, sign_in
from tests.browser.test_axe import ROLES, crawl, fill_the_site
from tests.i18n.client_pages import client_pages, open_client_page

pytestmark = [pytest.mark.browser, pytest.mark.committed]

#: The words on a page and in its attributes that people read (innerText is what is shown).
VISIBLE_TEXT = """
() => {
  // Codes (an audit event's action, a command) are identifiers, not wording: set aside.
  const codes = [...document.querySelectorAll("code")].filter(el => el.style.display !== "none");
  for (const el of codes) el.style.display = "none";
  const parts = [document.title, document.body.innerText];
  for (const el of codes) el.style.display = "";
  const shown = el => el.checkVisibility ? el.checkVisibility() : true;
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
    if (el.tagName === "TITLE" || !shown(el)) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
    }
  }
  for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
    if (shown(el)) parts.push(el.value);
  }
  return parts;
}
"""

#: Pages not in the staff member's language: in the client's (a ?lang= link, the public
#: pages), or served without the database, so without knowing who reads them (the paper
#: fallback sheets: checked below with ?lang=en_XA).
ANOTHER_LANGUAGE = re.compile(r"[?&]lang=|/(code-recipe|privacy|results|alerts|fallback)(/|$|\?)")
MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
#: Numbers, times, dates and codes (12, 14:05, 06/12/2026, 3.5, ABCD-2345, #4, an incident's
#: reference 4A7FD012).
NUMERIC = re.compile(
    r"\b(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)+\b|\b(?=[0-9A-F]*\d)[0-9A-F]{6,}\b"
    r"|[#+\-−]?\d+(?:[:./,\-]\d+)*%?"
)
#: Units and clinical scales, written the same in every language (as the floor's scan reads them).
UNITS = re.compile(r"(?<!\w)(?:SpO₂|SpO2|O₂|O2|mmHg|L/min|min|mg|NEWS2|ACVPU|RASS|POSS|IM)(?!\w)")
#: What is not a word: punctuation and symbols between the data.
SYMBOLS = re.compile(r"[\s\W_]+")


def _babel_words() -> set[str]:
    """Month and day names as Babel writes en_GB dates (the pseudo-locale formats as en_GB)."""
    locale = Locale.parse("en_GB")
    words: set[str] = set()
    for context in ("format", "stand-alone"):
        for width in ("abbreviated", "wide"):
            words |= set(locale.months[context][width].values())
            words |= set(locale.days[context][width].values())
    # strftime's English month abbreviations too ("Sep", where CLDR's en_GB writes "Sept").
    words |= {name for name in calendar.month_abbr if name}
    return words | {"am", "pm", "AM", "PM"}


def database_strings(app: Flask) -> list[str]:
    """Every text value the database holds (but enum values): data, shown as it was typed."""
    found: set[str] = set()
    with get_database(app).new_session() as session:
        for table in Base.metadata.sorted_tables:
            columns = [
                column
                for column in table.columns
                if isinstance(column.type, String | Text) and not isinstance(column.type, Enum)
            ]
            for column in columns:
                for value in session.scalars(select(column).distinct()):
                    if isinstance(value, str) and len(value.strip()) > 1:
                        found.add(value.strip())
    return sorted(found, key=len, reverse=True)


class Leftovers:
    """Text on a page outside the pseudo-locale's markers that is not data."""

    def __init__(self, data: Iterable[str]) -> None:
        data = [*data, *LANGUAGE_NAMES.values(), "SiteSys", *_babel_words()]
        alternatives = "|".join(
            re.escape(text) for text in sorted(set(data), key=len, reverse=True)
        )
        # Whole words only: "Dec" is a month, not the start of "Declined".
        self.data = re.compile(rf"https?://\S+|(?<!\w)(?:{alternatives})(?!\w)")

    def words(self, text: str) -> list[str]:
        while MARKED.search(text):
            text = MARKED.sub(" ", text)
        left = []
        for line in text.splitlines():
            line = NUMERIC.sub(" ", UNITS.sub(" ", self.data.sub(" ", line)))
            if re.search(r"[^\W\d_]{2,}", line):
                left.append(SYMBOLS.sub(" ", line).strip())
        return left

    def on(self, page: Page) -> list[str]:
        found: list[str] = []
        for part in page.evaluate(VISIBLE_TEXT):
            found += [words for words in self.words(part or "") if words not in found]
        return found


def test_leftovers_tell_marked_text_and_data_from_words_never_translated():
    leftovers = Leftovers(["Amber Heron 27", "Booth 4"])
    assert leftovers.words("⟦Ćhéćk îñ⟧ Amber Heron 27 · 14:05 · 06 Dec 2026") == []
    assert leftovers.words("⟦Ţhé ⟦ñéŵ⟧ Booth 4 öñé⟧ 3 left") == ["left"]
    assert leftovers.words("Check in\n⟦Šîĝñ öût⟧") == ["Check in"]
    assert leftovers.words("Declined · http://127.0.0.1:5000/alerts/x?lang=ar") == ["Declined"]
    assert leftovers.words("⟦Ŝåmpĺé⟧ S-4B-7FB · SpO₂ 94 · 12 min · 4A7FD012") == []


def test_every_page_every_role_reaches_is_drawn_from_the_catalogue(
    browser, committed_app, live_server
):
    accounts = seed(committed_app)
    fill_the_site(committed_app)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    desk = context.new_page()
    sign_in(desk, accounts, "demo.desk")
    check_in(desk, "ps eu 01", "Ketamine", "Snort", "Booth 1")
    context.close()
    pages = client_pages(committed_app)
    leftovers = Leftovers(database_strings(committed_app))
    found: dict[str, list[str]] = {}
    visited = 0
    for username in ROLES:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}
        )
        page = context.new_page()
        sign_in(page, accounts, username)  # in English: the helper finds the fields by name
        # From here they read SiteSys in the pseudo-locale (their own choice of language).
        with get_database(committed_app).new_session() as session:
            session.execute(
                update(Staff).where(Staff.username == username).values(language=PSEUDO_LOCALE)
            )
            session.commit()
        for url in crawl(page, live_server.url):
            if ANOTHER_LANGUAGE.search(url):
                continue  # in the client's language, not the staff member's: checked below
            visited += 1
            assert page.evaluate("document.documentElement.lang") == "en-XA", url
            if words := leftovers.on(page):
                found[f"{username} {url}"] = words
        if username == "demo.manager":
            page.goto(f"/fallback?lang={PSEUDO_LOCALE}")
            if words := leftovers.on(page):
                found[f"{username} {page.url}"] = words
            for name in pages.paths():
                open_client_page(page, pages, name, PSEUDO_LOCALE)
                if words := leftovers.on(page):
                    found[f"{username} {page.url}"] = words
        context.close()
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    for path in ("/login", "/results", "/alerts", "/privacy"):  # before anyone signs in
        page.goto(f"{path}?lang={PSEUDO_LOCALE}")
        if words := leftovers.on(page):
            found[f"signed out {page.url}"] = words
    context.close()
    assert visited > 60
    assert not found, f"{len(found)} pages show text never translated:\n" + "\n".join(
        f"{where}:\n    " + "\n    ".join(words[:15]) for where, words in found.items()
    )
