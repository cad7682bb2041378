"""Shift handovers: shifts, stock items, handovers with their people, stock, actions, addenda
and alerts; the site's acknowledgement limit.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 00:09:13.945449
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("starts_at_time", sa.Time(), nullable=False),
        sa.Column("ends_at_time", sa.Time(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_shifts_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_site_id"), ["site_id"], unique=False)

    op.create_table(
        "stock_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_stock_items_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_items")),
        sa.UniqueConstraint("site_id", "name", name=op.f("uq_stock_items_site_id_name")),
    )
    with op.batch_alter_table("stock_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_items_site_id"), ["site_id"], unique=False)

    op.create_table(
        "handovers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("shift_key", sa.String(length=60), nullable=False),
        sa.Column("shift_name", sa.String(length=40), nullable=False),
        sa.Column("shift_starts_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("shift_ends_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "acknowledged",
                name="handoverstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("outgoing_lead_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("snapshot_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("situation_awareness", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("saved_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("readback_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["staff.id"], name=op.f("fk_handovers_acknowledged_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["outgoing_lead_id"], ["staff.id"], name=op.f("fk_handovers_outgoing_lead_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_handovers_shift_id_shifts")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_handovers_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
        sa.UniqueConstraint("site_id", "shift_key", name=op.f("uq_handovers_site_id_shift_key")),
    )
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handovers_shift_ends_at"), ["shift_ends_at"], unique=False
        )

    op.create_table(
        "handover_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Uuid(), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("by_when", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["handovers.id"],
            name=op.f("fk_handover_actions_handover_id_handovers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_actions")),
    )
    with op.batch_alter_table("handover_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handover_actions_handover_id"), ["handover_id"], unique=False
        )

    op.create_table(
        "handover_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_handover_addenda_author_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["handovers.id"],
            name=op.f("fk_handover_addenda_handover_id_handovers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_addenda")),
    )
    with op.batch_alter_table("handover_addenda", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handover_addenda_handover_id"), ["handover_id"], unique=False
        )

    op.create_table(
        "handover_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("shift_key", sa.String(length=60), nullable=False),
        sa.Column("shift_name", sa.String(length=40), nullable=False),
        sa.Column("shift_ends_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "not_started",
                "unacknowledged",
                name="handoveralertkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("handover_id", sa.Uuid(), nullable=True),
        sa.Column("raised_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["handover_id"], ["handovers.id"], name=op.f("fk_handover_alerts_handover_id_handovers")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_handover_alerts_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_alerts")),
        sa.UniqueConstraint(
            "site_id", "shift_key", "kind", name=op.f("uq_handover_alerts_site_id_shift_key_kind")
        ),
    )
    op.create_table(
        "handover_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Uuid(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("display_tag", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "severity",
            sa.Enum(
                "stable",
                "watcher",
                "unstable",
                name="illnessseverity",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["handovers.id"],
            name=op.f("fk_handover_people_handover_id_handovers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_handover_people_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_people")),
    )
    with op.batch_alter_table("handover_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handover_people_handover_id"), ["handover_id"], unique=False
        )

    op.create_table(
        "handover_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Uuid(), nullable=False),
        sa.Column("item", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["handovers.id"],
            name=op.f("fk_handover_stock_handover_id_handovers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_stock")),
    )
    with op.batch_alter_table("handover_stock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handover_stock_handover_id"), ["handover_id"], unique=False
        )

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handover_ack_minutes", sa.Integer(), nullable=False, server_default="30")
        )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("handover_ack_minutes", server_default=None)
    # Existing sites count naloxone and oxygen at handover, as new sites do.
    sites = sa.table("sites", sa.column("id", sa.Integer))
    items = sa.table(
        "stock_items",
        sa.column("site_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
    )
    rows = [
        {"site_id": site_id, "name": name, "position": position, "is_active": True}
        for (site_id,) in op.get_bind().execute(sa.select(sites.c.id))
        for position, name in enumerate(("Naloxone doses", "Oxygen cylinders"))
    ]
    if rows:
        op.bulk_insert(items, rows)


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("handover_ack_minutes")

    with op.batch_alter_table("handover_stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handover_stock_handover_id"))

    op.drop_table("handover_stock")
    with op.batch_alter_table("handover_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handover_people_handover_id"))

    op.drop_table("handover_people")
    op.drop_table("handover_alerts")
    with op.batch_alter_table("handover_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handover_addenda_handover_id"))

    op.drop_table("handover_addenda")
    with op.batch_alter_table("handover_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handover_actions_handover_id"))

    op.drop_table("handover_actions")
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handovers_shift_ends_at"))

    op.drop_table("handovers")
    with op.batch_alter_table("stock_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_items_site_id"))

    op.drop_table("stock_items")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shifts_site_id"))

    op.drop_table("shifts")
