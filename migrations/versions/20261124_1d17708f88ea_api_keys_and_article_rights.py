"""API keys (hashes only), article rights, the revision history and quotes' review flag.

Revision ID: 1d17708f88ea
Revises: 33de546230ce
Create Date: 2026-11-24 03:37:34.716121
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "1d17708f88ea"
down_revision: str | None = "33de546230ce"
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
    op.create_table(
        "revisions",
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column(
            "entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "action",
            sa.Enum(
                "create",
                "update",
                "correct",
                "publish",
                "unpublish",
                "delete",
                name="revision_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["api_keys.id"],
            name=op.f("fk_revisions_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
    )
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_revisions_entity", ["entity_type", "entity_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_revisions_key_id"), ["key_id"], unique=False)
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("needs_review", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("needs_review")
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisions_key_id"))
        batch_op.drop_index("ix_revisions_entity")
    op.drop_table("revisions")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("partners_may_republish")
        batch_op.drop_column("licence")
        batch_op.drop_column("copyright_holder")

    op.drop_table("api_keys")
