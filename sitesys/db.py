"""Database plumbing: declarative base, UTC timestamps, engines and the session per request."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from flask import Flask, current_app, flash, g, has_request_context, request
from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from sitesys.refusals import Refused

# Stable constraint names, so Alembic migrations (and SQLite batch mode) can name what they alter.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is UTC-aware on every database.

    SQLite hands back naive values; comparing them with aware ones fails at run time, and storing a
    naive value silently loses its zone. So naive values are refused on the way in, and every value
    read is UTC-aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("UTCDateTime refuses a naive datetime; use sitesys.clock.utcnow()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every SiteSys model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Enums are stored by their value (readable in SQL and in exports), as plain strings, so a new
    # member needs no type migration.
    type_annotation_map = {
        datetime: UTCDateTime(),
        enum.Enum: SAEnum(
            enum.Enum,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=lambda members: [member.value for member in members],
        ),
    }


class Audited:
    """A record the audit trail names by itself: its kind, its id and the site it belongs to.

    `record_event(session, action, actor=..., record=visit)` takes all three from the record, so
    no service spells them out (or forgets the site). A record with a `site_id` column needs only
    its `audit_type`; one whose site is elsewhere (an observation's is its visit's) says where in
    `audit_site_id`. A record whose changes show on the floor board sets `changes_floor`: the
    board's freshness rests on every such change writing an audit event (audit/floor_rule.py).
    """

    audit_type: ClassVar[str]
    changes_floor: ClassVar[bool] = False

    @property
    def audit_site_id(self) -> int | None:
        site_id: int | None = getattr(self, "site_id")  # noqa: B009 (declared by each model)
        return site_id


def _configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for write transactions.

    A deferred transaction that reads and then writes fails with SQLITE_BUSY at the lock upgrade
    without waiting, so writes begin IMMEDIATE and wait their turn. Reads stay deferred, so the
    polling board never queues behind the writer.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        mode = cursor.fetchone()[0]
        if str(mode).lower() not in ("wal", "memory"):
            raise RuntimeError(f"SQLite refused WAL mode (got {mode!r})")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("sitesys_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for a URL, with SQLite's concurrency settings applied."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # No JIT compiling: SiteSys's statements take milliseconds, and PostgreSQL would spend tens
    # of milliseconds compiling the costlier ones (a year's report for each site of a network).
    # 16 MB to sort or hash in (PostgreSQL's default is 4 MB): a network's year sums half a
    # million kept figures, which spilled to disk at 4 MB and took three times as long.
    options = "-c jit=off -c work_mem=16MB"
    connect_args = {"options": options, **kwargs.pop("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


class Database:
    """The engine and session factories of one app."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(
            bind=engine.execution_options(sitesys_write=True), expire_on_commit=False
        )

    def new_session(self, write: bool = True) -> Session:
        """A new session; write sessions begin IMMEDIATE on SQLite."""
        return (self._write if write else self._read)()


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["sitesys.database"]  # type: ignore[no-any-return]


def reads_first(view: F) -> F:
    """Mark a view that reads a good deal before it writes (form choices, validation, a lookup).

    Its request's session begins as a read, and the view calls `begin_writing` just before its
    writes, so on SQLite the write lock is held for the writes alone rather than the whole request
    (other desks and nurses wait for it). A view that never reaches its writes (a refused form, a
    lookup) never takes the lock at all.
    """
    view.sitesys_reads_first = True  # type: ignore[attr-defined]
    return view


def begin_writing(session: Session) -> None:
    """End a `reads_first` request's reading transaction and begin its write transaction.

    Only SQLite tells the two apart (BEGIN IMMEDIATE, see `_configure_sqlite`); on other databases
    the request goes on in the transaction it has. What was read stays loaded (sessions do not
    expire on commit), so a service must read afresh, under the lock, anything a race could have
    changed meanwhile (the booth it takes, the submission key it checks), as the check-in does.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    session.commit()
    session.connection(execution_options={"sitesys_write": True})


def end_writing(session: Session) -> None:
    """After a view's last commit, let the page it draws read in a transaction of its own that
    takes no lock: on SQLite, reading the drawn page under BEGIN IMMEDIATE would hold the write
    lock (and keep every other desk and nurse waiting) while the template renders. The
    counterpart of `begin_writing`; on other databases nothing changes.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    session.commit()
    session.connection(execution_options={"sitesys_write": False})


def view_is_marked(mark: str) -> bool:
    """Whether the view serving this request carries a mark (`reads_first` here, `passive` in
    the guard), set on the view function as an attribute.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, mark, False))


def get_session() -> Session:
    """The one session of this request (or app context), created on first use."""
    session: Session | None = g.get("db_session")
    if session is None:
        write = True
        if has_request_context():
            write = request.method not in SAFE_METHODS and not view_is_marked("sitesys_reads_first")
        session = get_database().new_session(write=write)
        g.db_session = session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except DBAPIError:
            # The database went away under the request (its page, the 503, is already made):
            # rolling back on a dead connection must not turn that page into a bare 500.
            session.invalidate()


def init_app(app: Flask, url: str) -> Database:
    """Create the app's engine and close the request's session at teardown."""
    database = Database(make_engine(url))
    app.extensions["sitesys.database"] = database
    app.teardown_appcontext(_close_session)
    return database


def add_once(session: Session, record: R, earlier: Callable[[], R | None]) -> R:
    """Insert `record` in a savepoint and return it; or, when a unique index refuses it because
    the same thing arrived twice at once (a double tap, two desks registering one code), return
    the one that arrived first, as `earlier` finds it. A refusal `earlier` cannot explain is
    raised. The caller audits only when it gets its own record back.
    """
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        existing = earlier()
        if existing is None:
            raise
        return existing
    return record


@dataclass
class Outcome:
    """What a `committing` block came to: saved, or refused (and why)."""

    refusal: Refused | None = None
    messages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def say(self, message: str, category: str = "success") -> None:
        """A message to show once the work is committed (never when it is refused)."""
        self.messages.append((message, category))


@contextmanager
def committing(session: Session, *, show_refusal: bool = True) -> Iterator[Outcome]:
    """The one way a view saves its work: commit once at the end of the block, or, when a
    service refuses (a `Refused`), roll everything back and show the refusal's message.

    Messages given to `outcome.say` are shown only after the commit, so staff are never told
    something was saved that was not. With `show_refusal=False` the view shows the refusal
    itself (a form drawn again with the message beside the field). Anything other than a
    refusal is a fault: it propagates, and the session is rolled back when it is closed.
    """
    outcome = Outcome()
    try:
        yield outcome
    except Refused as refusal:
        session.rollback()
        outcome.refusal = refusal
        outcome.messages.clear()
        if show_refusal:
            flash(str(refusal), refusal.category)
        return
    session.commit()
    for message, category in outcome.messages:
        flash(message, category)
