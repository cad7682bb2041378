"""Check-in: clients, safety flags, visits, substances pick-list, client code recipe.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 23:45:44.617581
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

# Copied here, not imported: a migration must keep meaning what it meant when written.
CODE_HINT = (
    "First two letters of your first name, first two letters of your mother's first name, "
    "and the day of the month you were born (two digits). Example: JOMA07."
)
CODE_PATTERN = "[A-Z]{4}[0-9]{2}"
SUBSTANCES = (
    ("ketamine", "Ketamine"),
    ("heroin", "Heroin"),
    ("fentanyl", "Fentanyl"),
    ("cocaine", "Cocaine"),
    ("crack", "Crack"),
    ("methamphetamine", "Methamphetamine"),
    ("mdma", "MDMA"),
    ("benzodiazepines", "Benzodiazepines"),
    ("ghb_gbl", "GHB/GBL"),
    ("nitazenes", "Nitazenes"),
    ("unknown", "Unknown"),
    ("other", "Other"),
)
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("display_tag", sa.String(length=40), nullable=False),
        sa.Column(
            "age_band",
            sa.Enum(
                "18_24",
                "25_34",
                "35_44",
                "45_54",
                "55_64",
                "65_plus",
                "prefer_not_to_say",
                name="ageband",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "gender",
            sa.Enum(
                "woman",
                "man",
                "non_binary",
                "another",
                "prefer_not_to_say",
                name="gender",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_clients_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("site_id", "code_digest", name=op.f("uq_clients_site_id_code_digest")),
        sa.UniqueConstraint("site_id", "display_tag", name=op.f("uq_clients_site_id_display_tag")),
    )
    op.create_table(
        "substance_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_substance_options_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_substance_options")),
        sa.UniqueConstraint("site_id", "code", name=op.f("uq_substance_options_site_id_code")),
    )
    with op.batch_alter_table("substance_options", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_substance_options_site_id"), ["site_id"], unique=False)

    op.create_table(
        "client_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "seizure_history",
                "allergy",
                "clinical_note",
                "service_restriction",
                name="flagkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removal_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_flags_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_client_flags_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"], ["staff.id"], name=op.f("fk_client_flags_removed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_flags")),
    )
    with op.batch_alter_table("client_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_flags_client_id"), ["client_id"], unique=False)

    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "in_booth",
                "aftercare",
                "left",
                "left_without_checkout",
                name="visitstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("booth_id", sa.Integer(), nullable=True),
        sa.Column(
            "route",
            sa.Enum(
                "inject",
                "smoke",
                "snort",
                "oral",
                "other",
                name="route",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "drug_checked",
            sa.Enum("yes", "no", "declined", name="drugchecked", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("checked_in_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("booth_entered_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("aftercare_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("left_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("restriction_override_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["booth_id"], ["booths.id"], name=op.f("fk_visits_booth_id_booths")
        ),
        sa.ForeignKeyConstraint(
            ["checked_in_by_id"], ["staff.id"], name=op.f("fk_visits_checked_in_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_visits_client_id_clients")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_visits_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_visits_submission_key")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visits_client_checked_in_at", ["client_id", "checked_in_at"], unique=False
        )
        batch_op.create_index(
            "ix_visits_site_checked_in_at", ["site_id", "checked_in_at"], unique=False
        )
        batch_op.create_index(
            "ix_visits_site_open",
            ["site_id", "status"],
            unique=False,
            sqlite_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
            postgresql_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
        )
        batch_op.create_index(
            "uq_visits_booth_in_use",
            ["booth_id"],
            unique=True,
            sqlite_where=sa.text("status = 'in_booth'"),
            postgresql_where=sa.text("status = 'in_booth'"),
        )
        batch_op.create_index(
            "uq_visits_client_open",
            ["client_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
            postgresql_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
        )

    op.create_table(
        "visit_services",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "sterile_kit",
                "snorting_kit",
                "foil",
                "naloxone_kit",
                "education",
                "referral_offered",
                name="servicegiven",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_visit_services_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_services_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "service", name=op.f("pk_visit_services")),
    )
    op.create_table(
        "visit_substances",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_substances_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "code", name=op.f("pk_visit_substances")),
    )
    # Existing sites get the default recipe (through a temporary server default) and pick-list.
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("code_hint", sa.String(length=300), nullable=False, server_default=CODE_HINT)
        )
        batch_op.add_column(
            sa.Column(
                "code_pattern", sa.String(length=200), nullable=False, server_default=CODE_PATTERN
            )
        )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("code_hint", server_default=None)
        batch_op.alter_column("code_pattern", server_default=None)
    sites = sa.table("sites", sa.column("id", sa.Integer))
    options = sa.table(
        "substance_options",
        sa.column("site_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
    )
    site_ids = [row[0] for row in op.get_bind().execute(sa.select(sites.c.id))]
    rows = [
        {"site_id": site_id, "code": code, "label": label, "position": position, "is_active": True}
        for site_id in site_ids
        for position, (code, label) in enumerate(SUBSTANCES)
    ]
    if rows:
        op.bulk_insert(options, rows)


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("code_pattern")
        batch_op.drop_column("code_hint")

    op.drop_table("visit_substances")
    op.drop_table("visit_services")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_visits_client_open",
            sqlite_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
            postgresql_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
        )
        batch_op.drop_index(
            "uq_visits_booth_in_use",
            sqlite_where=sa.text("status = 'in_booth'"),
            postgresql_where=sa.text("status = 'in_booth'"),
        )
        batch_op.drop_index(
            "ix_visits_site_open",
            sqlite_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
            postgresql_where=sa.text("status IN ('waiting', 'in_booth', 'aftercare')"),
        )
        batch_op.drop_index("ix_visits_site_checked_in_at")
        batch_op.drop_index("ix_visits_client_checked_in_at")

    op.drop_table("visits")
    with op.batch_alter_table("client_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_flags_client_id"))

    op.drop_table("client_flags")
    with op.batch_alter_table("substance_options", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_substance_options_site_id"))

    op.drop_table("substance_options")
    op.drop_table("clients")
