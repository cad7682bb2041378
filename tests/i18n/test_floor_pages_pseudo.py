"""The floor's pages in the pseudo-locale: every word a person reads went through a catalogue.

In en_XA each translated string shows as ⟦…⟧; what is left outside the marks must be data (tags,
names, booth labels, times and numbers), never English that a French nurse would be shown.
"""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from typing import Any

import pytest

from sitesys.auth.roles import Role
from sitesys.checkin.models import VisitStatus
from sitesys.clients.models import FlagKind
from sitesys.clients.services import add_flag
from sitesys.i18n import LANGUAGE_NAMES
from sitesys.sites.models import DEFAULT_SUBSTANCES
from tests.factories import (
    make_booth,
    make_client,
    make_site,
    make_staff,
    make_substances,
    make_visit,
    sign_in,
)
from tests.observations.helpers import HIGH, full

#: Attributes people read (or hear, from a screen reader).
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-confirm")
#: Month names: the pseudo-locale writes dates as English does (sitesys.clock.written).
MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
#: Words that are data or names, not wording: the product, units and clinical codes.
NOT_WORDING = {"SiteSys", "min", "mmHg", "NEWS2", "SpO2", "ACVPU", "POSS", "RASS", "O2", "IM"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.pieces.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def unmarked(page: str, data: list[str]) -> list[str]:
    """The text of a page outside ⟦…⟧, with the data given taken out."""
    parser = _Text()
    parser.feed(page)
    left = []
    # The page's text as one (a marked sentence may hold markup), and each attribute alone.
    for piece in [" ".join(parser.text), *parser.pieces]:
        while True:
            inner = re.sub(r"⟦[^⟦⟧]*⟧", " ", piece)
            if inner == piece:
                break
            piece = inner
        # Each language is named in itself wherever it is offered (never translated).
        for value in sorted([*data, *LANGUAGE_NAMES.values()], key=len, reverse=True):
            piece = piece.replace(value, " ")
        piece = MONTHS.sub(" ", piece)
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9'’-]+", piece) if w not in NOT_WORDING]
        if words:
            left.append(" ".join(words))
    return left


@pytest.fixture
def scene(client: Any, db: Any) -> dict[str, Any]:
    site = make_site(db, name="Harbour Hall")
    make_substances(db, site)
    booths = [make_booth(db, site, label=str(n), position=n) for n in (1, 2, 3)]
    nurse = make_staff(db, Role.NURSE, [site], display_name="Robin Day")
    tagged = make_client(db, site, display_tag="Amber Heron 27")
    visit = make_visit(db, site, nurse, booth=booths[0], client=tagged)
    make_visit(db, site, nurse, client=make_client(db, site, display_tag="Teal Otter 3"))
    make_visit(
        db,
        site,
        nurse,
        status=VisitStatus.AFTERCARE,
        client=make_client(db, site, display_tag="Jade Wren 9"),
    )
    add_flag(db, nurse, tagged, kind=FlagKind.ALLERGY, note="Latex", ends_on=None)
    sign_in(client, db, nurse)
    client.get("/?lang=en_XA")
    client.post(f"/visits/{visit.id}/observations/new", data=full(**HIGH))
    client.post(f"/visits/{visit.id}/quick-check", data={"submission_key": str(uuid.uuid4())})
    return {
        "site": site,
        "visit": visit,
        "client": tagged,
        # Data: the site, its staff, clients' tags and notes, the site's substances, its recipe.
        "data": [
            "Harbour Hall",
            "Robin Day",
            "Amber Heron 27",
            "Teal Otter 3",
            "Jade Wren 9",
            "Latex",
            site.code_hint or "",
            *(label for _code, label in DEFAULT_SUBSTANCES),
            # Languages are named in themselves on the account page, never translated.
            *LANGUAGE_NAMES.values(),
        ],
    }


PAGES = [
    "/",
    "/board/",
    "/board/partial",
    "/checkin",
    "/visits/{visit}",
    "/visits/{visit}/observations",
    "/visits/{visit}/observations/new",
    # The question a quick check meets after a worrying full set.
    "/visits/{visit}/quick-check",
    "/clients/{client}",
    "/account/password",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_floor_page_in_the_pseudo_locale_has_no_unmarked_wording(client, scene, path):
    url = path.format(visit=scene["visit"].id, client=scene["client"].id)
    response = client.get(url)
    assert response.status_code == 200, url
    left = unmarked(response.get_data(as_text=True), [d for d in scene["data"] if d])
    assert left == [], left


def _clean(client: Any, url: str, data: list[str], status: int = 200) -> None:
    response = client.get(url)
    assert response.status_code == status, url
    left = unmarked(response.get_data(as_text=True), [d for d in data if d])
    assert left == [], (url, left)


def test_the_desk_and_its_refusals_in_the_pseudo_locale(client, db):
    site = make_site(db, name="Harbour Hall")
    make_substances(db, site)
    booth = make_booth(db, site, label="1")
    desk = make_staff(db, Role.FRONT_DESK, [site], display_name="Robin Day")
    make_visit(db, site, desk, booth=booth, client=make_client(db, site, display_tag="Fox 3"))
    sign_in(client, db, desk)
    client.get("/?lang=en_XA")
    data = ["Harbour Hall", "Robin Day", "Fox 3", site.code_hint or ""]
    data += [label for _code, label in DEFAULT_SUBSTANCES]
    _clean(client, "/board/", data)
    _clean(client, f"/board/booths/{booth.id}", data)
    # A check-in with nothing filled in: the error summary and each field's message.
    page = client.post("/checkin", data={"submit": "1"}).get_data(as_text=True)
    assert unmarked(page, data) == []
    # A flashed refusal, read on the page it leads to.
    client.post(f"/board/booths/{booth.id}/out-of-service", data={"reason": ""})
    _clean(client, "/board/", data)


def test_the_admin_pages_in_the_pseudo_locale(client, db):
    site = make_site(db, name="Harbour Hall")
    admin = make_staff(db, Role.ADMIN, [], display_name="Robin Day", username="robin")
    other = make_staff(db, Role.NURSE, [site], display_name="Sam Lee", username="sam")
    sign_in(client, db, admin)
    client.get("/?lang=en_XA")
    data = ["Harbour Hall", "Robin Day", "robin", "Sam Lee", "sam", "Wall one"]
    client.post("/board/displays", data={"name": "Wall one", "site": str(site.id)})
    for url in (
        "/",
        "/staff/",
        "/staff/new",
        f"/staff/{other.id}/edit",
        "/board/displays",
        "/system/status",
    ):
        _clean(client, url, data)
    page = client.post("/staff/new", data={"username": "", "display_name": ""})
    assert unmarked(page.get_data(as_text=True), data) == []
    _clean(client, "/no-such-page", data, status=404)


def test_the_sign_in_pages_in_the_pseudo_locale(client, db):
    client.get("/login?lang=en_XA")
    _clean(client, "/login", [])
    page = client.post("/login", data={"username": "nobody", "password": "wrong"})
    assert unmarked(page.get_data(as_text=True), []) == []
    _clean(client, "/display", [])


def test_the_managers_pages_in_the_pseudo_locale(client, db):
    site = make_site(db, name="Harbour Hall")
    make_substances(db, site)
    manager = make_staff(db, Role.MANAGER, [site], display_name="Robin Day")
    sign_in(client, db, manager)
    client.get("/?lang=en_XA")
    data = ["Harbour Hall", "Robin Day"]
    for url in ("/", "/overrides", "/board/", "/account/two-factor"):
        _clean(client, url, data)
