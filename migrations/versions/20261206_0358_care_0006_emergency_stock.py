"""Emergency stock in the ledger: items not handed out on visits (every site is given "Naloxone
doses" and "Oxygen cylinders", the names its handover counts), and ledger lines that follow a
response-log entry (a naloxone dose used in a response).

Revision ID: care_0006
Revises: care_0005
Create Date: 2026-12-06 03:58:11.622243
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: supplies/models.py's EMERGENCY_STOCK as it was when this migration was written.
EMERGENCY_STOCK = (
    ("naloxone_doses", "Naloxone doses", "dose"),
    ("oxygen_cylinders", "Oxygen cylinders", "cylinder"),
)

revision = "care_0006"
down_revision = "care_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_action_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_stock_movements_incident_action_id_incident_actions"),
            "incident_actions",
            ["incident_action_id"],
            ["id"],
        )

    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_visits", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.alter_column("on_visits", server_default=None)

    items = sa.table(
        "supply_items",
        sa.column("site_id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("label", sa.String()),
        sa.column("unit", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("is_active", sa.Boolean()),
        sa.column("on_visits", sa.Boolean()),
        sa.column("on_hand", sa.Integer()),
    )
    bind = op.get_bind()
    site_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM sites"))]
    # Kept by a step down for the ledger lines that name them: not given twice.
    have = set(bind.execute(sa.text("SELECT site_id, code FROM supply_items")).tuples())
    rows = [
        {
            "site_id": site_id,
            "code": code,
            "label": label,
            "unit": unit,
            "position": position,
            "is_active": True,
            "on_visits": False,
            "on_hand": 0,
        }
        for site_id in site_ids
        for position, (code, label, unit) in enumerate(EMERGENCY_STOCK, start=50)
        if (site_id, code) not in have
    ]
    if rows:
        op.bulk_insert(items, rows)


def downgrade() -> None:
    op.execute(
        "DELETE FROM supply_items WHERE code IN ('naloxone_doses', 'oxygen_cylinders') "
        "AND id NOT IN (SELECT item_id FROM stock_movements) "
        "AND id NOT IN (SELECT item_id FROM visit_supplies)"
    )
    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.drop_column("on_visits")

    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_stock_movements_incident_action_id_incident_actions"), type_="foreignkey"
        )
        batch_op.drop_column("incident_action_id")
