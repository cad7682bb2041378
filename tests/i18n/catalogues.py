"""What SiteSys asks to be translated, read from its source as `make translations` reads it, and
what each language's catalogue holds.

Run it to list the messages a native speaker should review, clinical wording first
(docs/translations.md):

    .venv/bin/python -m tests.i18n.catalogues fr_CA          # every message, clinical first
    .venv/bin/python -m tests.i18n.catalogues ar --clinical  # only the clinical wording
"""

from __future__ import annotations

import argparse
import fnmatch
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from sitesys.i18n import DEFAULT_LOCALE, KNOWN_LOCALES, STAFF_LOCALES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "sitesys" / "translations"
#: As the Makefile's `translations` target extracts.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
METHODS = [("sitesys/**.py", "python"), ("templates/**.html", "jinja2")]
CLINICAL = "TRANSLATORS: clinical"

#: The languages and what each must translate: fr_CA everything, the client languages the
#: pages clients read (sitesys/i18n.py: CLIENT_FACING_ENDPOINTS draws these templates).
STAFF_LANGUAGES = tuple(code for code in STAFF_LOCALES if code != DEFAULT_LOCALE)
CLIENT_ONLY_LANGUAGES = tuple(code for code in KNOWN_LOCALES if code not in STAFF_LOCALES)
CLIENT_TEMPLATES = (
    "templates/drugchecks/public_*.html",
    "templates/alerts/public_*.html",
    "templates/alerts/poster.html",
    "templates/privacy/*.html",
    "templates/sites/code_recipe.html",
    "templates/_language_links.html",
)


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    places: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    #: The msgctxt of a word with two meanings ("Form": a sample's shape, not a page's form).
    context: str | None = None

    @property
    def clinical(self) -> bool:
        return any(CLINICAL in comment for comment in self.comments)


@cache
def source_messages() -> dict[str, Message]:
    """Every message in sitesys/ and templates/, by msgid, with where it is and its comments."""
    found: dict[str, Message] = {}
    for filename, lineno, text, comments, context in extract_from_dir(
        ROOT,
        method_map=METHODS,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=False,
        # Folders whose names start with "_" (templates/_macros) hold wording too.
        directory_filter=lambda path: not os.path.basename(path).startswith("."),
    ):
        singular, plural = (text[0], text[1]) if isinstance(text, tuple) else (text, None)
        if not singular:
            continue
        key = singular if context is None else f"{context}\x04{singular}"
        message = found.setdefault(key, Message(singular, plural, context=context))
        message.places.append(f"{Path(filename).as_posix()}:{lineno}")
        message.comments.extend(c for c in comments if c not in message.comments)
    return found


def client_messages() -> dict[str, Message]:
    """The messages of the pages clients read."""
    return {
        msgid: message
        for msgid, message in source_messages().items()
        if any(
            fnmatch.fnmatch(place.rsplit(":", 1)[0], pattern)
            for place in message.places
            for pattern in CLIENT_TEMPLATES
        )
    }


def catalogue_path(language: str) -> Path:
    return CATALOGUES / language / "LC_MESSAGES" / "messages.po"


def catalogue(language: str) -> Catalog | None:
    path = catalogue_path(language)
    if not path.exists():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=language)


def untranslated(language: str, wanted: dict[str, Message]) -> list[Message]:
    """The wanted messages the language's catalogue lacks, has empty, or marks fuzzy."""
    held = catalogue(language)
    missing = []
    for _key, message in sorted(wanted.items()):
        entry = held.get(message.msgid, message.context) if held is not None else None
        strings = entry.string if entry is not None else None
        forms = strings if isinstance(strings, tuple | list) else (strings,)
        if entry is None or entry.fuzzy or not all(forms):
            missing.append(message)
    return missing


def wanted_for(language: str) -> dict[str, Message]:
    return source_messages() if language in STAFF_LANGUAGES else client_messages()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("language", help="fr_CA, es, pt or ar")
    parser.add_argument("--clinical", action="store_true", help="only the clinical wording")
    args = parser.parse_args()
    held = catalogue(args.language)
    messages = sorted(
        wanted_for(args.language).values(), key=lambda m: (not m.clinical, m.places[0])
    )
    for message in messages:
        if args.clinical and not message.clinical:
            continue
        entry = held.get(message.msgid) if held is not None else None
        translated = entry.string if entry is not None else ""
        print(("CLINICAL  " if message.clinical else "          ") + message.places[0])
        print(f"  en: {message.msgid}")
        print(f"  {args.language}: {translated or '(not translated)'}")


if __name__ == "__main__":
    main()
