"""Writing generated days: a forked process generates, this one writes.

The sqlite3 driver holds Python's interpreter lock while it binds each row, so a generating
thread and a writing thread in one process take turns rather than share two cores. Here the
generation (and putting rows into the driver's form) runs in a child process forked with
everything it needs; this process only writes, each day in one transaction.

On SQLite the child stores each prepared day in a scratch database file of its own, and this
process copies it in with `INSERT … SELECT` from the attached file: no Python object is made per
row on the writing side (unpickling a day's rows from a queue cost the writer as much as
SQLite's own inserts). On PostgreSQL the prepared rows come over the queue and go to
executemany in batches.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import sqlite3
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text, update

from sitesys.checkin.models import Visit
from sitesys.clients.models import Client
from sitesys.db import Base
from sitesys.history.bulk import BulkInsert

#: How long the writer waits for the next day before asking whether the generator still lives.
POLL_SECONDS = 5.0
#: Days prepared ahead of the writer (bounded, so memory stays small).
AHEAD = 3

Key = tuple[str, tuple[str, ...]]
#: A day on the wire: its date, its number of visits, and batches per (table, columns).
PreparedDay = tuple[date, int, list[tuple[Key, list[Any]]]]
#: A day in a scratch file: its date, its number of visits, the file, and per (table, columns)
#: the scratch table holding its rows and how many there are.
ScratchDay = tuple[date, int, str, list[tuple[Key, str, int]]]
#: The name the scratch file is attached under on the writing connection.
SCRATCH = "history_day"


class HistoryFailed(RuntimeError):
    """The generating process stopped with an error (its traceback is in the message)."""


@dataclass
class WriteReport:
    counts: dict[str, int] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


def _store(path: Path, day: list[tuple[Key, BulkInsert, list[Any]]]) -> list[tuple[Key, str, int]]:
    """In the child: a prepared day into a scratch SQLite file, a table per (table, columns)."""
    stored: list[tuple[Key, str, int]] = []
    scratch = sqlite3.connect(path, isolation_level=None)
    try:
        # A throwaway file read once: no journal, no syncing.
        scratch.execute("PRAGMA journal_mode=OFF")
        scratch.execute("PRAGMA synchronous=OFF")
        scratch.execute("BEGIN")
        for number, (key, bulk, prepared) in enumerate(day):
            name = f"t{number}"
            columns = ", ".join(f"c{index}" for index in range(len(bulk.names)))
            marks = ", ".join("?" for _ in bulk.names)
            scratch.execute(f"CREATE TABLE {name} ({columns})")
            # Names made here, not taken from input.
            scratch.executemany(f"INSERT INTO {name} VALUES ({marks})", prepared)  # noqa: S608
            stored.append((key, name, len(prepared)))
        scratch.execute("COMMIT")
    finally:
        scratch.close()
    return stored


def _produce(
    days: Sequence[date],
    make_day: Callable[[date], tuple[int, dict[Table, list[dict[str, Any]]]]],
    engine: Engine,
    batch_size: int,
    out: multiprocessing.Queue[Any],
    scratch_dir: str | None,
) -> None:
    """In the child: generate each day, put it in the driver's form and hand it over (in a
    scratch file when `scratch_dir` is given, else over the queue in batches).
    """
    # The pool's connections belong to the parent; the child never touches the database.
    engine.dispose(close=False)
    try:
        inserts: dict[Key, BulkInsert] = {}
        for number, local_date in enumerate(days):
            visits, rows_by_table = make_day(local_date)
            day: list[tuple[Key, BulkInsert, list[Any]]] = []
            for table, rows in rows_by_table.items():
                if not rows:
                    continue
                key = (table.name, tuple(rows[0]))
                bulk = inserts.get(key)
                if bulk is None:
                    bulk = inserts[key] = BulkInsert(engine.dialect, table, key[1])
                day.append((key, bulk, bulk.prepare(rows)))
            if scratch_dir is not None:
                path = Path(scratch_dir) / f"day-{number}.sqlite3"
                out.put((local_date, visits, str(path), _store(path, day)))
            else:
                payload = [
                    (key, prepared[start : start + batch_size])
                    for key, _bulk, prepared in day
                    for start in range(0, len(prepared), batch_size)
                ]
                out.put((local_date, visits, payload))
        out.put(None)
    except BaseException:  # reported to the parent, which raises it
        out.put(("failed", traceback.format_exc()))


def write_days(
    engine: Engine,
    days: Sequence[date],
    make_day: Callable[[date], tuple[int, dict[Table, list[dict[str, Any]]]]],
    *,
    batch_size: int,
    progress: Callable[[date, int], None] | None = None,
) -> WriteReport:
    """Generate `days` in a forked process and write them here, in order, a day at a time."""
    context = multiprocessing.get_context("fork")
    handover: multiprocessing.Queue[Any] = context.Queue(maxsize=AHEAD)
    scratch_dir = (
        tempfile.mkdtemp(prefix="sitesys-history-") if engine.dialect.name == "sqlite" else None
    )
    child = context.Process(
        target=_produce,
        args=(days, make_day, engine, batch_size, handover, scratch_dir),
        daemon=True,
    )
    child.start()
    report = WriteReport()
    inserts: dict[Key, BulkInsert] = {}
    try:
        with engine.connect().execution_options(sitesys_write=True) as connection:
            _tune(connection)
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
                local_date, visits = message[0], message[1]

                def bulk_for(key: Key) -> BulkInsert:
                    bulk = inserts.get(key)
                    if bulk is None:
                        table = Base.metadata.tables[key[0]]
                        bulk = inserts[key] = BulkInsert(engine.dialect, table, key[1])
                        if table not in report.tables:
                            report.tables.append(table)
                    return bulk

                if scratch_dir is not None:
                    _copy_day(connection, message[2], message[3], bulk_for, report)
                else:
                    with connection.begin():
                        for key, prepared in message[2]:
                            bulk_for(key).execute(connection, prepared)
                            report.counts[key[0]] = report.counts.get(key[0], 0) + len(prepared)
                if progress is not None:
                    progress(local_date, visits)
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
        if scratch_dir is not None:
            shutil.rmtree(scratch_dir, ignore_errors=True)
    return report


def _copy_day(
    connection: Connection,
    path: str,
    stored: list[tuple[Key, str, int]],
    bulk_for: Callable[[Key], BulkInsert],
    report: WriteReport,
) -> None:
    """Copy a scratch file's day into the database in one transaction, then delete the file."""
    # ATTACH is refused inside a transaction: it is done on the driver's connection between days.
    driver = connection.connection.driver_connection
    if driver is None:
        raise HistoryFailed("the writing connection has no SQLite connection under it")
    driver.execute(f"ATTACH DATABASE ? AS {SCRATCH}", (path,))
    try:
        with connection.begin():
            for key, name, count in stored:
                bulk = bulk_for(key)
                target = ", ".join(f'"{column}"' for column in bulk.names)
                source = ", ".join(f"c{index}" for index in range(len(bulk.names)))
                # Table and column names from the models' metadata, not from input.
                connection.exec_driver_sql(
                    f'INSERT INTO main."{key[0]}" ({target}) '  # noqa: S608
                    f"SELECT {source} FROM {SCRATCH}.{name} ORDER BY rowid"
                )
                report.counts[key[0]] = report.counts.get(key[0], 0) + count
    finally:
        driver.execute(f"DETACH DATABASE {SCRATCH}")
        Path(path).unlink(missing_ok=True)


def _tune(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # A large page cache (up to 4 GiB, taken as needed) for this connection only: the indexes
        # of millions of rows are written at random places, and re-reading pages is the slow part.
        connection.exec_driver_sql("PRAGMA cache_size=-4194304")
        # Fewer, larger checkpoints of the write-ahead log while loading.
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=50000")
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
