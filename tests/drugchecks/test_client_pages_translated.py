"""The pages clients read (the result look-up, a site's drug alerts, a poster, the slip) drawn in
the pseudo-locale: every word on them came through a catalogue, so nothing is left outside the
⟦…⟧ markers except what the record itself says (an alert's own text, a code, an address).
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.drugchecks.codes import shown
from sitesys.i18n import LANGUAGE_NAMES
from tests.drugchecks.scenes import make_alert, make_sample
from tests.factories import make_site, make_staff, make_substances, sign_in

#: Attributes a person reads (or hears from a screen reader).
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-confirm"}


class _Reader(HTMLParser):
    """The text a person reads on a page: text nodes and read attributes, scripts left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._in_script = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in_script += 1
        self.pieces += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in_script -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_script and data.strip():
            self.pieces.append(data)


def _outside_markers(html: str) -> set[str]:
    """Each run of words the page shows outside ⟦…⟧ (a marker may hold markup, so the text is
    read as one stream)."""
    reader = _Reader()
    reader.feed(html)
    outside, depth = [], 0
    for character in "\n".join(reader.pieces):
        if character == "⟦":
            depth += 1
        elif character == "⟧":
            depth -= 1
        elif depth == 0:
            outside.append(character)
    runs = (line.strip(" ·:") for line in "".join(outside).splitlines())
    # Each language is named in itself in the language links (never translated).
    return {
        run
        for run in runs
        if re.search(r"[A-Za-z]{2,}", run) and run not in LANGUAGE_NAMES.values()
    }


@pytest.fixture
def north(db):
    return make_site(db, name="Northgate Consumption Room", result_days=30)


def test_the_result_look_up_is_all_translated(app, client, db, north):
    checker = make_staff(db, Role.DRUG_CHECKER, [north])
    _sample, code = make_sample(db, app, north, checker, result_at=utcnow() - timedelta(hours=1))
    _waiting, waiting_code = make_sample(db, app, north, checker)

    assert _outside_markers(client.get("/results?lang=en_XA").get_data(as_text=True)) == set()
    ready = client.post("/results?lang=en_XA", data={"code": shown(code)}, csrf=False)
    assert "⟦" in ready.get_data(as_text=True)
    assert _outside_markers(ready.get_data(as_text=True)) == {
        "Fentanyl was found as well as ketamine.",
        "Do not use it alone; use much less.",
    }, "only the result's own words"
    not_ready = client.post("/results?lang=en_XA", data={"code": shown(waiting_code)}, csrf=False)
    unknown = client.post("/results?lang=en_XA", data={"code": "ABCD-2345"}, csrf=False)
    empty = client.post("/results?lang=en_XA", data={"code": ""}, csrf=False)
    for page in (not_ready, unknown, empty):
        assert _outside_markers(page.get_data(as_text=True)) == set()


def test_a_sites_alerts_page_and_its_poster_are_all_translated(client, db, north):
    manager = make_staff(db, Role.MANAGER, [north], display_name="Max Manager")
    alert = make_alert(
        db, manager, [north], colour="Blue", markings="Star", where_sold="Riverside",
        harms="Two overdoses",
    )  # fmt: skip
    own_words = {
        alert.title, alert.sold_as, alert.found, alert.advice, "Two overdoses", "Blue, Star",
        "Riverside",
    }  # fmt: skip
    page = client.get(f"/alerts/{north.public_id}?lang=en_XA").get_data(as_text=True)
    assert "⟦" in page
    assert _outside_markers(page) == own_words

    for path in ("/alerts", "/alerts/no-such-site"):
        assert _outside_markers(client.get(f"{path}?lang=en_XA").get_data(as_text=True)) == set()

    sign_in(client, db, manager)
    poster = client.get(f"/drug-alerts/{alert.id}/poster?lang=en_XA").get_data(as_text=True)
    public_url = f"http://localhost/alerts/{north.public_id}"
    assert _outside_markers(poster) == own_words | {public_url}


def test_the_slip_the_client_takes_away_is_all_translated(client, db, north):
    make_substances(db, north)
    sign_in(client, db, make_staff(db, Role.DRUG_CHECKER, [north], display_name="Dee Checker"))
    received = client.post(
        "/drug-checks/new",
        data={
            "expected_substance": "ketamine",
            "form": "powder",
            "submission_key": "8f0c3c1e-2b7a-4e57-9a51-7f0d6f6c1a11",
        },
    )
    assert received.status_code == 302
    slip = client.get(received.headers["Location"] + "?lang=en_XA").get_data(as_text=True)
    [code] = re.findall(r'data-testid="sample-code">([0-9A-Z]{4}-[0-9A-Z]{4})<', slip)
    start = slip.index('<section class="slip"')
    slip_only = slip[start : slip.index("</section>", start)]
    # The code is the client's own (it may or may not hold two letters in a row).
    assert _outside_markers(slip_only) - {code} == {"http://localhost/results"}
