"""What every benchmark shares: throwaway databases, keys, a bench site, results on disk."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as wall_time
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.auth.services import start_session
from sitesys.board.displays import pair_display, register_display
from sitesys.db import make_engine
from sitesys.handovers.setup import add_shift
from sitesys.migrations_config import alembic_config
from sitesys.sites.models import BoothKind, Site
from sitesys.sites.services import SiteSettings, add_booth, create_site

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
SITE_NAME = "Bench Site"
POSTGRES_ADMIN_URL = os.environ.get(
    "SITESYS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: Not an argon2 hash: nobody can sign in with a password as a bench account.
LOCKED_HASH = "!locked: benchmark account"
BOOTHS = ((BoothKind.INJECTING, 12), (BoothKind.SMOKING, 8))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Keys:
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    client_code_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))


@dataclass
class BenchDatabase:
    """A database made for one benchmark run, dropped (or deleted) by `drop()`."""

    backend: str
    url: str
    name: str
    workdir: Path

    @classmethod
    def create(cls, backend: str, workdir: Path) -> BenchDatabase:
        if backend == "sqlite":
            path = workdir / "bench.sqlite3"
            return cls(backend, f"sqlite:///{path}", str(path), workdir)
        admin = make_url(POSTGRES_ADMIN_URL)
        name = f"sitesys_bench_{os.getpid()}_{secrets.token_hex(3)}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        url = admin.set(database=name).render_as_string(hide_password=False)
        return cls(backend, url, name, workdir)

    def migrate(self) -> None:
        command.upgrade(alembic_config(self.url), "head")

    def drop(self) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
            return
        engine = create_engine(make_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()

    def size_bytes(self) -> int:
        if self.backend == "sqlite":
            return sum(
                Path(self.name + suffix).stat().st_size
                for suffix in ("", "-wal")
                if Path(self.name + suffix).exists()
            )
        engine = make_engine(self.url)
        with engine.connect() as connection:
            size = connection.scalar(text("SELECT pg_database_size(current_database())"))
        engine.dispose()
        return int(size or 0)


def drop_leftover_databases() -> list[str]:
    """Drop sitesys_bench_* databases of runs that died without cleaning up."""
    engine = create_engine(make_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    dropped = []
    with engine.connect() as connection:
        names = connection.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE 'sitesys_bench_%'")
        ).all()
        for name in names:
            pid = name.split("_")[2]
            if pid.isdigit() and Path(f"/proc/{pid}").exists():
                continue  # a run still going
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            dropped.append(name)
    engine.dispose()
    return dropped


@dataclass
class BenchSite:
    site_id: int
    desk_id: int
    nurse_id: int
    manager_id: int
    #: Registers the wall-board displays the load benchmark pairs.
    admin_id: int


def _clock(text: str) -> wall_time:
    return datetime.strptime(text, "%H:%M").time()


def set_up_site(url: str) -> BenchSite:
    """The bench site (20 booths, as generate-history makes one) and a desk and a nurse account."""
    engine = make_engine(url)
    with Session(engine.execution_options(sitesys_write=True)) as session:
        site = session.scalar(select(Site).where(Site.name == SITE_NAME))
        if site is None:
            site = create_site(
                session,
                None,
                SiteSettings(
                    name=SITE_NAME,
                    # Open all day, so the floor runs whenever the benchmark does.
                    closing_time=datetime.strptime("23:59", "%H:%M").time(),
                    idle_timeout_minutes=60,
                ),
            )
            # Three shifts around the clock, so a handover can be taken whenever the bench runs.
            for name, start, end in (
                ("Early", "07:00", "15:00"),
                ("Late", "15:00", "23:00"),
                ("Night", "23:00", "07:00"),
            ):
                add_shift(session, None, site, name, _clock(start), _clock(end))
            position = 0
            for kind, count in BOOTHS:
                for number in range(1, count + 1):
                    position += 1
                    label = f"{'S' if kind is BoothKind.SMOKING else ''}{number}"
                    add_booth(session, None, site, label=label, kind=kind, position=position)
        ids = {}
        for role in (Role.FRONT_DESK, Role.NURSE, Role.MANAGER, Role.ADMIN):
            username = f"bench-{role.value.replace('_', '-')}"
            staff = session.scalar(select(Staff).where(Staff.username == username))
            if staff is None:
                staff = Staff(
                    username=username,
                    display_name=f"Bench {role.label.lower()}",
                    role=role,
                    password_hash=LOCKED_HASH,
                )
                staff.sites = [site]
                session.add(staff)
                session.flush()
            ids[role] = staff.id
        session.commit()
        result = BenchSite(
            site.id, ids[Role.FRONT_DESK], ids[Role.NURSE], ids[Role.MANAGER], ids[Role.ADMIN]
        )
    engine.dispose()
    return result


def mint_sessions(url: str, staff_id: int, site_id: int, count: int) -> list[str]:
    """Server-side sign-in sessions made directly (as tests/factories.py sign_in does)."""
    engine = make_engine(url)
    tokens = []
    with Session(engine.execution_options(sitesys_write=True)) as session:
        staff = session.get(Staff, staff_id)
        site = session.get(Site, site_id)
        assert staff is not None
        assert site is not None
        for _ in range(count):
            tokens.append(start_session(session, staff, site))
        session.commit()
    engine.dispose()
    return tokens


def pair_displays(url: str, admin_id: int, site_id: int, count: int) -> list[str]:
    """Wall-board displays registered by the admin and paired, as an admin and a wall tablet
    would (the services the pages call); the display session tokens, one per display."""
    engine = make_engine(url)
    tokens = []
    with Session(engine.execution_options(sitesys_write=True)) as session:
        admin = session.get(Staff, admin_id)
        site = session.get(Site, site_id)
        assert admin is not None
        assert site is not None
        for number in range(count):
            pairing = register_display(session, admin, site, f"Bench wall {number + 1}")
            tokens.append(pair_display(session, pairing.code, "127.0.0.1")[1])
        session.commit()
    engine.dispose()
    return tokens


def new_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="sitesys-bench-"))


def remove_workdir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, default=str))
    (RESULTS_DIR / f"{name}-latest.json").write_text(json.dumps(payload, indent=2, default=str))
    return path


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
