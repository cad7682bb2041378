"""Client-code key rotation: which key each client's digest is under, and the old keys an
admin retired.

Revision ID: audit_0002
Revises: audit_0001
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "audit_0002"
down_revision = "audit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retired_code_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("retired_at", sitesys.db.UTCDateTime(), nullable=False),
        sa.Column("clients_left", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_retired_code_keys")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_key_id", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_clients_code_key_id"), ["code_key_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_code_key_id"))
        batch_op.drop_column("code_key_id")
    op.drop_table("retired_code_keys")
