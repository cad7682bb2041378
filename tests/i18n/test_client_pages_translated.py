"""The pages clients read are translated whole in each client language, Python's words too
(a result's outcome, an alert's severity), not only their templates' (test_catalogues.py reads
those): drawn in Spanish, Portuguese and Arabic, no sentence of the English page is left as it
was, but for data (what staff wrote, numbers and dates, each language's name).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from sitesys.clock import utcnow
from sitesys.i18n import LANGUAGE_NAMES
from tests.drugchecks.scenes import make_alert, make_sample
from tests.factories import make_site, make_staff

LANGUAGES = ("es", "pt", "ar")


class _Sentences(HTMLParser):
    """Each piece of text of a page's body, and the attributes people read."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.found.add(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.found.add(" ".join(data.split()))


def sentences(page: str) -> set[str]:
    parser = _Sentences()
    parser.feed(page)
    return {text for text in parser.found if re.search(r"[A-Za-z]{3,}", text)}


@pytest.fixture
def pages(client, db, app):
    site = make_site(db, client_languages="en_GB,es,pt,ar")
    manager = make_staff(db, sites=[site])
    alert = make_alert(db, manager, [site])
    _sample, code = make_sample(db, app, site, manager, result_at=utcnow())
    data = {
        alert.title, alert.sold_as, alert.found, alert.advice, site.code_hint,
        "Fentanyl was found as well as ketamine.", "Do not use it alone; use much less.",
        *LANGUAGE_NAMES.values(), "Ketamine",
    }  # fmt: skip

    def draw(path: str, language: str) -> set[str]:
        if path == "/results":
            response = client.post(f"/results?lang={language}", data={"code": code}, csrf=False)
        else:
            response = client.get(f"{path}?lang={language}")
        assert response.status_code == 200, (path, language)
        return sentences(response.get_data(as_text=True)) - data

    pages = ("/results", f"/alerts/{site.public_id}", f"/privacy/{site.public_id}")
    return draw, (*pages, f"/code-recipe/{site.public_id}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_sentence_is_left_on_a_client_page(pages, language):
    draw, paths = pages
    left = {path: sorted(draw(path, "en_GB") & draw(path, language)) for path in paths}
    assert not any(left.values()), left
