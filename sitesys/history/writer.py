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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
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


class HistoryFailed(RuntimeError):
    """The generating process stopped with an error (its traceback is in the message)."""


@dataclass
class WriteReport:
    counts: dict[str, int] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


def _produce(
    days: Sequence[date],
    make_day: Callable[[date], tuple[int, dict[Table, list[dict[str, Any]]]]],
    engine: Engine,
    batch_size: int,
    out: multiprocessing.Queue[Any],
) -> None:
    """In the child: generate each day and put it in the driver's form."""
    # The pool's connections belong to the parent; the child never touches the database.
    engine.dispose(close=False)
    try:
        inserts: dict[Key, BulkInsert] = {}
        for local_date in days:
            visits, rows_by_table = make_day(local_date)
            payload: list[tuple[Key, list[Any]]] = []
            for table, rows in rows_by_table.items():
                if not rows:
                    continue
                key = (table.name, tuple(rows[0]))
                bulk = inserts.get(key)
                if bulk is None:
                    bulk = inserts[key] = BulkInsert(engine.dialect, table, key[1])
                for start in range(0, len(rows), batch_size):
                    payload.append((key, bulk.prepare(rows[start : start + batch_size])))
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
    child = context.Process(
        target=_produce, args=(days, make_day, engine, batch_size, handover), daemon=True
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
                local_date, visits, payload = message
                with connection.begin():
                    for key, prepared in payload:
                        bulk = inserts.get(key)
                        if bulk is None:
                            table = Base.metadata.tables[key[0]]
                            bulk = inserts[key] = BulkInsert(engine.dialect, table, key[1])
                            if table not in report.tables:
                                report.tables.append(table)
                        bulk.execute(connection, prepared)
                        report.counts[key[0]] = report.counts.get(key[0], 0) + len(prepared)
                if progress is not None:
                    progress(local_date, visits)
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
    return report


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
