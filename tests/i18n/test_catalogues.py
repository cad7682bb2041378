"""Nothing hard-coded reaches a page untranslated: every message in sitesys/ and templates/ is in
the fr_CA catalogue, and every message of the pages clients read is in the es, pt and ar ones
too, translated and not fuzzy. The test reads whatever catalogues exist; a language whose
catalogue has not been written yet is an expected failure (strict: once it exists, it must be
complete).
"""

from __future__ import annotations

import pytest

from tests.i18n.catalogues import (
    CLIENT_ONLY_LANGUAGES,
    STAFF_LANGUAGES,
    catalogue_path,
    client_messages,
    source_messages,
    untranslated,
    wanted_for,
)


def _language(language: str) -> object:
    return pytest.param(
        language,
        marks=pytest.mark.xfail(
            not catalogue_path(language).exists(),
            reason=f"{catalogue_path(language).relative_to(catalogue_path(language).parents[4])} "
            "is not written yet (the coordinator builds it from the translators' fragments)",
            strict=True,
        ),
    )


def test_the_source_holds_messages_and_the_client_pages_are_among_them():
    everything = source_messages()
    clients = client_messages()
    assert len(everything) > 1000 and "Show my result" in clients and "Check in" in everything
    assert set(clients) <= set(everything)
    assert any(message.clinical for message in everything.values()), "clinical wording is marked"


@pytest.mark.parametrize("language", [_language(code) for code in STAFF_LANGUAGES])
def test_every_message_is_in_the_staff_languages_catalogue(language):
    missing = untranslated(language, wanted_for(language))
    assert not missing, f"{len(missing)} messages not translated into {language}:\n" + "\n".join(
        f"  {message.places[0]}: {message.msgid!r}" for message in missing[:60]
    )


@pytest.mark.parametrize("language", [_language(code) for code in CLIENT_ONLY_LANGUAGES])
def test_every_message_of_the_client_pages_is_in_the_client_languages_catalogue(language):
    missing = untranslated(language, wanted_for(language))
    assert not missing, f"{len(missing)} messages not translated into {language}:\n" + "\n".join(
        f"  {message.places[0]}: {message.msgid!r}" for message in missing[:60]
    )
