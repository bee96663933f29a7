"""One mention per span and entity, one vote position per person: what editor mutations
refuse as a CONFLICT, held by the database too so that concurrent edits cannot break it.

Revision ID: bf4c80f0b816
Revises: f037c76de1b8
Create Date: 2026-11-24 05:56:19.747673
"""

from collections.abc import Sequence

from alembic import op

revision: str = "bf4c80f0b816"
down_revision: str | None = "f037c76de1b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_mentions_organization_span",
            ["paragraph_id", "start_offset", "end_offset", "organization_id"],
        )
        batch_op.create_unique_constraint(
            "uq_mentions_person_span", ["paragraph_id", "start_offset", "end_offset", "person_id"]
        )

    with op.batch_alter_table("vote_positions", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_vote_positions_vote_id_person_id"), ["vote_id", "person_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("vote_positions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_vote_positions_vote_id_person_id"), type_="unique")

    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_mentions_person_span", type_="unique")
        batch_op.drop_constraint("uq_mentions_organization_span", type_="unique")
