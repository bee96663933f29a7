"""The embargo scheduler: announces change-log entries whose time has come, with no write to
trigger them, exactly once however many app processes run it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import changes
from db.engine import unit_of_work
from db.events import ARTICLES, announce
from newsgraph.clock import Clock

logger = logging.getLogger(__name__)

Sleeper = Callable[[float], Awaitable[None]]
_BATCH = 100


class EmbargoScheduler:
    """Claims due entries in the database and announces them as publish events are announced.

    An article published under embargo is logged at once but shown from the embargo's end
    (db/changes.py); nothing is written when that moment comes, so nothing would tell live
    subscribers. The claim and the announcement share a transaction: the broker hears of
    the entry only once the claim commits, and a claim that fails announces nothing.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        poll_seconds: float,
        sleeper: Sleeper = asyncio.sleep,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._sleeper = sleeper

    async def announce_due(self) -> int:
        """Announce what is due now (up to a batch); how many entries this process claimed."""
        async with unit_of_work(self._sessions) as session:
            due = await changes.claim_due_announcements(session, self._clock.now(), _BATCH)
            for change in due:
                announce(session, ARTICLES, changes.announcement(change))
        return len(due)

    async def run(self) -> None:
        """Announce, then sleep (through the sleeper), until cancelled."""
        while True:
            try:
                while await self.announce_due() == _BATCH:
                    pass
            except Exception:
                # An outage must not end the loop: what is due stays due for the next pass.
                logger.exception("the embargo scheduler could not announce due entries")
            await self._sleeper(self._poll_seconds)
