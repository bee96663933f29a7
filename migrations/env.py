"""Alembic environment: the URL comes from newsgraph's Settings unless a connection is given."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from db.engine import create_sync_engine
from db.models import Base
from newsgraph.settings import Settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


# Full-text search lives in objects the models cannot describe: an FTS5 table (and its
# shadow tables) on SQLite, generated tsvector columns and their GIN indexes on PostgreSQL.
# Autogenerate would propose dropping them, so it leaves them out of the comparison.
def include_object(
    object_: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if name is None:
        return True
    # Indexes for one engine only (db.base.postgresql_index) are left alone on the others.
    only_on = getattr(object_, "info", {}).get("dialect")
    if type_ == "index" and only_on and only_on != context.get_bind().dialect.name:
        return False
    if type_ == "table":
        return not name.startswith("search_index")
    if type_ == "column":
        return name != "search_vector"
    if type_ == "index":
        return not name.endswith("_search_vector")
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=Settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_sync_engine(config.attributes.get("settings") or Settings())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Connection) -> None:
    # Batch mode lets SQLite alter tables by copy-and-move; PostgreSQL runs plain ALTERs.
    # The move drops the old table, which with foreign keys enforced would cascade-delete
    # every row pointing at it: SQLite migrates with them off and checks them afterwards.
    # (The pragma is ignored inside a transaction, so it is set before one begins.)
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # end the transaction the pragma began, so alembic begins its own
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with dangling foreign keys: {broken}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
