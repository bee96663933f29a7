"""Stop a request's work when its client goes away, instead of finishing it for nobody."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request

# Most answers are ready sooner: watching only from then on spares them a task each, and a
# client that left earlier is noticed then, since its disconnect message is waiting.
WATCH_AFTER_SECONDS = 0.05


class ClientDisconnected(Exception):
    """The client closed the connection before its answer was ready."""


async def _disconnected(request: Request) -> None:
    # Started once the body has been read: the next message can only be the disconnect
    # (servers send it when the client leaves, or after the response is complete).
    while (await request.receive())["type"] != "http.disconnect":
        pass


@asynccontextmanager
async def cancelled_on_disconnect(request: Request) -> AsyncIterator[None]:
    """Run the block in the request's task; if the client disconnects first, cancel it (and the
    database statement it awaits) and raise ClientDisconnected.

    One watcher task per request, which cancels the request's own task: cheaper than running
    each awaited step as a task of its own and waiting on it beside the watcher. It starts
    after WATCH_AFTER_SECONDS, so the work of a fast request is never watched at all.
    """
    task = asyncio.current_task()
    assert task is not None
    left = False
    running = True
    watcher: asyncio.Task[None] | None = None

    def cancel_on_disconnect(watcher: asyncio.Task[None]) -> None:
        nonlocal left
        # `running`: a callback already scheduled when the block ended must not cancel
        # whatever the task does next.
        if running and not watcher.cancelled() and watcher.exception() is None:
            left = True
            task.cancel()

    def start_watching() -> None:
        nonlocal watcher
        watcher = asyncio.ensure_future(_disconnected(request))
        watcher.add_done_callback(cancel_on_disconnect)

    timer = asyncio.get_running_loop().call_later(WATCH_AFTER_SECONDS, start_watching)
    try:
        yield
    except asyncio.CancelledError:
        if not left:
            raise  # cancelled from outside (shutdown): not ours to absorb
        task.uncancel()
        raise ClientDisconnected from None
    finally:
        running = False
        timer.cancel()
        if watcher is not None:
            watcher.cancel()
