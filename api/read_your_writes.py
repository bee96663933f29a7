"""Read-your-writes across requests: a client that just wrote reads from the primary for a while.

A session that writes switches to the primary by itself (db/routing.py); the cookie set here
carries that to the same client's next requests, until replicas have caught up.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from db.routing import has_written, use_primary

COOKIE = "newsgraph_read_primary"


def prefer_primary_if_recent_writer(request: Request, session: AsyncSession) -> None:
    """Route the session to the primary when the client wrote within the window."""
    if request.cookies.get(COOKIE):
        use_primary(session)


def remember_write(session: AsyncSession, response: Response, window_seconds: int) -> Response:
    """Mark the client as a recent writer when its request wrote anything."""
    if has_written(session) and window_seconds > 0:
        response.set_cookie(
            COOKIE, "1", max_age=window_seconds, path="/graphql", httponly=True, samesite="lax"
        )
    return response
