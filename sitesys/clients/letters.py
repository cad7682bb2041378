"""Client codes in plain capitals: how a letter outside A–Z is written before a code is digested.

Clients make their own code from names and dates ("first two letters of your first name..."), so
a code may hold letters such as É, Ø or ß. The desk may type them, or the plain letters the client
spells out; either way it must be the same person. The rule, applied to a code already trimmed
and upper-cased (`codes.normalise_code`):

1. **Decomposition.** Each character is decomposed (Unicode NFKD) and its combining marks are
   dropped: É → E, Ñ → N, Å → A, Ç → C; compatibility forms become their plain letter or digit
   (a full-width Ａ → A, the ligature ﬁ → FI); an accent typed on its own goes.
2. **The table.** Letters that do not decompose into a plain letter are written as `FOLDS` says:
   Ø → O, Æ → AE, Œ → OE, ß/ẞ → SS, Ł → L, Đ/Ð → D, Þ → TH, Ħ → H, ı → I.
3. Anything else (a letter of another script, a symbol) is left as it is: the site's pattern then
   refuses the code, and the desk checks it with the client.

The desk is shown the code as it will be saved ("Code read as EMA07") after "Find client",
before anything is saved. A client registered before this rule, whose code was digested with its
accents, is still found by the code typed with them (`checkin/desk.py: look_up`), and at their next
check-in is saved under the plain reading (`services.read_code_anew`), so that from then on typing
it either way finds them.
"""

from __future__ import annotations

import unicodedata

#: Letters with no decomposition into a plain letter and marks, and how each is written.
FOLDS = {
    "Ø": "O",
    "Æ": "AE",
    "Œ": "OE",
    "ß": "SS",
    "ẞ": "SS",
    "Ł": "L",
    "Đ": "D",
    "Ð": "D",
    "Þ": "TH",
    "Ħ": "H",
    "ı": "I",
}


def fold_letters(code: str) -> str:
    """The code in plain capitals by the rule above; a code already in A–Z and 0–9 is unchanged."""
    if code.isascii():
        return code
    decomposed = unicodedata.normalize("NFKD", code)
    # A spacing accent typed alone (U+00B4, U+00A8) decomposes to a space and its mark: both go.
    plain = "".join(
        FOLDS.get(char, char)
        for char in decomposed
        if not unicodedata.combining(char) and not char.isspace()
    )
    return unicodedata.normalize("NFC", plain).upper()
