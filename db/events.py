"""Events a transaction announces, handed to a publisher only once the transaction commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

ARTICLES = "articles"
STATEMENTS = "statements"

Message = dict[str, Any]
Publisher = Callable[[list[tuple[str, Message]]], None]

# Keys in Session.info: the sessionmaker supplies the publisher; announce() fills the queue.
PUBLISHER = "newsgraph.publisher"
_PENDING = "newsgraph.pending_events"


def announce(session: Any, channel: str, message: Message) -> None:
    """Queue `message` for `channel`: subscribers hear of it after commit, never after a rollback.

    `session` is an AsyncSession or a Session; sessions without a publisher (the CLI's,
    migrations') drop their events at commit.
    """
    info = session.info
    info.setdefault(_PENDING, []).append((channel, message))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    publish: Publisher | None = session.info.get(PUBLISHER)
    if pending and publish is not None:
        publish(pending)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
