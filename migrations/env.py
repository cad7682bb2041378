"""Alembic environment: SiteSys models, batch mode for SQLite, our engine settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from sitesys import models  # noqa: F401  (registers every table on the metadata)
from sitesys.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migrations")
    engine = make_engine(url)
    with engine.execution_options(sitesys_write=True).connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("SiteSys migrations run online only")
run_migrations_online()
