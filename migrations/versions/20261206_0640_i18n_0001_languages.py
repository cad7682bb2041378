"""Languages: each member of staff's own, a site's default and client languages, and its code
recipe in each of them.

Revision ID: i18n_0001
Revises: care_0007
Create Date: 2026-12-06 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i18n_0001"
down_revision = "care_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), nullable=True))
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "default_language", sa.String(length=10), server_default="en_GB", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "client_languages", sa.String(length=60), server_default="en_GB", nullable=False
            )
        )
        batch_op.add_column(sa.Column("code_hints", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("code_hints")
        batch_op.drop_column("client_languages")
        batch_op.drop_column("default_language")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("language")
