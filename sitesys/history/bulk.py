"""Bulk insertion: each table's Core `insert()` compiled once, rows handed to the driver's
executemany in batches.

SQLAlchemy's per-row parameter processing costs more than the database's own work at millions of
rows, so values are put into the driver's form here, once per column, by the column's type.
Timestamps must already be UTC-aware (as `sitesys.db.UTCDateTime` requires of every write).
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Dialect, Numeric, Table, Uuid, insert
from sqlalchemy import Enum as SAEnum

from sitesys.db import UTCDateTime

Convert = Callable[[Any], Any]


def _sqlite_timestamp(value: datetime) -> str:
    # The text form SQLAlchemy's SQLite DateTime writes, so reads and comparisons are unchanged.
    if value.tzinfo is not UTC:
        if value.utcoffset() is None:
            raise ValueError("Synthetic history refuses a naive datetime.")
        value = value.astimezone(UTC)
    # Written with its "+00:00" and cut, rather than copied without its zone first (per row).
    return value.isoformat(" ", "microseconds")[:-6]


def _aware(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError("Synthetic history refuses a naive datetime.")
    return value


def _enum_converter(enum_class: type[enum.Enum] | None, dialect: str) -> Convert | None:
    if dialect == "sqlite" and enum_class is not None and issubclass(enum_class, enum.StrEnum):
        # sqlite3 binds a str subclass as its text, which for a StrEnum member is its value.
        return None
    # A dictionary lookup: reading .value through the enum descriptor costs more, per row.
    values: dict[Any, Any] = {member: member.value for member in enum_class or ()}
    return lambda value: values.get(value, value)


def _uuid_hex(value: uuid.UUID) -> str:
    return value.hex


def _decimal_float(value: Decimal) -> float:
    return float(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json_value(value: Any) -> Json:
    # psycopg sends a plain str as text, which a json column will not take without a cast.
    return Json(value)


def _converter(column_type: Any, dialect: str) -> Convert | None:
    """How a value of this column type goes to the driver, or None when it goes as it is."""
    sqlite = dialect == "sqlite"
    if isinstance(column_type, UTCDateTime):
        return _sqlite_timestamp if sqlite else _aware
    if isinstance(column_type, SAEnum):
        return _enum_converter(column_type.enum_class, dialect)
    if isinstance(column_type, Uuid):
        return _uuid_hex if sqlite else None
    if isinstance(column_type, Numeric):
        return _decimal_float if sqlite else None
    if isinstance(column_type, JSON):
        return _json_text if sqlite else _json_value
    return None


class BulkInsert:
    """One table's insert for one connection's dialect, taking rows as dicts of column values."""

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        self.sql = str(compiled)
        #: Positional drivers (SQLite's "?") take tuples in the compiled order; others take dicts.
        self.positional = bool(compiled.positional)
        self.names = list(compiled.positiontup or []) if self.positional else list(columns)
        self.getter = itemgetter(*self.names)
        self.converters = [
            (index, convert)
            for index, name in enumerate(self.names)
            if (convert := _converter(table.c[name].type, dialect.name)) is not None
        ]

    def _values(self, row: dict[str, Any]) -> list[Any]:
        values = list(self.getter(row)) if len(self.names) > 1 else [row[self.names[0]]]
        for index, convert in self.converters:
            value = values[index]
            if value is not None:
                values[index] = convert(value)
        return values

    def prepare(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """The rows as the driver takes them (done on the generating thread)."""
        if self.positional:
            return [tuple(self._values(row)) for row in rows]
        names = self.names
        return [dict(zip(names, self._values(row), strict=True)) for row in rows]

    def execute(self, connection: Connection, prepared: list[Any]) -> None:
        if prepared:
            connection.exec_driver_sql(self.sql, prepared)


def table_of(model: type[Any]) -> Table:
    """The Core table behind a mapped class (typed, for the per-kind generators)."""
    table: Table = model.__table__
    return table
