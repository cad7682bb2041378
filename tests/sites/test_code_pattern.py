"""The client-code pattern an admin may set: a safe part of regular expressions."""

from __future__ import annotations

import pytest

from sitesys.auth.roles import Role
from sitesys.clients.codes import code_problem
from sitesys.sites.code_pattern import pattern_problem
from sitesys.sites.models import Site
from tests.factories import make_staff, sign_in
from tests.sites.test_views import SITE_FORM


@pytest.mark.parametrize(
    "pattern",
    [
        "[A-Z]{4}[0-9]{2}",
        "^[A-Z]{4}[0-9]{2}$",
        r"[A-Z]{2}\d{2,4}",
        "JO-[0-9]{3}",
        "[A-Z0-9]?[A-Z]{3}",
    ],
)
def test_recipes_sites_use_are_accepted_and_match_codes(pattern):
    assert pattern_problem(pattern) is None
    assert code_problem("JOMA07", "[A-Z]{4}[0-9]{2}") is None


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        # A nested repeat: a 40-character code of A's would tie a worker up for hours.
        ("(A+)+B", "groups, alternatives, + and * are not allowed"),
        ("[A-Z]+[0-9]*", "groups, alternatives, + and * are not allowed"),
        ("AB|CD", "groups, alternatives, + and * are not allowed"),
        ("(?=X)[A-Z]{3}", "groups, alternatives, + and * are not allowed"),
        ("[A-Z]{2,}", "groups, alternatives, + and * are not allowed"),
        # Codes are upper-cased before they are checked: this could never match one.
        ("[a-z]{4}[0-9]{2}", "write letters as capitals"),
        ("[A-Z]{0,40}[A-Z]{0,40}X", "too many ways to read a code"),
        ("A?B?C?D?E?F?G?H?I?J?K", "too many ways to read a code"),
        ("[A-Z]{1,50}", "at most 40"),
    ],
)
def test_recipes_that_could_hang_the_desk_or_never_match_are_refused(pattern, message):
    problem = pattern_problem(pattern)
    assert problem is not None and message in problem


def test_the_site_form_says_why_a_recipe_is_refused_and_saves_nothing(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    before = db.query(Site).count()
    response = client.post("/sites/new", data={**SITE_FORM, "code_pattern": "(A+)+B"})
    assert "groups, alternatives, + and * are not allowed" in response.get_data(as_text=True)
    assert db.query(Site).count() == before
