"""The board in the reader's language: its scripts' words come from the page, and a board kept
for the site's other tablets is shared only between tablets reading the same language.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sitesys.auth.roles import Role
from tests.checkin.helpers import floor
from tests.factories import make_client, make_staff, make_visit, sign_in

WORDS = re.compile(r'<script type="application/json" id="board-words">(.*?)</script>', re.S)
SCRIPTS = Path(__file__).resolve().parents[2] / "sitesys" / "static" / "js"


def test_the_words_the_board_scripts_write_are_rendered_by_the_page(client, db):
    floor(db, client, Role.NURSE)
    page = client.get("/board/").get_data(as_text=True)
    words = json.loads(WORDS.search(page).group(1))
    assert words["pause"] == "Pause updates" and words["resume"] == "Resume updates"
    assert words["up_to_date"] == "Up to date at {time}", "the script fills in the time"
    assert words["paused_one"].endswith("in {num} minute.")
    assert words["paused_other"].endswith("in {num} minutes.")
    assert words["ended_idle_timeout"] == "You were signed out because the tablet was idle."
    # The scripts hold no English of their own: a French board would otherwise show it.
    for script in ("board-updates.js", "sitesys.js"):
        source = (SCRIPTS / script).read_text()
        for english in ("Resume updates", "Up to date at", "Not updating", "Alert sound on"):
            assert f'"{english}' not in source, (script, english)


def test_the_words_are_in_the_page_language(client, db):
    floor(db, client, Role.NURSE)
    page = client.get("/board/?lang=en_XA").get_data(as_text=True)
    words = json.loads(WORDS.search(page).group(1))
    assert words["resume"].startswith("⟦") and "{time}" in words["lost"]


def test_a_kept_board_is_not_served_to_a_tablet_reading_another_language(app, client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    make_visit(db, site, nurse, booth=booths[0], client=make_client(db, site, display_tag="Fox 3"))
    other = app.test_client()
    sign_in(other, db, make_staff(db, Role.NURSE, [site]))
    other.get("/?lang=en_XA")
    english = client.get("/board/partial", headers={"HX-Request": "true"}).get_data(as_text=True)
    pseudo = other.get("/board/partial", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Fox 3" in english and "⟦" not in english
    assert "Fox 3" in pseudo and "⟦" in pseudo and "Quick check<" not in pseudo
