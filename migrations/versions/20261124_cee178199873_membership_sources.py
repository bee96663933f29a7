"""Memberships supported by every article that states them; editor facts marked as such.

Revision ID: cee178199873
Revises: e343b0c9fd5b
Create Date: 2026-11-24 16:32:03.895021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cee178199873"
down_revision: str | None = "e343b0c9fd5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IDENTIFIER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "membership_sources",
        sa.Column("membership_id", _IDENTIFIER, nullable=False),
        sa.Column("article_id", _IDENTIFIER, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_membership_sources_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_membership_sources_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("membership_id", "article_id", name=op.f("pk_membership_sources")),
    )
    with op.batch_alter_table("membership_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_sources_article_id"), ["article_id"], unique=False
        )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("entered_by_editor", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Each sourced membership keeps its article as its one support. The rest were editor facts
    # (or lost their source to a deleted article, which showed them to everyone: they stay
    # shown, as editor facts, rather than vanish in a migration).
    op.execute(
        "INSERT INTO membership_sources (membership_id, article_id)"
        " SELECT id, source_article_id FROM memberships WHERE source_article_id IS NOT NULL"
    )
    op.execute(
        sa.text(
            "UPDATE memberships SET entered_by_editor = :editor WHERE source_article_id IS NULL"
        ).bindparams(editor=True)
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_source_article_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_memberships_source_article_id_articles"), type_="foreignkey"
        )
        batch_op.drop_column("source_article_id")


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_article_id", _IDENTIFIER, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_memberships_source_article_id_articles"),
            "articles",
            ["source_article_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_source_article_id"), ["source_article_id"], unique=False
        )
    # One source per membership again: the first supporting article. Editor facts have none.
    op.execute(
        sa.text(
            "UPDATE memberships SET source_article_id = (SELECT min(s.article_id)"
            " FROM membership_sources s WHERE s.membership_id = memberships.id)"
            " WHERE entered_by_editor = :editor"
        ).bindparams(editor=False)
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("entered_by_editor")
    with op.batch_alter_table("membership_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_sources_article_id"))
    op.drop_table("membership_sources")
