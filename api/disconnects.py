"""Stop a request's work when its client goes away, instead of finishing it for nobody."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from starlette.requests import Request

T = TypeVar("T")


class ClientDisconnected(Exception):
    """The client closed the connection before its answer was ready."""


async def _disconnected(request: Request) -> None:
    # Called once the body has been read: the next message can only be the disconnect
    # (servers send it when the client leaves, or after the response is complete).
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """`work`'s result; cancels it (and the database statement it awaits) and raises
    ClientDisconnected if the client disconnects first."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(request))
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        watcher.cancel()
    if task in done:
        return task.result()
    task.cancel()
    # Let the work unwind (sessions close, psycopg cancels the statement on the server).
    await asyncio.gather(task, return_exceptions=True)
    raise ClientDisconnected
