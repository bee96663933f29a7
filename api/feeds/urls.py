"""The addresses syndication hands out: the public base URL and every article's identity."""

from __future__ import annotations

from starlette.requests import Request

NINJS_SUFFIX = ".ninjs.json"


def base_url(request: Request) -> str:
    """NEWSGRAPH_PUBLIC_URL when set, else the address the request came to; no trailing slash."""
    configured = request.app.state.settings.public_url
    return str(configured or request.base_url).rstrip("/")


def article_uri(request: Request, slug: str) -> str:
    """An article's identity in every feed: the address of its ninjs document."""
    return f"{base_url(request)}/articles/{slug}{NINJS_SUFFIX}"
