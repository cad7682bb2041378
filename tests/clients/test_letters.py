"""Client codes with accents and letters outside A–Z: one plain reading, whoever types it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.checkin.models import Visit
from sitesys.clients.codes import code_digest, normalise_code
from sitesys.clients.letters import FOLDS, fold_letters
from sitesys.clients.models import Client
from tests.checkin.helpers import check_in, check_in_form, floor
from tests.factories import make_client

KEY = "k" * 32


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("ÉMA07", "EMA07"),
        ("émA07", "EMA07"),
        ("ÑAÇO12", "NACO12"),
        ("ØLÅ", "OLA"),
        ("ÆBLE", "AEBLE"),
        ("straße", "STRASSE"),
        ("ŁODZ", "LODZ"),
        ("ŒUF", "OEUF"),
        ("ＡＢ１２", "AB12"),  # full-width letters and digits from a phone keyboard
        ("JOMA07", "JOMA07"),
    ],
)
def test_letters_outside_a_to_z_are_written_plainly(typed, plain):
    assert fold_letters(normalise_code(typed)) == plain


def test_every_letter_of_the_table_becomes_plain_capitals():
    for letter, plain in FOLDS.items():
        assert plain.isascii() and plain.isupper(), letter
        assert fold_letters(normalise_code(letter)) == plain, letter


def test_a_letter_of_another_script_is_left_for_the_sites_pattern_to_refuse():
    assert fold_letters("ЖОРА07") == "ЖОРА07"


codes = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x24F), max_size=12)


@given(codes)
def test_the_plain_reading_is_stable(code):
    once = fold_letters(normalise_code(code))
    assert fold_letters(normalise_code(once)) == once


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10))
def test_a_plain_code_is_unchanged(code):
    assert fold_letters(normalise_code(code)) == code


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8),
    st.data(),
)
def test_accents_typed_or_not_give_the_same_digest(code, data):
    # Each letter may carry an accent, composed (É) or typed as a letter and a combining mark.
    accented = "".join(
        letter + data.draw(st.sampled_from(["", "\u0301", "\u0308"])) for letter in code
    )
    composed = unicodedata.normalize("NFC", accented)
    for typed in (accented, composed, composed.lower()):
        plain = fold_letters(normalise_code(typed))
        assert code_digest(plain, KEY) == code_digest(code, KEY)


def test_the_desk_is_shown_the_plain_reading_before_saving(client, db):
    _site, _booths, _desk = floor(db, client)
    page = client.post(
        "/checkin", data={**check_in_form(client_code="émà l07"), "find": "1"}
    ).get_data(as_text=True)
    assert "Code read as <strong>EMAL07</strong>" in page
    assert "New client" in page
    assert db.scalars(select(Visit)).all() == []
    # A plain code needs no such line.
    page = client.post("/checkin", data={**check_in_form(), "find": "1"}).get_data(as_text=True)
    assert "Code read as" not in page


def test_a_client_is_found_by_their_code_typed_either_way(client, app, db):
    floor(db, client)
    assert check_in(client, client_code="ÉMÄL07").status_code == 302
    [registered] = db.scalars(select(Client)).all()
    assert registered.code_digest == code_digest("EMAL07", app.config["SITESYS_CLIENT_CODE_KEY"])
    page = client.post(
        "/checkin", data={**check_in_form(client_code="emal07"), "find": "1"}
    ).get_data(as_text=True)
    assert registered.display_tag in page and "New client" not in page


def test_a_client_registered_with_accents_before_the_rule_is_found_and_saved_anew(client, app, db):
    site, _booths, _desk = floor(db, client)
    site.code_pattern = r".{4}[0-9]{2}"  # this site's pattern let accents through before
    key = app.config["SITESYS_CLIENT_CODE_KEY"]
    earlier = make_client(db, site, code_digest=code_digest(normalise_code("ÉMÄL07"), key))
    page = client.post(
        "/checkin", data={**check_in_form(client_code="émäl07"), "find": "1"}
    ).get_data(as_text=True)
    assert earlier.display_tag in page and "New client" not in page
    assert check_in(client, client_code="émäl07").status_code == 302
    db.refresh(earlier)
    assert earlier.code_digest == code_digest("EMAL07", key)
    [visit] = db.scalars(select(Visit)).all()
    assert visit.client_id == earlier.id
    # Found by the accented digest at the look-up, and put under the plain one there
    # (clients/keys.py: rekey_client, which says so in the audit, never the code).
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "client.code_rekeyed"))
    assert event.record_id == str(earlier.id) and event.detail["digest_changed"] is True
    # From now on the plain code finds them too.
    page = client.post(
        "/checkin", data={**check_in_form(client_code="EMAL07"), "find": "1"}
    ).get_data(as_text=True)
    assert earlier.display_tag in page
    assert len(db.scalars(select(Client)).all()) == 1
