"""Words kept in a record are written in the source language, whoever is reading.

A version's fields, an amendment's old and new values, a handover's snapshot and the rows of a
report's breakdowns are kept (or keyed) by their words. They are written in English, the
source language, and translated where they are shown: a record reads the same to everyone and
compares alike from one save to the next, and a figure counted on a French page adds up with
one kept by the nightly job. See docs/translations.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_request_context
from flask_babel import force_locale

from sitesys.i18n import DEFAULT_LOCALE, SOURCE_FLAG


@contextmanager
def source_language() -> Iterator[None]:
    """Inside the block, gettext answers in the source language: the reader's language and the
    pseudo-locale are both set aside (sitesys.i18n reads `SOURCE_FLAG`), and put back after.
    """
    with force_locale(DEFAULT_LOCALE):
        if not has_request_context():
            yield
            return
        before = g.get(SOURCE_FLAG, False)
        setattr(g, SOURCE_FLAG, True)
        try:
            yield
        finally:
            setattr(g, SOURCE_FLAG, before)
