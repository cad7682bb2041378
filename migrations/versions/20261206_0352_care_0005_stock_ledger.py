"""The stock ledger: each supply item's count and reorder level, the batches received with their
expiry, and the ledger lines (received, given out, used in responses, disposed of, counted).
Existing items start at a count of 0 until their first stock-take.

Revision ID: care_0005
Revises: reports_0002
Create Date: 2026-12-06 03:52:05.573207
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "care_0005"
down_revision = "reports_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("received_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["supply_items.id"], name=op.f("fk_stock_batches_item_id_supply_items")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_stock_batches_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_batches")),
    )
    with op.batch_alter_table("stock_batches", schema=None) as batch_op:
        batch_op.create_index("ix_stock_batches_item_id", ["item_id"], unique=False)

    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "received",
                "given_out",
                "used_in_response",
                "disposed",
                "counted",
                name="movementkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.Column("on_hand_after", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=120), nullable=True),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("submission_key", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["stock_batches.id"],
            name=op.f("fk_stock_movements_batch_id_stock_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["supply_items.id"], name=op.f("fk_stock_movements_item_id_supply_items")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_stock_movements_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_stock_movements_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_stock_movements_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_stock_movements_submission_key")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_movements_site_recorded", ["site_id", "recorded_at"], unique=False
        )

    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_hand", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("reorder_level", sa.Integer(), nullable=True))
    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.alter_column("on_hand", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.drop_column("reorder_level")
        batch_op.drop_column("on_hand")

    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_movements_site_recorded")

    op.drop_table("stock_movements")
    with op.batch_alter_table("stock_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_batches_item_id")

    op.drop_table("stock_batches")
