"""axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, bundled, no CDN) on every client-facing page in
every client language, Arabic right to left included, and in the pseudo-locale: zero violations.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from sitesys.i18n import CLIENT_LOCALES, PSEUDO_LOCALE
from tests.browser.helpers import seed, sign_in
from tests.browser.test_axe import violations
from tests.i18n.client_pages import client_pages, open_client_page

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_every_client_page_in_every_language_has_no_wcag_violations(
    new_page, committed_app, live_server
):
    accounts = seed(committed_app)
    pages = client_pages(committed_app)
    axe = Axe()
    page = new_page()
    sign_in(page, accounts, "demo.manager")  # the poster is printed by staff
    found: list[str] = []
    checked = 0
    for language in (*CLIENT_LOCALES, PSEUDO_LOCALE):
        for name in pages.paths():
            open_client_page(page, pages, name, language)
            expected = language.replace("_", "-")
            assert page.evaluate("document.documentElement.lang") == expected, (name, language)
            found += [f"{language} {name}: {problem}" for problem in violations(page, axe)]
            checked += 1
    assert checked == 5 * (len(CLIENT_LOCALES) + 1)
    assert not found, "\n".join(found)
