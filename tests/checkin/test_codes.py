from __future__ import annotations

from sitesys.clients.codes import code_digest, code_problem, normalise_code
from sitesys.sites.code_pattern import pattern_problem

PATTERN = "[A-Z]{4}[0-9]{2}"


def test_codes_are_normalised_the_same_however_they_are_typed():
    variants = ["joma07", " JOMA07 ", "jo ma 07", "Jo\u200bMa07", "jo\tma07\n"]
    assert {normalise_code(v) for v in variants} == {"JOMA07"}


def test_unicode_is_normalised_to_nfc():
    assert normalise_code("Jose\u0301") == normalise_code("Jos\u00e9")


def test_code_must_follow_the_recipe():
    assert code_problem("JOMA07", PATTERN) is None
    assert "recipe" in (code_problem("JOMA7", PATTERN) or "")
    assert "Enter the client's code" in (code_problem("", PATTERN) or "")
    assert "at most 40" in (code_problem("A" * 41, ".*") or "")


def test_digest_is_keyed_and_stable():
    one = code_digest("JOMA07", "key-one")
    assert one == code_digest("JOMA07", "key-one")
    assert one != code_digest("JOMA07", "key-two")
    assert "JOMA07" not in one and len(one) == 64


def test_admin_patterns_are_checked():
    assert pattern_problem(PATTERN) is None
    assert pattern_problem("(") is not None
    assert pattern_problem("[A-Z]*") is not None
