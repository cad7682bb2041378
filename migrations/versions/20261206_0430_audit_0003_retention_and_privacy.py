"""Retention and the privacy notice: how long a site keeps free text and clients' codes, and
the operator's contact and legal basis shown on /privacy.

Revision ID: audit_0003
Revises: care_0006
Create Date: 2026-12-06 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audit_0003"
down_revision = "care_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retain_notes_years", sa.Integer(), server_default="8", nullable=False)
        )
        batch_op.add_column(
            sa.Column("retain_clients_years", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(
            sa.Column("privacy_contact", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "privacy_legal_basis", sa.String(length=500), server_default="", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("privacy_legal_basis")
        batch_op.drop_column("privacy_contact")
        batch_op.drop_column("retain_clients_years")
        batch_op.drop_column("retain_notes_years")
