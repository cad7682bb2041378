"""Alembic environment: SiteSys models, batch mode for SQLite, our engine settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from sitesys import models  # noqa: F401  (registers every table on the metadata)
from sitesys.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by copy, drop and rename; with foreign keys on, dropping a
        # referenced table fails. The pragma only works outside a transaction, so it goes straight
        # to the driver before SQLAlchemy begins one; integrity is checked again afterwards.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    if sqlite:
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


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
