"""Supplies with quantities: each site's catalogue (every existing site is given the default
items, as a new site is) and the quantities given on visits. Every kit ticked on a visit before
(sterile kit, snorting kit, foil, naloxone kit) is carried over as a quantity of 1, recorded when
and by whom it was ticked; a naloxone kit, whose kind was not recorded, goes to a hidden item
"Naloxone kit (kind not recorded)". The ticks themselves are kept in visit_services, so stepping
down loses nothing.

Revision ID: care_0004
Revises: care_0003
Create Date: 2026-12-06 03:41:10.783700
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

#: supplies/models.py's DEFAULT_SUPPLIES as they were when this migration was written.
DEFAULT_SUPPLIES = (
    ("sterile_kit", "Sterile injecting kit", "kit"),
    ("snorting_kit", "Snorting kit / straws", "kit"),
    ("foil", "Foil", "sheet"),
    ("pipe", "Pipe", "pipe"),
    ("fentanyl_strips", "Fentanyl test strips", "strip"),
    ("naloxone_in", "Naloxone kit (intranasal)", "kit"),
    ("naloxone_im", "Naloxone kit (intramuscular)", "kit"),
    ("condoms", "Condoms", "condom"),
    ("sharps_bin", "Sharps bin", "bin"),
    ("water", "Water", "bottle"),
)
NALOXONE_UNSPECIFIED = ("naloxone_kit", "Naloxone kit (kind not recorded)", "kit")
#: The service ticks that were supplies, and the item each becomes.
TICKED = {
    "sterile_kit": "sterile_kit",
    "snorting_kit": "snorting_kit",
    "foil": "foil",
    "naloxone_kit": "naloxone_kit",
}

revision = "care_0004"
down_revision = "care_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supply_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_supply_items_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_items")),
        sa.UniqueConstraint("site_id", "code", name=op.f("uq_supply_items_site_id_code")),
    )
    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supply_items_site_id"), ["site_id"], unique=False)

    op.create_table(
        "visit_supplies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["staff.id"], name=op.f("fk_visit_supplies_changed_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["supply_items.id"], name=op.f("fk_visit_supplies_item_id_supply_items")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_visit_supplies_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_visit_supplies_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_supplies_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_supplies")),
        sa.UniqueConstraint("visit_id", "item_id", name=op.f("uq_visit_supplies_visit_id_item_id")),
    )
    with op.batch_alter_table("visit_supplies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_supplies_site_recorded", ["site_id", "recorded_at"], unique=False
        )

    bind = op.get_bind()
    items = sa.table(
        "supply_items",
        sa.column("site_id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("label", sa.String()),
        sa.column("unit", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("is_active", sa.Boolean()),
    )
    site_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM sites"))]
    rows = [
        {
            "site_id": site_id,
            "code": code,
            "label": label,
            "unit": unit,
            "position": position,
            "is_active": True,
        }
        for site_id in site_ids
        for position, (code, label, unit) in enumerate(DEFAULT_SUPPLIES)
    ]
    with_naloxone = [
        row[0]
        for row in bind.execute(
            sa.text(
                "SELECT DISTINCT v.site_id FROM visit_services s "
                "JOIN visits v ON v.id = s.visit_id WHERE s.service = 'naloxone_kit'"
            )
        )
    ]
    code, label, unit = NALOXONE_UNSPECIFIED
    rows += [
        {
            "site_id": site_id,
            "code": code,
            "label": label,
            "unit": unit,
            "position": 99,
            "is_active": False,
        }
        for site_id in with_naloxone
    ]
    if rows:
        op.bulk_insert(items, rows)
    for tick, item_code in TICKED.items():
        bind.execute(
            sa.text(
                "INSERT INTO visit_supplies "
                "(site_id, visit_id, item_id, quantity, recorded_at, recorded_by_id) "
                "SELECT v.site_id, s.visit_id, i.id, 1, s.recorded_at, s.recorded_by_id "
                "FROM visit_services s "
                "JOIN visits v ON v.id = s.visit_id "
                "JOIN supply_items i ON i.site_id = v.site_id AND i.code = :item_code "
                "WHERE s.service = :tick"
            ),
            {"tick": tick, "item_code": item_code},
        )


def downgrade() -> None:
    with op.batch_alter_table("visit_supplies", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_supplies_site_recorded")

    op.drop_table("visit_supplies")
    with op.batch_alter_table("supply_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_items_site_id"))

    op.drop_table("supply_items")
