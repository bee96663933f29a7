"""The data version row the response cache keys by; trigram indexes for substring filters.

`data_version` holds one row whose `version` every writing transaction replaces
(db/data_version.py); it starts at a random value like every later one.

PostgreSQL only: GIN trigram indexes (pg_trgm) for the filters that match a substring
(`LIKE '%…%'`), which no B-tree serves: `headlineContains` and the name and alias searches of
`organizations(search:)` and `persons(search:)`. The extension is created in `public`, so
that every schema of the database shares one (a schema dropped with CASCADE must not take
it along), unless it already exists; its operator class is then named with the schema it was
installed in. The role running migrations needs the CREATE privilege on the database
(pg_trgm is a trusted extension), or a DBA creates the extension beforehand. Downgrading
drops the indexes and leaves the extension, which other schemas may use.

Revision ID: 48e1055b4afe
Revises: bf4c80f0b816
Create Date: 2026-11-24 05:54:12.687726
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "48e1055b4afe"
down_revision: str | None = "bf4c80f0b816"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, column): the models declare them with db.base.trigram_index.
TRIGRAM_INDEXES = (
    ("ix_articles_headline_trigram", "articles", "headline"),
    ("ix_organizations_normalized_name_trigram", "organizations", "normalized_name"),
    ("ix_organization_aliases_normalized_trigram", "organization_aliases", "normalized"),
    ("ix_persons_normalized_name_trigram", "persons", "normalized_name"),
    ("ix_person_aliases_normalized_trigram", "person_aliases", "normalized"),
)


def upgrade() -> None:
    data_version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(data_version, [{"id": 1, "version": secrets.randbits(63)}])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    schema = bind.execute(
        sa.text(
            "SELECT quote_ident(nspname) FROM pg_extension "
            "JOIN pg_namespace ON pg_namespace.oid = extnamespace WHERE extname = 'pg_trgm'"
        )
    ).scalar_one()
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} {schema}.gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _ in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX {name}")
    op.drop_table("data_version")
