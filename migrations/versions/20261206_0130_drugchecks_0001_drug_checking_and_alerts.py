"""Drug checking and drug alerts: samples (by the digest of their code), their tests, findings,
result amendments, visit links and custody alerts; alerts with their sites, substances,
acknowledgements and the visits they were shown at; and the sites' settings for them (custody
limit, days a result can be read, the public alerts page and its opaque id).

Revision ID: drugchecks_0001
Revises: records_0001
Create Date: 2026-12-06 00:29:11
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "drugchecks_0001"
down_revision = "records_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drug_component_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column(
            "finding",
            sa.Enum(
                "fentanyl",
                "nitazenes",
                "xylazine",
                "benzodiazepines",
                name="finding",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_drug_component_options_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_component_options")),
        sa.UniqueConstraint("site_id", "code", name=op.f("uq_drug_component_options_site_id_code")),
    )
    op.create_table(
        "drug_samples",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("code_issued_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("expected_substance", sa.String(length=40), nullable=False),
        sa.Column(
            "form",
            sa.Enum(
                "powder",
                "crystal",
                "pill",
                "liquid",
                "blotter",
                "other",
                name="sampleform",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("colour", sa.String(length=40), nullable=True),
        sa.Column("markings", sa.String(length=120), nullable=True),
        sa.Column("received_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "as_expected",
                "unexpected",
                "inconclusive",
                name="resultoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("found_summary", sa.String(length=500), nullable=True),
        sa.Column("advice", sa.String(length=500), nullable=True),
        sa.Column(
            "decision",
            sa.Enum(
                "dispose",
                "use_less",
                "as_planned",
                "wont_say",
                name="clientdecision",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("result_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "custody",
            sa.Enum("handed_back", "disposed", name="custody", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("custody_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("custody_by_id", sa.Integer(), nullable=True),
        sa.Column("custody_correction_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["custody_by_id"], ["staff.id"], name=op.f("fk_drug_samples_custody_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["staff.id"], name=op.f("fk_drug_samples_received_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["result_by_id"], ["staff.id"], name=op.f("fk_drug_samples_result_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_drug_samples_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_samples")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_drug_samples_code_digest")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_drug_samples_submission_key")),
    )
    with op.batch_alter_table("drug_samples", schema=None) as batch_op:
        batch_op.create_index(
            "ix_drug_samples_awaiting_custody",
            ["site_id"],
            unique=False,
            sqlite_where=sa.text("custody IS NULL AND result_at IS NOT NULL"),
            postgresql_where=sa.text("custody IS NULL AND result_at IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_drug_samples_site_id_received_at", ["site_id", "received_at"], unique=False
        )

    op.create_table(
        "drug_alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("sold_as", sa.String(length=120), nullable=False),
        sa.Column("found", sa.String(length=300), nullable=False),
        sa.Column("colour", sa.String(length=60), nullable=True),
        sa.Column(
            "form",
            sa.Enum(
                "powder",
                "crystal",
                "pill",
                "liquid",
                "blotter",
                "other",
                name="sampleform",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("markings", sa.String(length=120), nullable=True),
        sa.Column("where_sold", sa.String(length=120), nullable=True),
        sa.Column("harms", sa.String(length=500), nullable=True),
        sa.Column("advice", sa.String(length=500), nullable=False),
        sa.Column(
            "severity",
            sa.Enum(
                "information", "warning", "danger", name="severity", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("starts_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdraw_reason", sa.String(length=200), nullable=True),
        sa.Column("ended_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["staff.id"], name=op.f("fk_drug_alerts_published_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["drug_samples.id"], name=op.f("fk_drug_alerts_sample_id_drug_samples")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["staff.id"], name=op.f("fk_drug_alerts_withdrawn_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_alerts")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_drug_alerts_submission_key")),
    )
    with op.batch_alter_table("drug_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_drug_alerts_ends_at", ["ends_at"], unique=False)

    op.create_table(
        "drug_custody_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raised_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["drug_samples.id"],
            name=op.f("fk_drug_custody_alerts_sample_id_drug_samples"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_drug_custody_alerts_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_custody_alerts")),
        sa.UniqueConstraint("sample_id", name=op.f("uq_drug_custody_alerts_sample_id")),
    )
    with op.batch_alter_table("drug_custody_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drug_custody_alerts_site_id"), ["site_id"], unique=False
        )

    op.create_table(
        "drug_result_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("amended_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("amended_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "previous_outcome",
            sa.Enum(
                "as_expected",
                "unexpected",
                "inconclusive",
                name="resultoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("previous_found_summary", sa.String(length=500), nullable=False),
        sa.Column("previous_advice", sa.String(length=500), nullable=False),
        sa.Column(
            "previous_decision",
            sa.Enum(
                "dispose",
                "use_less",
                "as_planned",
                "wont_say",
                name="clientdecision",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["amended_by_id"],
            ["staff.id"],
            name=op.f("fk_drug_result_amendments_amended_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["drug_samples.id"],
            name=op.f("fk_drug_result_amendments_sample_id_drug_samples"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_result_amendments")),
    )
    with op.batch_alter_table("drug_result_amendments", schema=None) as batch_op:
        batch_op.create_index("ix_drug_result_amendments_sample_id", ["sample_id"], unique=False)

    op.create_table(
        "drug_sample_findings",
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column(
            "finding",
            sa.Enum(
                "fentanyl",
                "nitazenes",
                "xylazine",
                "benzodiazepines",
                name="finding",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_unexpected", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["drug_samples.id"],
            name=op.f("fk_drug_sample_findings_sample_id_drug_samples"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sample_id", "finding", name=op.f("pk_drug_sample_findings")),
    )
    op.create_table(
        "drug_sample_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "reagent", "strip", "spectrometry", name="method", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column(
            "reagent",
            sa.Enum(
                "marquis",
                "mecke",
                "mandelin",
                "morris",
                "liebermann",
                "froehde",
                "simons",
                "ehrlich",
                name="reagent",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("colour", sa.String(length=20), nullable=True),
        sa.Column("colour_typed", sa.String(length=60), nullable=True),
        sa.Column(
            "strip",
            sa.Enum(
                "fentanyl",
                "benzodiazepines",
                "xylazine",
                "nitazenes",
                name="striptarget",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "reading",
            sa.Enum(
                "positive", "negative", "invalid", name="stripreading", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column(
            "technique",
            sa.Enum("ftir", "raman", name="technique", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("no_library_match", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("struck_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by_id", sa.Integer(), nullable=True),
        sa.Column("strike_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_drug_sample_tests_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["drug_samples.id"],
            name=op.f("fk_drug_sample_tests_sample_id_drug_samples"),
        ),
        sa.ForeignKeyConstraint(
            ["struck_by_id"], ["staff.id"], name=op.f("fk_drug_sample_tests_struck_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_sample_tests")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_drug_sample_tests_submission_key")),
    )
    with op.batch_alter_table("drug_sample_tests", schema=None) as batch_op:
        batch_op.create_index("ix_drug_sample_tests_sample_id", ["sample_id"], unique=False)

    op.create_table(
        "drug_alert_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["drug_alerts.id"],
            name=op.f("fk_drug_alert_acknowledgements_alert_id_drug_alerts"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_drug_alert_acknowledgements_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_drug_alert_acknowledgements_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_alert_acknowledgements")),
        sa.UniqueConstraint(
            "alert_id", "staff_id", name=op.f("uq_drug_alert_acknowledgements_alert_id_staff_id")
        ),
    )
    with op.batch_alter_table("drug_alert_acknowledgements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drug_alert_acknowledgements_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "drug_alert_sites",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["drug_alerts.id"],
            name=op.f("fk_drug_alert_sites_alert_id_drug_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_drug_alert_sites_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("alert_id", "site_id", name=op.f("pk_drug_alert_sites")),
    )
    with op.batch_alter_table("drug_alert_sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drug_alert_sites_site_id"), ["site_id"], unique=False)

    op.create_table(
        "drug_alert_substances",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["drug_alerts.id"],
            name=op.f("fk_drug_alert_substances_alert_id_drug_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", "code", name=op.f("pk_drug_alert_substances")),
    )
    with op.batch_alter_table("drug_alert_substances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drug_alert_substances_code"), ["code"], unique=False)

    op.create_table(
        "drug_sample_visits",
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("linked_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["staff.id"], name=op.f("fk_drug_sample_visits_linked_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["drug_samples.id"],
            name=op.f("fk_drug_sample_visits_sample_id_drug_samples"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_drug_sample_visits_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("sample_id", "visit_id", name=op.f("pk_drug_sample_visits")),
    )
    with op.batch_alter_table("drug_sample_visits", schema=None) as batch_op:
        batch_op.create_index("ix_drug_sample_visits_visit_id", ["visit_id"], unique=False)

    op.create_table(
        "drug_spectrum_components",
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column(
            "finding",
            sa.Enum(
                "fentanyl",
                "nitazenes",
                "xylazine",
                "benzodiazepines",
                name="finding",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("match_quality", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["test_id"],
            ["drug_sample_tests.id"],
            name=op.f("fk_drug_spectrum_components_test_id_drug_sample_tests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("test_id", "position", name=op.f("pk_drug_spectrum_components")),
    )
    op.create_table(
        "visit_alerts_shown",
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("shown_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("shown_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["drug_alerts.id"],
            name=op.f("fk_visit_alerts_shown_alert_id_drug_alerts"),
        ),
        sa.ForeignKeyConstraint(
            ["shown_by_id"], ["staff.id"], name=op.f("fk_visit_alerts_shown_shown_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_alerts_shown_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("visit_id", "alert_id", name=op.f("pk_visit_alerts_shown")),
    )
    with op.batch_alter_table("visit_alerts_shown", schema=None) as batch_op:
        batch_op.create_index("ix_visit_alerts_shown_alert_id", ["alert_id"], unique=False)

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("custody_alert_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(
            sa.Column("result_days", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(
            sa.Column(
                "public_alerts_enabled", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(sa.Column("public_id", sa.String(length=24), nullable=True))
    # Each existing site gets its own random public id, as new sites do (sites.models).
    sites = sa.table("sites", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    bind = op.get_bind()
    for (site_id,) in bind.execute(sa.select(sites.c.id)).all():
        bind.execute(
            sites.update().where(sites.c.id == site_id).values(public_id=secrets.token_urlsafe(9))
        )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("custody_alert_minutes", server_default=None)
        batch_op.alter_column("result_days", server_default=None)
        batch_op.alter_column("public_alerts_enabled", server_default=None)
        batch_op.alter_column("public_id", existing_type=sa.String(length=24), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_sites_public_id"), ["public_id"])


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_sites_public_id"), type_="unique")
        batch_op.drop_column("public_id")
        batch_op.drop_column("public_alerts_enabled")
        batch_op.drop_column("result_days")
        batch_op.drop_column("custody_alert_minutes")

    with op.batch_alter_table("visit_alerts_shown", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_alerts_shown_alert_id")

    op.drop_table("visit_alerts_shown")
    op.drop_table("drug_spectrum_components")
    with op.batch_alter_table("drug_sample_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_drug_sample_visits_visit_id")

    op.drop_table("drug_sample_visits")
    with op.batch_alter_table("drug_alert_substances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drug_alert_substances_code"))

    op.drop_table("drug_alert_substances")
    with op.batch_alter_table("drug_alert_sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drug_alert_sites_site_id"))

    op.drop_table("drug_alert_sites")
    with op.batch_alter_table("drug_alert_acknowledgements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drug_alert_acknowledgements_staff_id"))

    op.drop_table("drug_alert_acknowledgements")
    with op.batch_alter_table("drug_sample_tests", schema=None) as batch_op:
        batch_op.drop_index("ix_drug_sample_tests_sample_id")

    op.drop_table("drug_sample_tests")
    op.drop_table("drug_sample_findings")
    with op.batch_alter_table("drug_result_amendments", schema=None) as batch_op:
        batch_op.drop_index("ix_drug_result_amendments_sample_id")

    op.drop_table("drug_result_amendments")
    with op.batch_alter_table("drug_custody_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drug_custody_alerts_site_id"))

    op.drop_table("drug_custody_alerts")
    with op.batch_alter_table("drug_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_drug_alerts_ends_at")

    op.drop_table("drug_alerts")
    with op.batch_alter_table("drug_samples", schema=None) as batch_op:
        batch_op.drop_index("ix_drug_samples_site_id_received_at")
        batch_op.drop_index(
            "ix_drug_samples_awaiting_custody",
            sqlite_where=sa.text("custody IS NULL AND result_at IS NOT NULL"),
            postgresql_where=sa.text("custody IS NULL AND result_at IS NOT NULL"),
        )

    op.drop_table("drug_samples")
    op.drop_table("drug_component_options")
