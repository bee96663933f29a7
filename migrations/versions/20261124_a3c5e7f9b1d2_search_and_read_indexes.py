"""Full-text search over headlines, paragraphs and quotes; an index for every filter and sort.

PostgreSQL: a stored, generated `search_vector` tsvector column on articles (the headline,
weighted A), paragraphs and quotes (their text), each with a GIN index; PostgreSQL keeps
them in sync with every write.

SQLite: one FTS5 table, `search_index`, holding each headline, paragraph and quote once,
kept in sync by triggers. Its rowid encodes where an entry comes from (id * 4 + kind:
0 headline, 1 paragraph, 2 quote) so a trigger replaces an entry by rowid, not by a scan.

Neither engine's objects can be described by the SQLAlchemy models, so migrations/env.py
leaves them out of autogenerate's comparison.

The read indexes back the API's filters and orders (bench/explain.py shows the plans).
The `*_newest_first` ones are PostgreSQL's only (db.base.postgresql_index): it cannot walk
an ascending index as DESC NULLS LAST, while SQLite can.

Revision ID: a3c5e7f9b1d2
Revises: 1d17708f88ea
Create Date: 2026-11-24 03:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c5e7f9b1d2"
down_revision: str | None = "1d17708f88ea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the tsvector it gets) on PostgreSQL.
POSTGRES_VECTORS = (
    ("articles", "setweight(to_tsvector('english', headline), 'A')"),
    ("paragraphs", "to_tsvector('english', text)"),
    ("quotes", "to_tsvector('english', text)"),
)

SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE search_index USING fts5(
        headline, body, article_id UNINDEXED, paragraph_id UNINDEXED,
        tokenize = 'porter unicode61'
    )
    """,
    # Headlines: kind 0.
    """
    CREATE TRIGGER search_index_article_insert AFTER INSERT ON articles BEGIN
        INSERT INTO search_index (rowid, headline, body, article_id, paragraph_id)
        VALUES (new.id * 4, new.headline, '', new.id, NULL);
    END
    """,
    """
    CREATE TRIGGER search_index_article_update AFTER UPDATE OF headline ON articles BEGIN
        DELETE FROM search_index WHERE rowid = old.id * 4;
        INSERT INTO search_index (rowid, headline, body, article_id, paragraph_id)
        VALUES (new.id * 4, new.headline, '', new.id, NULL);
    END
    """,
    """
    CREATE TRIGGER search_index_article_delete AFTER DELETE ON articles BEGIN
        DELETE FROM search_index WHERE rowid = old.id * 4;
    END
    """,
    # Paragraphs: kind 1.
    """
    CREATE TRIGGER search_index_paragraph_insert AFTER INSERT ON paragraphs BEGIN
        INSERT INTO search_index (rowid, headline, body, article_id, paragraph_id)
        VALUES (new.id * 4 + 1, '', new.text, new.article_id, new.id);
    END
    """,
    """
    CREATE TRIGGER search_index_paragraph_update AFTER UPDATE OF text, article_id ON paragraphs
    BEGIN
        DELETE FROM search_index WHERE rowid = old.id * 4 + 1;
        INSERT INTO search_index (rowid, headline, body, article_id, paragraph_id)
        VALUES (new.id * 4 + 1, '', new.text, new.article_id, new.id);
    END
    """,
    """
    CREATE TRIGGER search_index_paragraph_delete AFTER DELETE ON paragraphs BEGIN
        DELETE FROM search_index WHERE rowid = old.id * 4 + 1;
    END
    """,
    # Quotes: kind 2.
    """
    CREATE TRIGGER search_index_quote_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO search_index (rowid, headline, body, article_id, paragraph_id)
        VALUES (
            new.id * 4 + 2, '', new.text,
            (SELECT article_id FROM paragraphs WHERE id = new.paragraph_id), new.paragraph_id
        );
    END
    """,
    """
    CREATE TRIGGER search_index_quote_update AFTER UPDATE OF text, paragraph_id ON quotes BEGIN
        DELETE FROM search_index WHERE rowid = old.id * 4 + 2;
        INSERT INTO search_index (rowid, headline, body, article_id, paragraph_id)
        VALUES (
            new.id * 4 + 2, '', new.text,
            (SELECT article_id FROM paragraphs WHERE id = new.paragraph_id), new.paragraph_id
        );
    END
    """,
    """
    CREATE TRIGGER search_index_quote_delete AFTER DELETE ON quotes BEGIN
        DELETE FROM search_index WHERE rowid = old.id * 4 + 2;
    END
    """,
    # What was written before this revision.
    """
    INSERT INTO search_index (rowid, headline, body, article_id, paragraph_id)
    SELECT id * 4, headline, '', id, NULL FROM articles
    UNION ALL
    SELECT id * 4 + 1, '', text, article_id, id FROM paragraphs
    UNION ALL
    SELECT q.id * 4 + 2, '', q.text, p.article_id, q.paragraph_id
    FROM quotes q JOIN paragraphs p ON p.id = q.paragraph_id
    """,
)

SQLITE_TRIGGERS = tuple(
    f"search_index_{source}_{event}"
    for source in ("article", "paragraph", "quote")
    for event in ("insert", "update", "delete")
)


# (table, index, columns) on both engines.
READ_INDEXES = (
    ("articles", "ix_articles_language_published_at", ["language", "published_at"]),
    ("articles", "ix_articles_status_embargoed_until", ["status", "embargoed_until"]),
    ("organizations", "ix_organizations_kind_normalized_name", ["kind", "normalized_name"]),
    ("statements", "ix_statements_confidence", ["confidence"]),
    ("statements", "ix_statements_verified", ["verified"]),
    ("votes", "ix_votes_status", ["status"]),
)


def _newest_first(date: str, *leading: str) -> list[object]:
    return [*leading, sa.literal_column(f"{date} DESC NULLS LAST"), sa.literal_column("id DESC")]


# (table, index, columns) on PostgreSQL only.
POSTGRES_ORDER_INDEXES = (
    ("articles", "ix_articles_newest_first", _newest_first("published_at")),
    ("statements", "ix_statements_newest_first", _newest_first("issued_on")),
    (
        "statements",
        "ix_statements_speaker_organization_newest_first",
        _newest_first("issued_on", "speaker_organization_id"),
    ),
    (
        "statements",
        "ix_statements_speaker_person_newest_first",
        _newest_first("issued_on", "speaker_person_id"),
    ),
    ("votes", "ix_votes_newest_first", _newest_first("held_on")),
    ("votes", "ix_votes_body_newest_first", _newest_first("held_on", "body_id")),
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, name, columns in READ_INDEXES + (POSTGRES_ORDER_INDEXES if postgres else ()):
        op.create_index(name, table, columns)
    if postgres:
        for table, vector in POSTGRES_VECTORS:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                f"GENERATED ALWAYS AS ({vector}) STORED"
            )
            op.execute(
                f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)"
            )
    else:
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, name, _ in READ_INDEXES + (POSTGRES_ORDER_INDEXES if postgres else ()):
        op.drop_index(name, table_name=table)
    if postgres:
        for table, _ in POSTGRES_VECTORS:
            op.execute(f"DROP INDEX ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE search_index")
