"""Partner webhooks: owners, chosen events and pausing; change-log entries announced on time.

Revision ID: 64d0d695179c
Revises: 48e1055b4afe
Create Date: 2026-11-24 05:54:06.594340
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "64d0d695179c"
down_revision: str | None = "48e1055b4afe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = ("article.published", "article.corrected", "article.withdrawn", "article.deleted")


def _event_enum() -> sa.Enum:
    return sa.Enum(
        *EVENTS, name="webhook_event", native_enum=False, create_constraint=True, length=32
    )


def upgrade() -> None:
    op.create_table(
        "webhook_event_subscriptions",
        sa.Column(
            "webhook_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("event", _event_enum(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_event_subscriptions_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_event_subscriptions")),
        sa.UniqueConstraint(
            "webhook_id", "event", name=op.f("uq_webhook_event_subscriptions_webhook_id_event")
        ),
    )
    with op.batch_alter_table("article_changes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("announced_at", db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_article_changes_announced_at_visible_from",
            ["announced_at", "visible_from"],
            unique=False,
        )

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "event",
            existing_type=sa.VARCHAR(length=64),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            op.f("ck_webhook_deliveries_webhook_event"), sa.column("event").in_(EVENTS)
        )

    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_webhooks_key_id"), ["key_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_webhooks_key_id_api_keys"),
            "api_keys",
            ["key_id"],
            ["id"],
            ondelete="CASCADE",
        )

    # Webhooks registered before events could be chosen receive every event, as they did.
    for event in EVENTS:
        op.execute(
            sa.text(
                "INSERT INTO webhook_event_subscriptions (webhook_id, event) "
                "SELECT id, :event FROM webhooks"
            ).bindparams(event=event)
        )
    # Entries already visible were announced when recorded, or (an embargo that lifted with
    # no scheduler running) are too old to announce now; entries still under embargo wait.
    changes = sa.table(
        "article_changes",
        sa.column("announced_at", db.base.UTCDateTime(timezone=True)),
        sa.column("visible_from", db.base.UTCDateTime(timezone=True)),
    )
    op.execute(
        changes.update()
        .where(
            changes.c.visible_from
            <= sa.bindparam("now", datetime.now(UTC), type_=db.base.UTCDateTime())
        )
        .values(announced_at=changes.c.visible_from)
    )


def downgrade() -> None:
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_webhooks_key_id_api_keys"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_webhooks_key_id"))
        batch_op.drop_column("key_id")
        batch_op.drop_column("paused")

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_webhook_deliveries_webhook_event"), type_="check")
        batch_op.alter_column(
            "event",
            existing_type=sa.String(length=32),
            type_=sa.VARCHAR(length=64),
            existing_nullable=False,
        )

    with op.batch_alter_table("article_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_article_changes_announced_at_visible_from")
        batch_op.drop_column("announced_at")

    op.drop_table("webhook_event_subscriptions")
