"""The context of one WebSocket connection: a fresh session, viewer and loaders for every event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket

from api.context import RequestContext
from api.errors import ClientError
from api.loaders import Loaders
from api.viewers import viewer_of
from db.visibility import Viewer
from newsgraph.settings import Settings

# Every subscription of a connection runs in an asyncio task of its own, and resolves the
# fields of each event inside it: a ContextVar keeps their sessions and loaders apart.
_EVENT: ContextVar[RequestContext] = ContextVar("newsgraph_live_event")


class LiveContext:
    """What resolvers reach during a subscription, read per event rather than per connection.

    A connection lives for hours: one session for it would hold a pooled connection that
    long, and its loaders would keep serving the rows they cached at the start. Each event
    therefore opens its own session, reads as the viewer at that moment (an embargo may have
    lifted) and gets new loaders.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        websocket: WebSocket,
        broker: Any,
    ) -> None:
        self._sessions = sessions
        self.settings = settings
        self.websocket = websocket
        self.broker = broker
        self.request = None

    @asynccontextmanager
    async def event(self) -> AsyncIterator[RequestContext]:
        """The session and loaders for one event; resolvers use them until the next one."""
        async with self._sessions() as session:
            # The key is checked again for every event: a revoked key stops receiving.
            viewer = await viewer_of(self.websocket, session)
            current = RequestContext(session=session, settings=self.settings, viewer=viewer)
            # Set, never reset: a subscription that is cancelled while suspended here is
            # closed from another task, where the reset token would not be valid.
            _EVENT.set(current)
            yield current

    @property
    def session(self) -> AsyncSession:
        return _current().session

    @property
    def viewer(self) -> Viewer:
        return _current().viewer

    @property
    def loaders(self) -> Loaders:
        return _current().loaders


def _current() -> RequestContext:
    try:
        return _EVENT.get()
    except LookupError:
        # Only a subscription opens an event; a query sent over the socket has none.
        raise ClientError(
            "Over WebSocket only subscriptions run: send queries and mutations to /graphql "
            "over HTTP."
        ) from None
