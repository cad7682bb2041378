"""The paper fallback sheets: printable with no sign-in and no database, and scored as SiteSys
scores."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from sitesys.auth.roles import Role
from sitesys.db import get_database
from sitesys.fallback.chart import close_watch_triggers, news2_levels, red_flags
from tests.conftest import build_app
from tests.factories import make_site, make_staff, sign_in

SHEETS = ("Observation chart", "Emergency response log", "Check-in list")


class _Cells(HTMLParser):
    """The text of each row of one table, found by its class."""

    def __init__(self, table_class: str) -> None:
        super().__init__()
        self.table_class = table_class
        self.depth = 0
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and (self.depth or self.table_class in classes):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table(page: str, table_class: str) -> list[list[str]]:
    parser = _Cells(table_class)
    parser.feed(page)
    return parser.rows


def test_the_sheets_print_without_signing_in_and_hold_no_client_data(client):
    response = client.get("/fallback")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for sheet in SHEETS:
        assert f">{sheet} <span" in page
    # Blank forms: no navigation, no site, no sign-out, nobody's name.
    assert "<nav" not in page and "Sign out" not in page and "Hello" not in page
    observation = table(page, "observation-grid")
    assert observation[0][:3] == ["Time", "Resp. rate", "SpO2 %"]
    assert all(cell == "" for row in observation[1:] for cell in row)
    assert table(page, "response-grid")[0] == [
        "Time",
        "Action",
        "Dose / route / flow",
        "Who (initials)",
        "Notes",
    ]
    assert table(page, "check-in-grid")[0] == [
        "Time in",
        "Client code or “walk-in”",
        "Substances",
        "Route",
        "Booth",
        "Out time",
        "Initials",
    ]
    # Sized for A4 and never split inside a word, in the stylesheet the page loads.
    assert "css/fallback.css" in page
    with client.get("/static/css/fallback.css") as stylesheet:
        css = stylesheet.get_data(as_text=True)
    assert "@page { size: A4 portrait;" in css
    assert "overflow-wrap: normal; word-break: normal; hyphens: none;" in css


def test_the_news2_key_on_paper_is_the_rcp_chart_sitesys_scores_by(client):
    page = client.get("/fallback").get_data(as_text=True)
    key = table(page, "news2-key")
    assert key[0] == ["Parameter", "3", "2", "1", "0", "1", "2", "3"]
    # The Royal College of Physicians' NEWS2 chart (2017), written out by hand here so that a
    # change to a threshold in the scoring module shows as a change to the paper chart.
    assert key[1:] == [
        ["Respiratory rate (per minute)", "≤8", "", "9–11", "12–20", "", "21–24", "≥25"],
        ["SpO2 scale 1 (%)", "≤91", "92–93", "94–95", "≥96", "", "", ""],
        ["SpO2 scale 2 (%), on air", "≤83", "84–85", "86–87", "≥88", "", "", ""],
        ["SpO2 scale 2 (%), on oxygen", "≤83", "84–85", "86–87", "88–92", "93–94", "95–96", "≥97"],
        ["Air or oxygen", "", "Oxygen", "", "Air", "", "", ""],
        ["Systolic blood pressure (mmHg)", "≤90", "91–100", "101–110", "111–219", "", "", "≥220"],
        ["Pulse (per minute)", "≤40", "", "41–50", "51–90", "91–110", "111–130", "≥131"],
        ["Consciousness (ACVPU)", "", "", "", "A", "", "", "C, V, P, U"],
        ["Temperature (°C)", "≤35.0", "", "35.1–36.0", "36.1–38.0", "38.1–39.0", "≥39.1", ""],
    ]
    assert [(level.label, level.totals) for level in news2_levels()] == [
        ("Low", "0–4"),
        ("Low–medium", "any single parameter scoring 3"),
        ("Medium", "5–6"),
        ("High", "≥7"),
    ]
    assert "Low: 0–4; Low–medium: any single parameter scoring 3; Medium: 5–6; High: ≥7." in page
    assert "A partial set is never low." in page


def test_the_red_flags_on_paper_are_those_that_prompt_an_emergency(client):
    page = client.get("/fallback").get_data(as_text=True)
    alert = page[
        page.index('<div class="sheet-alert">') : page.index("</ul>", page.index("sheet-flags"))
    ]
    flags = re.findall(r"<li>(.*?)</li>", alert)
    assert flags == [
        "Respiratory rate 8 or less",
        "SpO2 91% or less",
        "Unresponsive",
        "POSS 4 – somnolent",
        "RASS −4 or lower",
        "RASS +4 – combative",
        "NEWS2 high (≥7)",
    ]
    assert flags[:-1] == red_flags()
    assert close_watch_triggers() == [
        "POSS 3 or 4",
        "RASS −5, −4, −3, +3 or +4",
        "NEWS2 medium or high",
    ]
    assert "while: POSS 3 or 4; RASS −5, −4, −3, +3 or +4; NEWS2 medium or high." in page


@pytest.fixture
def unreachable_app(tmp_path: Any):
    """SiteSys with a database it cannot open, counting every attempt to connect."""
    app = build_app(f"sqlite:///{tmp_path / 'missing-folder' / 'sitesys.sqlite3'}")
    attempts: list[str] = []
    engine = get_database(app).engine

    def _count(*_args: Any) -> None:
        attempts.append("connect")

    event.listen(engine, "do_connect", _count)
    yield app, attempts
    event.remove(engine, "do_connect", _count)
    engine.dispose()


def test_the_sheets_print_with_the_database_unreachable_even_for_a_signed_in_tablet(
    unreachable_app,
):
    app, attempts = unreachable_app
    anonymous: FlaskClient = app.test_client()
    signed_in: FlaskClient = app.test_client()
    with signed_in.session_transaction() as cookie:
        cookie["_user_id"] = "a-session-token-this-database-cannot-check"
        cookie["_fresh"] = True
    for client in (anonymous, signed_in):
        response = client.get("/fallback")
        assert response.status_code == 200
        assert "Observation chart" in response.get_data(as_text=True)
        with client.get("/static/css/fallback.css") as stylesheet:
            assert stylesheet.status_code == 200
    assert attempts == []
    # The database really is out of reach.
    with pytest.raises(OperationalError, match="unable to open database file"):
        get_database(app).engine.connect()
    assert attempts == ["connect"]


@pytest.mark.parametrize(
    ("role", "offered"),
    [(Role.FRONT_DESK, True), (Role.NURSE, True), (Role.MANAGER, True), (Role.ADMIN, False)],
)
def test_the_floor_finds_the_sheets_on_the_home_page_and_the_board(client, db, role, offered):
    site = make_site(db)
    sign_in(client, db, make_staff(db, role, [site]))
    link = '<a class="button button-secondary" href="/fallback">Paper fallback sheets</a>'
    assert (link in client.get("/").get_data(as_text=True)) is offered
    board = client.get("/board/")
    if offered:
        assert link in board.get_data(as_text=True)
    else:
        assert board.status_code == 403


def test_the_sheets_are_drawn_in_the_readers_language(client):
    """Printed in another language (the pseudo-locale stands in for French), the sheets say so
    to the browser and every heading goes through the catalogue."""
    page = client.get("/fallback?lang=en_XA").get_data(as_text=True)
    assert '<html lang="en-XA" dir="ltr">' in page
    assert "⟦Öbšérvåtîöñ ćhårt⟧" in page and "⟦Ćhéćk-îñ ĺîšt⟧" in page
    english = client.get("/fallback?lang=en_GB").get_data(as_text=True)
    assert '<html lang="en-GB" dir="ltr">' in english and ">Observation chart <span" in english
