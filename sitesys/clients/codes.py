"""Client codes: normalised, checked against the site's recipe, and kept only as a keyed digest.

What a site's pattern may say is the site set-up's rule (sites/code_pattern.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from flask_babel import gettext as _

from sitesys.sites.code_pattern import MAX_CODE_LENGTH


def normalise_code(raw: str) -> str:
    """Trim, NFC, upper-case, and drop inner spaces and invisible characters.

    People type their code on a shared tablet in a hurry: "jo ma 07", "JOMA07 " and a code pasted
    with a zero-width space must all be the same person.
    """
    text = unicodedata.normalize("NFC", raw).upper()
    return "".join(
        char for char in text if not char.isspace() and unicodedata.category(char) != "Cf"
    )


def code_problem(normalised: str, pattern: str) -> str | None:
    """Why a normalised code does not fit the site's recipe, in words for the desk, or None."""
    if not normalised:
        return str(_("Enter the client's code, or tick Anonymous walk-in."))
    if len(normalised) > MAX_CODE_LENGTH:
        return str(_("A client code is at most %(count)s characters.", count=MAX_CODE_LENGTH))
    if re.fullmatch(pattern, normalised) is None:
        return str(_("That code does not follow this site's recipe; check it with the client."))
    return None


def code_key_id(key: str) -> str:
    """A short name for a client-code key that reveals nothing of it: which key a client's
    digest is under, for rotation (clients/keys.py).
    """
    return hmac.new(key.encode(), b"sitesys:client-code-key-id", hashlib.sha256).hexdigest()[:12]


def code_digest(normalised: str, key: str) -> str:
    """HMAC-SHA256 under the client-code key: a copy of the database does not reveal codes.

    The key is not the Flask secret key, so rotating session secrets never orphans clients.
    """
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()
