"""Record ids and other numbers that come from outside: form fields, query arguments, URLs and
the board's stamp.

SiteSys's integer keys are 32-bit on PostgreSQL and 64-bit on SQLite; a longer number sent by a
tampered form or link must be "not found" or "not a choice", never a driver error.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest id a record can have: SiteSys's integer keys are 32-bit on PostgreSQL.
MAX_RECORD_ID = 2**31 - 1


def whole_number(value: object, largest: int) -> int | None:
    """A number from 0 to `largest` written in plain digits, or None: a superscript passes
    `str.isdigit` but not `int`, and a long run of digits is refused before it is read.
    """
    text = "" if value is None else str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        return None
    number = int(text)
    return number if number <= largest else None


def record_id(value: object) -> int | None:
    """The record id a form field or a query argument names, or None when the value cannot be
    one, including a number beyond what the database stores (the driver would fail on it rather
    than find nothing).
    """
    number = whole_number(value, MAX_RECORD_ID)
    return number if number else None


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in SiteSys's URLs: a record id, so no larger than the database stores."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_RECORD_ID)
        super().__init__(map, *args, **kwargs)
