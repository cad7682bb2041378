"""Sample codes: what a client types to read their result, kept only as a keyed digest.

A code is eight characters from an alphabet without look-alikes (Crockford's, less 0 and 1: no
0/O, 1/I/L or U), printed in two groups of four ("K7QM-4RXP"). Eight characters from thirty give
30**8, about 6.6 * 10**11 codes (39 bits): with the public page limited to a few tries a minute
per address, guessing someone's code is hopeless, which is what lets a slip be the only key to
its result.

Codes are made by the server with `secrets`, never by staff or clients, and never from a client
code: a sample is tied to nobody unless the client asks for it to be tied to their visit. The
shape (letters and digits mixed, a hyphen in the middle) is also unlike a self-generated client
code, so the desk never mistakes one for the other.

Only the digest is stored (HMAC-SHA256 under the client-code key, with its own label so that a
sample code and a client code never share a digest): a copy of the database, a backup or an
export lists no code that would open the public page, and staff who see a sample's record
cannot read its code off the screen and look results up as the client. The price is that a
code is shown once, on the slip; a lost slip is replaced by issuing a new code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: Thirty characters a client can read off a slip and type without confusing them.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Characters in a code (shown in two groups of four).
LENGTH = 8
_LABEL = b"sitesys-sample-code:"


def new_sample_code() -> str:
    """A fresh random code, in its plain form (no hyphen)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """A code as it is printed and read: "K7QM-4RXP"."""
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_sample_code(raw: str) -> str:
    """What the client typed, as a code: upper case, with spaces, hyphens and anything else
    that is not a letter or a digit dropped ("k7qm 4rxp" and "K7QM-4RXP" are the same code).
    """
    return "".join(char for char in raw.upper() if char.isascii() and char.isalnum())[:40]


def is_sample_code(normalised: str) -> bool:
    """Whether a normalised code could have been issued (its length and its characters)."""
    return len(normalised) == LENGTH and all(char in ALPHABET for char in normalised)


def sample_code_digest(normalised: str, key: str) -> str:
    """The keyed digest a sample is found by; the code itself is never stored."""
    return hmac.new(key.encode(), _LABEL + normalised.encode(), hashlib.sha256).hexdigest()
