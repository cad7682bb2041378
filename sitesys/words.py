"""Short, unambiguous words for generated passwords and client display tags.

Calm nature words only: a tag is read aloud across a room and must never sound like a judgement.
"""

from __future__ import annotations

import secrets

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


def generate_password() -> str:
    """Four random words and three digits: about 40 bits, easy to type on a tablet once."""
    words = [secrets.choice(PLACES) for _ in range(4)]
    return "-".join([*words, f"{secrets.randbelow(1000):03d}"])
