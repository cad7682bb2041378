"""Writing generated days: a forked process generates, this one writes.

The sqlite3 driver holds Python's interpreter lock while it binds each row, so a generating
thread and a writing thread in one process take turns rather than share two cores. Here the
generation (and putting rows into the driver's form) runs in a child process forked with
everything it needs, and hands each prepared day over a queue; this process only writes, each
day in one transaction, in executemany batches.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Table, func, select, text, update

from bench.history.bulk import (
    BulkInsert,
    Shape,
    ShapedRows,
    Statement,
    Templates,
    install_templates,
)
from sitesys.checkin.models import Visit
from sitesys.clients.models import Client
from sitesys.db import Base

#: How long the writer waits for the next day before asking whether the generator still lives.
POLL_SECONDS = 5.0
#: Days prepared ahead of the writer (bounded, so memory stays small).
AHEAD = 3

#: A day's rows by where they go: dicts of column values for a table, or tuples of a `Shape` the
#: generator made in the driver's form. Written in this order (parents first).
DayRows = dict[Table | Shape, list[Any]]
#: What a batch on the queue is: a table and the columns of its dict rows, or a shape.
Key = tuple[str, tuple[str, ...]] | Shape
Writer = BulkInsert | ShapedRows


class HistoryFailed(RuntimeError):
    """The generating process stopped with an error (its traceback is in the message)."""


@dataclass
class WriteReport:
    counts: dict[str, int] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


def _key(target: Table | Shape, rows: list[Any]) -> Key:
    return target if isinstance(target, Shape) else (target.name, tuple(rows[0]))


def _writer(dialect: Dialect, key: Key) -> Writer:
    if isinstance(key, Shape):
        return ShapedRows(dialect, Base.metadata.tables[key.table], key)
    return BulkInsert(dialect, Base.metadata.tables[key[0]], key[1])


def _produce(
    days: Sequence[date],
    make_day: Callable[[date], tuple[int, DayRows]],
    engine: Engine,
    batch_size: int,
    out: multiprocessing.Queue[Any],
) -> None:
    """In the child: generate each day and put it in the driver's form."""
    # The pool's connections belong to the parent; the child never touches the database.
    engine.dispose(close=False)
    try:
        writers: dict[Key, Writer] = {}
        for local_date in days:
            visits, day_rows = make_day(local_date)
            payload: list[tuple[Key, list[Any]]] = []
            for target, rows in day_rows.items():
                if not rows:
                    continue
                key = _key(target, rows)
                writer = writers.get(key)
                if writer is None:
                    writer = writers[key] = _writer(engine.dialect, key)
                for start in range(0, len(rows), batch_size):
                    payload.append((key, writer.prepare(rows[start : start + batch_size])))
            # One pickle a day: the queue pickles each message as a whole.
            out.put((local_date, visits, payload))
        out.put(None)
    except BaseException:  # reported to the parent, which raises it
        out.put(("failed", traceback.format_exc()))


def write_days(
    engine: Engine,
    days: Sequence[date],
    make_day: Callable[[date], tuple[int, DayRows]],
    *,
    batch_size: int,
    templates: Sequence[Templates] = (),
    progress: Callable[[date, int], None] | None = None,
) -> WriteReport:
    """Generate `days` in a forked process and write them here, in order, a day at a time.

    `templates` are written first, for rows of an INSERT_FROM_TEMPLATE shape to name.
    """
    context = multiprocessing.get_context("fork")
    handover: multiprocessing.Queue[Any] = context.Queue(maxsize=AHEAD)
    child = context.Process(
        target=_produce, args=(days, make_day, engine, batch_size, handover), daemon=True
    )
    child.start()
    report = WriteReport()
    writers: dict[Key, Writer] = {}
    try:
        with (
            engine.connect().execution_options(sitesys_write=True) as connection,
            _loading(connection, templates),
        ):
            while True:
                try:
                    message = handover.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    if not child.is_alive():
                        raise HistoryFailed("the generating process stopped unexpectedly") from None
                    continue
                if message is None:
                    break
                if message[0] == "failed":
                    raise HistoryFailed(message[1])
                local_date, visits, payload = message
                with connection.begin():
                    for key, prepared in payload:
                        writer = writers.get(key)
                        if writer is None:
                            writer = writers[key] = _writer(engine.dialect, key)
                        writer.execute(connection, prepared)
                        _count(report, key, len(prepared))
                if progress is not None:
                    progress(local_date, visits)
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
    return report


def _count(report: WriteReport, key: Key, rows: int) -> None:
    if isinstance(key, Shape):
        if key.statement is Statement.UPDATE_BY_KEY:
            return  # rows already counted when they were inserted
        name = key.table
    else:
        name = key[0]
    table = Base.metadata.tables[name]
    if table not in report.tables:
        report.tables.append(table)
    report.counts[name] = report.counts.get(name, 0) + rows


@contextmanager
def _loading(connection: Connection, templates: Sequence[Templates]) -> Iterator[None]:
    """The connection tuned for loading, with the templates, and put back as it was afterwards
    (it returns to the pool, and temporary tables and PRAGMAs last as long as it does).
    """
    tuned = _tune(connection)
    with connection.begin():
        holders = [
            install_templates(connection, Base.metadata.tables[each.table], each)
            for each in templates
        ]
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        with connection.begin():
            for holder in holders:
                holder.drop(connection)
        _set_pragmas(connection, tuned)


#: SQLite settings for the loading connection only.
LOADING_PRAGMAS = {
    # A large page cache (up to 4 GiB, taken as needed): the indexes of millions of rows are
    # written at random places, and re-reading pages is the slow part.
    "cache_size": -4194304,
    # Fewer, larger checkpoints of the write-ahead log.
    "wal_autocheckpoint": 50000,
}


def _tune(connection: Connection) -> dict[str, Any]:
    """Apply LOADING_PRAGMAS; return the settings they replaced."""
    if connection.dialect.name != "sqlite":
        return {}
    before = {
        name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in LOADING_PRAGMAS
    }
    _set_pragmas(connection, LOADING_PRAGMAS)
    return before


def _set_pragmas(connection: Connection, values: dict[str, Any]) -> None:
    for name, value in values.items():
        connection.exec_driver_sql(f"PRAGMA {name}={int(value)}")
    connection.commit()


def finish(engine: Engine, site_id: int, extended: bool, tables: list[Table]) -> None:
    """After loading: first-visit dates of clients met again, and fresh planner statistics."""
    with engine.connect().execution_options(sitesys_write=True) as connection:
        with connection.begin():
            if extended:
                # Clients met again in the older history were first seen then.
                first_visit = (
                    select(func.min(Visit.checked_in_at))
                    .where(Visit.client_id == Client.id)
                    .scalar_subquery()
                )
                connection.execute(
                    update(Client)
                    .where(Client.site_id == site_id, first_visit < Client.created_at)
                    .values(created_at=first_visit)
                )
        if connection.dialect.name == "postgresql":
            # What autovacuum would do shortly after a bulk load: statistics for the planner.
            for table in tables:
                connection.execute(text(f'ANALYZE "{table.name}"'))
            connection.commit()
