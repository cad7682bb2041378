"""Generating a site's history in bulk: years of visits in minutes, for benchmarks and demos.

The generator walks day by day. For each day it runs the per-kind generators of
`RECORD_GENERATORS` in order; each adds rows to the day's `DayRecords` (dicts of column values, or
for the most numerous tables tuples already in the driver's form, `bulk.Shape`), and the day is
inserted in one transaction with Core executemany batches, parents first (no ORM unit of work, no
audit: this is synthetic history, never anyone's record).

Kinds of record, in order: visits (with clients, substances and services), observations,
incidents (about 5 per 1,000 visits, a third needing naloxone; `history/incidents.py`) and
handovers (one per shift, acknowledged; `history/handovers.py`). A new kind is a
`generate_<kind>(context, day)` appended to `RECORD_GENERATORS` after the kinds it refers to.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.orm import Session

from bench.history import DEFAULT_SITE
from bench.history.bulk import DriverForm, Shape
from bench.history.clients import ClientPool
from bench.history.handovers import generate_handovers
from bench.history.incidents import generate_incidents
from bench.history.observations import Intervals, VitalsTable, generate_observations
from bench.history.visits import (
    BoothFloor,
    BoothSlot,
    DaySchedule,
    SyntheticVisit,
    generate_visits,
)
from bench.history.writer import DayRows, finish, write_days
from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.checkin.models import Visit, walk_in_tag
from sitesys.clients.models import Client
from sitesys.clock import utcnow
from sitesys.handovers.setup import add_shift, site_shifts
from sitesys.handovers.shifts import ShiftDefinition
from sitesys.sites.models import Booth, BoothKind, Site, SubstanceOption, staff_sites
from sitesys.sites.services import SiteSettings, add_booth, create_site

#: Rows per executemany call.
BATCH_SIZE = 5_000
#: A site the generator creates gets this many booths of each kind (about 4 in 10 visits smoke).
NEW_SITE_BOOTHS = ((BoothKind.INJECTING, 12), (BoothKind.SMOKING, 8))
#: A site the generator creates hands over three times a day.
NEW_SITE_SHIFTS = (
    ("Early", time(7, 0), time(15, 0)),
    ("Late", time(15, 0), time(23, 0)),
    ("Night", time(23, 0), time(7, 0)),
)
#: Synthetic staff made when the site has nobody to record the history; they cannot sign in.
HISTORY_STAFF = ((Role.FRONT_DESK, 2), (Role.NURSE, 4), (Role.MANAGER, 1))

#: Not an argon2 hash: verify_password() treats it as invalid and refuses every password.
LOCKED_PASSWORD_HASH = "!locked: synthetic history account"  # noqa: S105 (not a secret)

Row = dict[str, Any]


class HistoryRefused(RuntimeError):
    """Synthetic history must never be mixed into a real site's records."""


@dataclass(frozen=True)
class HistoryRequest:
    days: int
    visits_per_day: int
    site_name: str = DEFAULT_SITE
    seed: int | None = None
    batch_size: int = BATCH_SIZE


@dataclass
class HistoryContext:
    """What every per-kind generator may use."""

    rng: random.Random
    site_id: int
    zone: ZoneInfo
    intervals: Intervals
    desk_ids: list[int]
    nurse_ids: list[int]
    pool: ClientPool
    vitals: VitalsTable
    schedule: DaySchedule
    #: How values the generator makes in the driver's form are written for this database.
    driver: DriverForm
    manager_ids: list[int] = field(default_factory=list)
    #: The site's shifts, one handover each per day.
    shifts: list[ShiftDefinition] = field(default_factory=list)
    #: The real date the history runs up to: reviews of the last weeks are still open.
    today: date = field(default_factory=lambda: utcnow().date())
    #: History ends before this instant (the site's earliest real visit, or now): a shift that
    #: had not ended by then is not handed over in the synthetic history.
    until: datetime = field(default_factory=utcnow)

    def tag_of(self, visit: SyntheticVisit) -> str:
        """The display tag staff saw for a visit ("Walk-in 3FA2" for anonymous visits)."""
        if visit.client_index is None:
            return walk_in_tag(visit.id)
        return self.pool.tags[visit.client_index]


@dataclass
class DayRecords:
    """One day's rows, per table, in the order the tables were first added (parents first)."""

    local_date: date
    visits: list[SyntheticVisit] = field(default_factory=list)
    rows: DayRows = field(default_factory=dict)

    def add(self, table: Table, rows: list[Row]) -> None:
        """Rows as dicts of column values (put into the driver's form afterwards)."""
        self.rows.setdefault(table, []).extend(rows)

    def add_shaped(self, shape: Shape, rows: list[tuple[Any, ...]]) -> None:
        """Rows the generator made in the driver's form."""
        self.rows.setdefault(shape, []).extend(rows)


RecordGenerator = Callable[[HistoryContext, DayRecords], None]


#: Per-kind generators, run in this order for every day (see the module docstring to add more).
RECORD_GENERATORS: list[RecordGenerator] = [
    generate_visits,
    generate_observations,
    generate_incidents,
    generate_handovers,
]


@dataclass
class HistoryReport:
    site_name: str
    first_day: date | None
    last_day: date | None
    rows: dict[str, int]
    seconds: float
    #: Processor time of the writing process (generation runs in its own): on a busy machine,
    #: wall time says more about the other work than about this.
    cpu_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        span = f"{self.first_day} to {self.last_day}" if self.first_day else "no days"
        lines = [f"Synthetic history for {self.site_name}: {span}."]
        lines += [f"  {name:<18} {count:>12,}" for name, count in self.rows.items()]
        lines.append(
            f"  {'total rows':<18} {self.total_rows:>12,} in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s), "
            f"{self.cpu_seconds:.1f} s of processor time writing"
        )
        return lines


def _site(session: Session, name: str) -> Site:
    site = session.scalar(select(Site).where(Site.name == name))
    if site is not None:
        return site
    site = create_site(
        session,
        None,
        SiteSettings(name=name),
    )
    for name, start, end in NEW_SITE_SHIFTS:
        add_shift(session, None, site, name, start, end)
    position = 0
    for kind, count in NEW_SITE_BOOTHS:
        prefix = "S" if kind is BoothKind.SMOKING else ""
        for number in range(1, count + 1):
            position += 1
            add_booth(session, None, site, label=f"{prefix}{number}", kind=kind, position=position)
    return site


def _staff_ids(session: Session, site: Site, roles: tuple[Role, ...]) -> list[int]:
    return list(
        session.scalars(
            select(Staff.id)
            .join(staff_sites, staff_sites.c.staff_id == Staff.id)
            .where(staff_sites.c.site_id == site.id, Staff.role.in_(roles))
            .order_by(Staff.id)
        )
    )


def _history_staff(session: Session, site: Site) -> tuple[list[int], list[int], list[int]]:
    """The site's own desk and clinical staff, or synthetic accounts that cannot sign in."""
    desk = _staff_ids(session, site, (Role.FRONT_DESK,))
    nurses = _staff_ids(session, site, (Role.NURSE,))
    managers = _staff_ids(session, site, (Role.MANAGER,))
    made: dict[Role, list[int]] = {}
    for role, count in HISTORY_STAFF:
        have = {Role.FRONT_DESK: desk, Role.NURSE: nurses, Role.MANAGER: managers}[role]
        if have:
            continue
        for number in range(1, count + 1):
            # Synthetic people: deactivated, with a hash no password can match (verifying it
            # fails as an invalid hash), so nobody can ever sign in as them.
            staff = Staff(
                username=f"history-{role.value.replace('_', '-')}-{site.id}-{number}",
                display_name=f"History {role.label.lower()} {number}",
                role=role,
                is_active=False,
                password_hash=LOCKED_PASSWORD_HASH,
            )
            staff.sites = [site]
            session.add(staff)
            session.flush()
            made.setdefault(role, []).append(staff.id)
    return (
        desk or made[Role.FRONT_DESK],
        nurses or made[Role.NURSE],
        managers or made[Role.MANAGER],
    )


def _days(session: Session, site: Site, days: int) -> list[date]:
    """The `days` local days before the site's earliest visit (or before today): history extends
    further into the past on each run and never overlaps what is there.
    """
    earliest = session.scalar(select(func.min(Visit.checked_in_at)).where(Visit.site_id == site.id))
    reference = earliest if earliest is not None else utcnow()
    last = reference.astimezone(site.zone).date() - timedelta(days=1)
    return [last - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def _pool(session: Session, site: Site, code_key: str, rng: random.Random) -> ClientPool:
    pool = ClientPool(site_id=site.id, code_key=code_key, rng=rng)
    existing = session.execute(
        select(Client.id, Client.code_digest, Client.display_tag)
        .where(Client.site_id == site.id)
        .order_by(Client.created_at, Client.id)
    )
    for client_id, digest, tag in existing:
        pool.add_existing(client_id, digest, tag)
    pool.next_number = len(pool.ids)
    return pool


def generate_history(
    engine: Engine,
    request: HistoryRequest,
    *,
    client_code_key: str,
    environment: str,
    progress: Callable[[date, int], None] | None = None,
) -> HistoryReport:
    """Fill a site with `days` days of synthetic history at `visits_per_day`.

    Refused in production. The site is created with booths when it does not exist; the history
    ends the day before the site's earliest visit, so a second run extends it into the past.
    """
    if environment == "production":
        raise HistoryRefused(
            "generate-history refuses to run in production: synthetic visits would mix with "
            "real clinical records."
        )
    if request.days < 0 or request.visits_per_day < 0:
        raise ValueError("Days and visits per day cannot be negative.")
    started = clock.perf_counter()
    cpu_started = clock.process_time()
    rng = random.Random()
    with Session(engine.execution_options(sitesys_write=True), expire_on_commit=False) as session:
        site = _site(session, request.site_name)
        desk_ids, nurse_ids, manager_ids = _history_staff(session, site)
        shifts = [shift.definition() for shift in site_shifts(session, site)]
        session.commit()
        days = _days(session, site, request.days)
        until = (
            session.scalar(select(func.min(Visit.checked_in_at)).where(Visit.site_id == site.id))
            or utcnow()
        )
        if request.seed is not None and days:
            # Reproducible, yet a second run that extends the history draws new identifiers.
            rng.seed(f"{request.seed}:{site.id}:{days[0].isoformat()}")
        booths = [
            BoothSlot(booth.id, booth.kind)
            for booth in session.scalars(
                select(Booth).where(Booth.site_id == site.id, Booth.is_retired.is_(False))
            )
        ]
        offered = set(
            session.scalars(
                select(SubstanceOption.code).where(
                    SubstanceOption.site_id == site.id, SubstanceOption.is_active.is_(True)
                )
            )
        ) or {"unknown"}
        pool = _pool(session, site, client_code_key, rng)
        context = HistoryContext(
            rng=rng,
            site_id=site.id,
            zone=site.zone,
            intervals=Intervals(
                booth=timedelta(minutes=site.booth_check_minutes),
                aftercare=timedelta(minutes=site.aftercare_check_minutes),
                close_watch=timedelta(minutes=site.close_watch_minutes),
            ),
            desk_ids=desk_ids,
            nurse_ids=nurse_ids,
            manager_ids=manager_ids,
            shifts=shifts,
            until=until,
            pool=pool,
            vitals=VitalsTable.build(rng),
            driver=DriverForm.of(engine.dialect.name),
            schedule=DaySchedule(
                floor=BoothFloor(booths),
                booth_kinds={slot.id: slot.kind for slot in booths},
                offered_substances=offered,
                visits_per_day=request.visits_per_day,
                zone=site.zone,
                closing_time=site.closing_time,
            ),
        )
        site_name = site.name
        extended = bool(pool.ids)

    def make_day(local_date: date) -> tuple[int, DayRows]:
        day = DayRecords(local_date)
        for generator in RECORD_GENERATORS:
            generator(context, day)
        return len(day.visits), day.rows

    written = write_days(
        engine,
        days,
        make_day,
        batch_size=request.batch_size,
        templates=[context.vitals.templates()],
        progress=progress,
    )
    finish(engine, context.site_id, extended and bool(days), written.tables)
    return HistoryReport(
        site_name=site_name,
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        rows=written.counts,
        seconds=clock.perf_counter() - started,
        cpu_seconds=clock.process_time() - cpu_started,
    )
