"""The desk's look-up (checkin/desk.py): the code read, the client found, and the proof that the
desk was shown that client before a check-in is saved."""

from __future__ import annotations

from sqlalchemy import func, select

from sitesys.checkin.desk import WALK_IN_WITH_CODE, DeskKeys, look_up
from sitesys.checkin.models import Visit
from sitesys.clients.codes import code_digest
from tests.checkin.helpers import check_in_form, confirmed, floor
from tests.factories import make_client, make_site

KEYS = DeskKeys(client_code="client-code-key", confirmation="secret-key")


def test_a_walk_in_needs_no_code_and_no_proof(db):
    site = make_site(db)
    lookup = look_up(db, site, KEYS, code="  ", walk_in=True)
    assert lookup.digest is None and lookup.problem is None and lookup.summary is None
    assert lookup.confirmed_by(None)


def test_a_code_typed_with_walk_in_ticked_is_refused_not_dropped(db):
    lookup = look_up(db, make_site(db), KEYS, code="joma07", walk_in=True)
    assert lookup.problem == WALK_IN_WITH_CODE and lookup.digest is None


def test_a_code_off_the_sites_recipe_says_why_and_finds_nobody(db):
    lookup = look_up(db, make_site(db), KEYS, code="12", walk_in=False)
    assert lookup.problem is not None and "recipe" in lookup.problem
    assert lookup.digest is None and lookup.summary is None and lookup.confirmation is None


def test_a_known_code_finds_the_client_and_gives_a_proof_that_reveals_nothing(db):
    site = make_site(db)
    digest = code_digest("JOMA07", KEYS.client_code)
    known = make_client(db, site, code_digest=digest)
    lookup = look_up(db, site, KEYS, code="jo ma 07", walk_in=False)
    assert lookup.digest == digest and lookup.summary is not None
    assert lookup.summary.client is known
    proof = lookup.confirmation
    assert proof is not None and "JOMA07" not in proof.upper() and digest not in proof
    assert lookup.confirmed_by(proof)
    assert not lookup.confirmed_by(None) and not lookup.confirmed_by("0" * 64)


def test_a_new_code_is_a_new_client_still_to_confirm(db):
    lookup = look_up(db, make_site(db), KEYS, code="BOBO11", walk_in=False)
    assert lookup.summary is not None and lookup.summary.is_new
    assert not lookup.confirmed_by(None)


def test_one_clients_proof_does_not_confirm_another(db):
    site = make_site(db)
    first = look_up(db, site, KEYS, code="JOMA07", walk_in=False)
    second = look_up(db, site, KEYS, code="BOBO11", walk_in=False)
    assert not second.confirmed_by(first.confirmation)


def test_a_code_changed_after_the_look_up_is_shown_before_it_is_saved(client, db):
    """Looked up as JOMA07, then BOBO11 typed over it: the desk has not seen BOBO11's details,
    so nothing is saved and the desk is asked to check them."""
    floor(db, client)
    form = confirmed(client, check_in_form(client_code="joma07"))
    response = client.post("/checkin", data={**form, "client_code": "bobo11"})
    body = response.get_data(as_text=True)
    assert "Check the client&#39;s details below, then press Check in again." in body
    assert "New client" in body
    assert db.scalar(select(func.count()).select_from(Visit)) == 0
