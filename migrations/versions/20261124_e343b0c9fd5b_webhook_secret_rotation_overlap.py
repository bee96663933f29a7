"""A webhook's previous secret and when it stops signing: a rotation may overlap the old
secret with the new one, so that receivers switch without refusing deliveries.

Revision ID: e343b0c9fd5b
Revises: 64d0d695179c
Create Date: 2026-11-24 16:44:38.313891
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "e343b0c9fd5b"
down_revision: str | None = "64d0d695179c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column(
                "previous_secret_expires_at", db.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.drop_column("previous_secret_expires_at")
        batch_op.drop_column("previous_secret")
