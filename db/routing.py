"""Read replicas: sessions read from a replica and write to the primary, which then serves
the rest of their reads (read-after-write)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Delete, Engine, Insert, Update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

_PRIMARY = "newsgraph.primary"
_REPLICA = "newsgraph.replica"
_WROTE = "newsgraph.wrote"


class RoutingSession(Session):
    """A Session whose statements go to the primary or to one replica, chosen per session.

    Writes (flushes and INSERT/UPDATE/DELETE statements) always go to the primary, and so does
    every statement after a session's first write, or after `use_primary`: a replica may lag
    behind what this session just wrote.
    """

    def __init__(self, *, primary: Engine, replicas: Sequence[Engine] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._primary_engine = primary
        self._replica_engines = tuple(replicas)

    def get_bind(self, mapper: Any = None, clause: Any = None, **kwargs: Any) -> Engine:
        if self._flushing or isinstance(clause, Insert | Update | Delete):
            self.info[_WROTE] = True
        if not self._replica_engines or self.info.get(_WROTE) or self.info.get(_PRIMARY):
            return self._primary_engine
        # One replica for the whole session, so its reads see one consistent snapshot.
        replica = self.info.get(_REPLICA)
        if replica is None:
            replica = self.info[_REPLICA] = random.choice(self._replica_engines)
        chosen: Engine = replica
        return chosen


def routed_sessions(
    primary: AsyncEngine, replicas: Sequence[AsyncEngine] = ()
) -> async_sessionmaker[AsyncSession]:
    """Sessions over the primary and its replicas (just the primary when there are none)."""
    # Objects outlive the commit that wrote them (GraphQL payloads are built after it).
    return async_sessionmaker(
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=RoutingSession,
        primary=primary.sync_engine,
        replicas=[replica.sync_engine for replica in replicas],
    )


def use_primary(session: AsyncSession) -> None:
    """Send the session's remaining statements to the primary (the caller just wrote)."""
    session.sync_session.info[_PRIMARY] = True


def has_written(session: AsyncSession) -> bool:
    """Whether the session sent a write to the primary."""
    return bool(session.sync_session.info.get(_WROTE))


def bound_engine(session: AsyncSession) -> Engine:
    """The engine the session's next read goes to (its replica, or the primary)."""
    engine = session.sync_session.get_bind()
    assert isinstance(engine, Engine)
    return engine
