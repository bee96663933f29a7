"""API keys (hashes only) and each article's rights: copyright holder, licence, republishing.

Revision ID: 1d17708f88ea
Revises: 5d7690e158d9
Create Date: 2026-11-24 03:37:34.716121
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "1d17708f88ea"
down_revision: str | None = "5d7690e158d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "partner",
                "editor",
                name="key_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_keys_secret_hash")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copyright_holder", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("licence", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "partners_may_republish", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("partners_may_republish")
        batch_op.drop_column("licence")
        batch_op.drop_column("copyright_holder")

    op.drop_table("api_keys")
