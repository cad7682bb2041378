"""Identifiers for synthetic rows, ordered by time.

A random identifier lands anywhere in its index, so every insert touches a different page and
loading years of history slows as the indexes outgrow memory. Synthetic rows take identifiers in
the layout of UUID version 7 instead: the millisecond of the event first, then random bits. Each
day's rows then go to the end of their indexes. Real records keep random version 4 identifiers,
which say nothing about when they were made.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime

_VERSION_7 = 0x7 << 76
_VARIANT = 0x2 << 62
_VERSION_MASK = ~(0xF << 76)
_VARIANT_MASK = ~(0x3 << 62)


def _ordered_int(rng: random.Random, at: datetime) -> int:
    millis = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    value = (millis << 80) | rng.getrandbits(80)
    return (value & _VERSION_MASK & _VARIANT_MASK) | _VERSION_7 | _VARIANT


def ordered_uuid(rng: random.Random, at: datetime) -> uuid.UUID:
    """A version 7 UUID for a row made at `at`."""
    return uuid.UUID(int=_ordered_int(rng, at))


def ordered_uuid_text(rng: random.Random, at: datetime) -> str:
    """The same, as the 36-character text a submission key holds (uuid.UUID() is slow per row)."""
    d = f"{_ordered_int(rng, at):032x}"
    return f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:]}"
