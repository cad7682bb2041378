"""The versions of editable clinical records (draft reports, reviews, handover drafts): each
save that changed something is kept, with who saved it and when. Never deleted: the database
refuses a DELETE, as it does on the audit trail.

Revision ID: records_0001
Revises: 0009
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "records_0001"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_by_id"], ["staff.id"], name=op.f("fk_record_versions_saved_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_record_versions_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_versions")),
        sa.UniqueConstraint(
            "record_type",
            "record_id",
            "part",
            "number",
            name=op.f("uq_record_versions_record_type_record_id_part_number"),
        ),
    )
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_versions_site_id"), ["site_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION sitesys_refuse_version_delete() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'record versions are never deleted'; END $$"
        )
        op.execute(
            "CREATE TRIGGER record_versions_kept BEFORE DELETE ON record_versions "
            "FOR EACH ROW EXECUTE FUNCTION sitesys_refuse_version_delete()"
        )
    else:
        op.execute(
            "CREATE TRIGGER record_versions_kept BEFORE DELETE ON record_versions "
            "BEGIN SELECT RAISE(ABORT, 'record versions are never deleted'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER record_versions_kept ON record_versions")
        op.execute("DROP FUNCTION sitesys_refuse_version_delete()")
    else:
        op.execute("DROP TRIGGER record_versions_kept")
    with op.batch_alter_table("record_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_versions_site_id"))
    op.drop_table("record_versions")
