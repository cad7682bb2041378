"""Sample codes: random, unambiguous, short, and kept only as a keyed digest."""

from __future__ import annotations

from sitesys.clients.codes import code_digest
from sitesys.drugchecks.codes import (
    ALPHABET,
    LENGTH,
    is_sample_code,
    new_sample_code,
    normalise_sample_code,
    sample_code_digest,
    shown,
)


def test_a_code_is_eight_characters_without_look_alikes():
    codes = {new_sample_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert not set("01ILOU") & set(ALPHABET)
    assert len(ALPHABET) ** LENGTH > 6 * 10**11


def test_a_code_is_printed_in_two_groups_and_read_back_however_it_is_typed():
    code = "K7QM4RXP"
    assert shown(code) == "K7QM-4RXP"
    for typed in ("k7qm-4rxp", " K7QM 4RXP ", "K7QM–4RXP", "k7qm4rxp"):
        assert normalise_sample_code(typed) == code
    assert is_sample_code(code)
    assert not is_sample_code("K7QM4RX") and not is_sample_code("K7QM4RX0")


def test_the_digest_is_keyed_and_never_a_client_code_digest():
    key = "k" * 40
    digest = sample_code_digest("K7QM4RXP", key)
    assert len(digest) == 64 and "K7QM4RXP" not in digest
    assert digest != sample_code_digest("K7QM4RXP", "other-key" * 5)
    # The same letters as a client code give another digest: the two never meet.
    assert digest != code_digest("K7QM4RXP", key)
