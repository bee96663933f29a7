"""The one error the HTTP syndication endpoints raise, answered as an RFC 9457 problem document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.viewers import Unauthenticated, viewer_of
from db.visibility import Viewer

PROBLEM_JSON = "application/problem+json"
# What a 401 must carry (RFC 9110 §11.6.1): how to authenticate.
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="newsgraph"'}


class FeedError(Exception):
    """A request that cannot be answered; `code` says which part of it was wrong."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers

    def response(self) -> Response:
        return JSONResponse(
            {
                "type": "about:blank",
                "status": self.status,
                "code": self.code,
                "detail": self.detail,
            },
            status_code=self.status,
            media_type=PROBLEM_JSON,
            headers=self.headers,
        )


Endpoint = Callable[[Request], Awaitable[Response]]


def answering_errors(endpoint: Endpoint) -> Endpoint:
    """`endpoint`, with its FeedErrors turned into problem responses."""

    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        except FeedError as error:
            return error.response()

    return answer


async def feed_viewer(request: Request, session: AsyncSession) -> Viewer:
    """Who a feed request reads as; a key that names no active key is a 401, never the public."""
    try:
        return await viewer_of(request, session)
    except Unauthenticated as error:
        raise FeedError(401, "UNAUTHENTICATED", str(error), CHALLENGE) from error
