"""Short, unambiguous words for generated passwords and client display tags.

Calm nature words only: a tag is read aloud across a room and must never sound like a judgement.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

COLOURS = (
    "Amber", "Azure", "Bronze", "Cedar", "Coral", "Cobalt", "Copper", "Crimson", "Golden",
    "Hazel", "Indigo", "Ivory", "Jade", "Lemon", "Lilac", "Maple", "Mint", "Olive", "Onyx",
    "Pearl", "Plum", "Ruby", "Rust", "Saffron", "Sage", "Silver", "Slate", "Teal", "Violet",
    "Willow",
)  # fmt: skip

ANIMALS = (
    "Badger", "Beaver", "Bison", "Crane", "Curlew", "Dolphin", "Eagle", "Falcon", "Finch",
    "Fox", "Gannet", "Hare", "Hawk", "Heron", "Kestrel", "Kite", "Lark", "Lynx", "Marten",
    "Merlin", "Osprey", "Otter", "Owl", "Plover", "Puffin", "Raven", "Robin", "Salmon",
    "Seal", "Swift", "Tern", "Thrush", "Vole", "Wren",
)  # fmt: skip

PLACES = (
    "brook", "cliff", "cove", "dale", "delta", "dune", "fern", "field", "fjord", "glade",
    "glen", "grove", "harbour", "heath", "island", "lagoon", "marsh", "meadow", "moor",
    "orchard", "pebble", "prairie", "reef", "ridge", "river", "shore", "spring", "stream",
    "summit", "tundra", "valley", "willow",
)  # fmt: skip


#: Themes a generated password must not carry: it is read by an admin and typed by a colleague.
_UNKIND = re.compile(
    r"(die|dead|death|kill|murd|war|rape|sex|drug|nazi|jew|negro|abuse|suic|porn|gay|black|white"
    r"|islam|muslim|christ|god|bomb|gun|shot|attack|prison|crim|arrest|victim|bod(y|ies)|blood"
    r"|slave|fuck|shit|hell|damn|army|milit|terror|violen|catho|church|relig|hindu|arab|afric"
    r"|asian|indian|race|racial|ethn|disease|cancer|wound|injur|fight|battle|weapon|assault"
    r"|massacre|genocide|execut|hang|tortur|soldier|fighter|poison|overdose|heroin|cocaine)"
)
PASSWORD_WORD_COUNT = 5
#: Words per password list: a power of two, so each word is exactly 12 bits.
PASSWORD_LIST_SIZE = 4096


@cache
def password_words() -> tuple[str, ...]:
    """The 4,096 commonest English words of four to eight plain letters (zxcvbn's list from
    Wikipedia), leaving out the unkind ones above: common words are easy to spell and type.
    """
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    words: list[str] = []
    for word in FREQUENCY_LISTS["english_wikipedia"]:
        plain = 4 <= len(word) <= 8 and word.isascii() and word.isalpha() and word.islower()
        if plain and not _UNKIND.search(word) and word not in words:
            words.append(word)
            if len(words) == PASSWORD_LIST_SIZE:
                return tuple(words)
    raise RuntimeError("the word list is shorter than expected")


def generate_password(username: str = "") -> str:
    """Five words chosen uniformly at random from 4,096: 5 x 12 = 60 bits of entropy (above the
    50 asked for), e.g. "season-harbour-little-method-signal". One holding the username (which
    the rules refuse) is drawn again, which removes a negligible share of the 2^60.
    """
    words = password_words()
    while True:
        password = "-".join(secrets.choice(words) for _ in range(PASSWORD_WORD_COUNT))
        if not username or username.lower() not in password:
            return password
