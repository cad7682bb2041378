"""Bulk insertion: each table's Core `insert()` compiled once, rows handed to the driver's
executemany in batches.

SQLAlchemy's per-row parameter processing costs more than the database's own work at millions of
rows, so values are put into the driver's form here, once per column, by the column's type, or
made in that form by the generator itself (`DriverForm`, `Shape`). Timestamps must already be
UTC-aware (as `sitesys.db.UTCDateTime` requires of every write).

On SQLite the form is chosen for the sqlite3 driver's cost of binding as well as for the value:
it binds an exact int, float or str at once, but looks any other value up in its adapter registry
first (None, a bool, a str subclass such as a StrEnum member), which costs several times as much
(about 270 ns a value against 45-90 ns, measured).
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Dialect,
    Integer,
    MetaData,
    Numeric,
    Table,
    Uuid,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy import Enum as SAEnum

from sitesys.db import UTCDateTime

Convert = Callable[[Any], Any]


#: "YYYY-MM-DD " of each UTC date met (a few thousand at most: history is made a day at a time).
_DATE_TEXT: dict[date, str] = {}


def _sqlite_timestamp(value: datetime) -> str:
    # The text form SQLAlchemy's SQLite DateTime writes, so reads and comparisons are unchanged.
    if value.tzinfo is not UTC:
        if value.utcoffset() is None:
            raise ValueError("Synthetic history refuses a naive datetime.")
        value = value.astimezone(UTC)
    # The date's text is made once and only the time's per row: half the cost of writing the
    # whole timestamp with its "+00:00" and cutting that off.
    day = value.date()
    day_text = _DATE_TEXT.get(day)
    if day_text is None:
        day_text = _DATE_TEXT[day] = f"{day.isoformat()} "
    return day_text + value.time().isoformat("microseconds")


def _aware(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError("Synthetic history refuses a naive datetime.")
    return value


def _same(value: Any) -> Any:
    return value


def _enum_converter(enum_class: type[enum.Enum] | None) -> Convert:
    # A dictionary lookup: reading .value through the enum descriptor costs more, per row. Even a
    # StrEnum member goes as its plain value: sqlite3 binds a str subclass through its adapters.
    values: dict[Any, Any] = {member: member.value for member in enum_class or ()}
    return lambda value: values.get(value, value)


#: SQLite stores a boolean as the integer 1 or 0, which sqlite3 binds faster than True or False.
_SQLITE_FLAGS: dict[Any, Any] = {True: 1, False: 0}


def _sqlite_flag(value: Any) -> Any:
    return _SQLITE_FLAGS.get(value, value)


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
        return _enum_converter(column_type.enum_class)
    if isinstance(column_type, Boolean):
        return _sqlite_flag if sqlite else None
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


@dataclass(frozen=True)
class DriverForm:
    """How a generator makes values in the driver's form itself, so that its rows need no
    conversion afterwards: the same values `BulkInsert.prepare` would make of them.
    """

    timestamp: Callable[[datetime], Any]
    uuid: Callable[[uuid.UUID], Any]

    @classmethod
    def of(cls, dialect: str) -> DriverForm:
        if dialect == "sqlite":
            return cls(timestamp=_sqlite_timestamp, uuid=_uuid_hex)
        return cls(timestamp=_aware, uuid=_same)


class Statement(enum.Enum):
    """What rows of a `Shape` go in with."""

    #: An insert of the columns the rows give (the others take their defaults).
    INSERT = "insert"
    #: An insert whose rows end in the number of a template holding their other columns.
    INSERT_FROM_TEMPLATE = "insert from template"
    #: An update whose rows end in the value of a unique column that finds the row.
    UPDATE_BY_KEY = "update by key"


#: The column a templated row names its template by.
TEMPLATE = "template"


@dataclass(frozen=True)
class Shape:
    """Rows a generator made in the driver's form, as tuples of `columns` in that order."""

    table: str
    columns: tuple[str, ...]
    statement: Statement
    #: The columns each row takes from its template (INSERT_FROM_TEMPLATE).
    shared: tuple[str, ...] = ()


@dataclass(frozen=True)
class Templates:
    """Values many rows of a table share (an observation's vitals, say), numbered by position.

    They are written once to a temporary table of the loading connection; each row then binds
    only its own few values and its template's number, and the database copies the rest.
    """

    table: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]


def template_table(table: Table, columns: Sequence[str]) -> Table:
    """The temporary table holding `table`'s templates, with the columns' own types."""
    return Table(
        f"history_{table.name}_templates",
        MetaData(),
        Column("number", Integer, primary_key=True, autoincrement=False),
        *(Column(name, table.c[name].type) for name in columns),
        prefixes=["TEMPORARY"],
    )


def install_templates(connection: Connection, table: Table, templates: Templates) -> Table:
    """Write the templates to a temporary table of this connection (none other sees it)."""
    holder = template_table(table, templates.columns)
    holder.drop(connection, checkfirst=True)
    holder.create(connection)
    bulk = BulkInsert(connection.dialect, holder, ("number", *templates.columns))
    numbered = [{"number": number, **row} for number, row in enumerate(templates.rows)]
    bulk.execute(connection, bulk.prepare(numbered))
    return holder


def _shaped_statement(table: Table, shape: Shape) -> tuple[Any, list[str]]:
    """The statement for a shape and its parameter names, in the order of the shape's columns."""
    *own, last = shape.columns
    if shape.statement is Statement.INSERT:
        binds = [f"row_{name}" for name in shape.columns]
        given: dict[str, Any] = {
            name: bindparam(bind) for name, bind in zip(shape.columns, binds, strict=True)
        }
        return insert(table).values(given), binds
    if shape.statement is Statement.INSERT_FROM_TEMPLATE:
        if last != TEMPLATE:
            raise ValueError(f"A templated row ends in its {TEMPLATE!r}, not {last!r}.")
        holder = template_table(table, shape.shared)
        binds = [f"row_{name}" for name in own] + [TEMPLATE]
        values = select(
            *(bindparam(bind) for bind in binds[:-1]),
            *(holder.c[name] for name in shape.shared),
        ).where(holder.c.number == bindparam(TEMPLATE))
        return insert(table).from_select([*own, *shape.shared], values), binds
    # UPDATE_BY_KEY (parameters named apart from the columns, which SQLAlchemy reserves).
    binds = [f"new_{name}" for name in own] + [f"key_{last}"]
    statement = (
        update(table)
        .where(table.c[last] == bindparam(binds[-1]))
        .values({name: bindparam(bind) for name, bind in zip(own, binds, strict=False)})
    )
    return statement, binds


class ShapedRows:
    """The statement for rows of one `Shape`, compiled once for one connection's dialect."""

    def __init__(self, dialect: Dialect, table: Table, shape: Shape) -> None:
        statement, binds = _shaped_statement(table, shape)
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.binds = binds
        self.positional = bool(compiled.positional)
        if self.positional and list(compiled.positiontup or []) != binds:
            raise ValueError(f"{shape} compiles to parameters {compiled.positiontup}, not {binds}")

    def prepare(self, rows: list[tuple[Any, ...]]) -> list[Any]:
        """Positional drivers take the tuples as they are; others take them named."""
        if self.positional:
            return rows
        binds = self.binds
        return [dict(zip(binds, row, strict=True)) for row in rows]

    def execute(self, connection: Connection, prepared: list[Any]) -> None:
        if prepared:
            connection.exec_driver_sql(self.sql, prepared)


def table_of(model: type[Any]) -> Table:
    """The Core table behind a mapped class (typed, for the per-kind generators)."""
    table: Table = model.__table__
    return table
