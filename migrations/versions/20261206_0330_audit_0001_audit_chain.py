"""The tamper-evident audit trail: each event's source address and device, whether it records a
reading, and its place in its site's chain of hashes. The events already written are sealed
into their chains here, in the order they were written. The database lets an event be sealed
once and refuses any other change, a deletion, and (PostgreSQL) TRUNCATE.

Revision ID: audit_0001
Revises: drugchecks_0001
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import sitesys.db
from sitesys.audit.chain import GENESIS, event_hash

revision = "audit_0001"
down_revision = "drugchecks_0001"
branch_labels = None
depends_on = None

# What sealing may not change: everything but the chain's own columns and occurred_at.
_CONTENT = (
    "id",
    "actor_id",
    "action",
    "record_type",
    "record_id",
    "site_id",
    "source_address",
    "device",
    "is_read",
)

_PG_GUARD = """
CREATE OR REPLACE FUNCTION sitesys_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
        AND {same} AND NEW.detail::text IS NOT DISTINCT FROM OLD.detail::text THEN
        RETURN NEW;  -- sealing a new event into its chain, once
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END $$
""".format(same=" AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _CONTENT))

_PG_OLD_GUARD = (
    "CREATE OR REPLACE FUNCTION sitesys_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$"
)

_SQLITE_UPDATE_GUARD = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.detail IS NOT OLD.detail OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _CONTENT)
    + " BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)


def _events() -> sa.TableClause:
    return sa.table(
        "audit_events",
        sa.column("id", sa.Integer()),
        sa.column("occurred_at", sitesys.db.UTCDateTime()),
        sa.column("actor_id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("record_type", sa.String()),
        sa.column("record_id", sa.String()),
        sa.column("site_id", sa.Integer()),
        sa.column("detail", sa.JSON()),
        sa.column("source_address", sa.String()),
        sa.column("device", sa.String()),
        sa.column("is_read", sa.Boolean()),
        sa.column("chain_position", sa.Integer()),
        sa.column("previous_hash", sa.String()),
        sa.column("hash", sa.String()),
    )


def _seal_existing() -> None:
    """Seal the events already written, per site in the order they were written."""
    bind = op.get_bind()
    events = _events()
    rows = bind.execute(
        sa.select(events).order_by(
            events.c.site_id.is_(None), events.c.site_id, events.c.occurred_at, events.c.id
        )
    )
    heads: dict[int | None, tuple[int, str]] = {}
    batch: list[dict[str, Any]] = []
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("b_id"))
        .values(
            chain_position=sa.bindparam("b_position"),
            previous_hash=sa.bindparam("b_previous"),
            hash=sa.bindparam("b_hash"),
        )
    )
    for row in rows.mappings():
        position, previous = heads.get(row["site_id"], (0, GENESIS))
        position += 1
        digest = event_hash(
            event_id=row["id"],
            site_id=row["site_id"],
            chain_position=position,
            occurred_at=row["occurred_at"],
            actor_id=row["actor_id"],
            action=row["action"],
            record_type=row["record_type"],
            record_id=row["record_id"],
            detail=row["detail"] or {},
            source_address=row["source_address"],
            device=row["device"],
            is_read=bool(row["is_read"]),
            previous_hash=previous,
        )
        heads[row["site_id"]] = (position, digest)
        batch.append(
            {"b_id": row["id"], "b_position": position, "b_previous": previous, "b_hash": digest}
        )
    for start in range(0, len(batch), 5000):
        bind.execute(update, batch[start : start + 5000])


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_address", sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column("device", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("is_read", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "chain_position",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _seal_existing()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_site_id_chain_position", ["site_id", "chain_position"], unique=True
        )
    if postgresql:
        op.execute(_PG_GUARD)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION sitesys_refuse_audit_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION sitesys_refuse_audit_change()"
        )
    else:
        op.execute(_SQLITE_UPDATE_GUARD)
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_site_id_chain_position")
        batch_op.drop_column("hash")
        batch_op.drop_column("previous_hash")
        batch_op.drop_column("chain_position")
        batch_op.drop_column("is_read")
        batch_op.drop_column("device")
        batch_op.drop_column("source_address")
    if postgresql:
        op.execute(_PG_OLD_GUARD)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION sitesys_refuse_audit_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )
