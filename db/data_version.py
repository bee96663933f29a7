"""The data version: changed by every transaction that writes, in that same transaction.

The response cache (api/response_cache.py) keys answers by it, so an answer computed before a
write is never looked up after it. Three choices make that hold on every path:

- The version lives in the database (the one row of `data_version`), and the transaction
  that writes also replaces it: a write cannot commit without changing the version, and
  every process that writes, the API's workers as well as the CLI, ingestion or a feed
  worker without Redis configured, is covered by the same Session events below.
- A request reads the version through its own session, so on a read replica it reads the
  version of the data it is about to read, never a newer one (a version kept in Redis would
  run ahead of a lagging replica and label old rows with a new version).
- A new version is a random 63-bit value rather than a count: it never comes back, not
  after a backup is restored nor in another database sharing the same Redis.

Writes that bypass the Session (Core connections, raw DB-API as in bench/corpus.py's bulk
load) call `bump`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import TextClause

from db import models as m

# In Session.info: the session's transaction wrote something.
_WROTE = "newsgraph.wrote_data"


def _new_version() -> Any:
    return update(m.DataVersion).where(m.DataVersion.id == 1).values(version=secrets.randbits(63))


def bump(connection: Connection) -> None:
    """Change the version in `connection`'s transaction, for writes made without a Session."""
    connection.execute(_new_version())


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    # Raw text() may write too; only sessions that commit bump, so counting it costs little.
    if (
        state.is_insert
        or state.is_update
        or state.is_delete
        or isinstance(state.statement, TextClause)
    ):
        state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    # Flush what is pending first, so the version's row lock is the transaction's last and
    # is held only until the commit: two writers can then never wait on each other for it.
    session.flush()
    if session.info.get(_WROTE):
        session.execute(_new_version())


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # Only the outermost transaction's end settles it: a savepoint rolled back inside a
    # transaction that wrote before it must still bump the version at commit.
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


@dataclass(frozen=True)
class DataState:
    """What a cached answer depends on besides the question: the data and the next embargo lift."""

    version: int
    # The earliest embargo still in force: visibility changes then, without any write.
    next_embargo_lift: datetime | None


async def data_state(session: AsyncSession, now: datetime) -> DataState | None:
    """The current version and next embargo lift after `now`, in one statement; None when the
    database has no version row (it is not migrated to head)."""
    next_lift = (
        select(func.min(m.Article.embargoed_until))
        .where(
            m.Article.status == m.PublicationStatus.EMBARGOED,
            m.Article.embargoed_until > now,
        )
        .scalar_subquery()
    )
    statement = select(m.DataVersion.version, next_lift).where(m.DataVersion.id == 1)
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        return None
    return DataState(version=row[0], next_embargo_lift=row[1])
