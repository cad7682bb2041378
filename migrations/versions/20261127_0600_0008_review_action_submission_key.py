"""A submission key on review actions, so that a resubmitted form adds one action, not two.

Actions added before this revision have no key (NULL): unique constraints allow many NULLs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_review_actions_submission_key"), ["submission_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_review_actions_submission_key"), type_="unique")
        batch_op.drop_column("submission_key")
