"""Who is asking: the Viewer a request reads as, from the API key it carries (if any)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from db import models as m
from db.keys import active_key
from db.visibility import Role, Viewer

_ROLES = {m.KeyRole.PARTNER: Role.PARTNER, m.KeyRole.EDITOR: Role.EDITOR}


class Unauthenticated(Exception):
    """The request carries a key that names no active key: answered 401, never read as public."""


def presented_secret(request: HTTPConnection) -> str | None:
    """The key sent as `Authorization: Bearer …` or `X-API-Key`, or None when neither is sent."""
    authorization = request.headers.get("authorization")
    api_key = request.headers.get("x-api-key")
    bearer: str | None = None
    if authorization is not None:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise Unauthenticated("Authorization must use the Bearer scheme: `Bearer <key>`.")
        bearer = credentials.strip()
        if not bearer:
            raise Unauthenticated("The Authorization header names no key: `Bearer <key>`.")
    if api_key is not None:
        api_key = api_key.strip()
        if not api_key:
            raise Unauthenticated("The X-API-Key header is empty.")
        if bearer is not None and bearer != api_key:
            raise Unauthenticated("Authorization and X-API-Key name different keys: send one.")
    return bearer or api_key


async def viewer_of(request: HTTPConnection, session: AsyncSession) -> Viewer:
    """The public without a key; the key's role and id with an active one; Unauthenticated else.

    `request` is an HTTP request or a WebSocket handshake: both carry the key's headers.

    The key is looked up on every request, so a revocation counts from the next one.
    """
    now = request.app.state.clock.now()
    secret = presented_secret(request)
    if secret is None:
        return Viewer(role=Role.PUBLIC, now=now)
    key = await active_key(session, secret)
    if key is None:
        raise Unauthenticated("The API key is unknown or has been revoked.")
    return Viewer(role=_ROLES[key.role], now=now, key_id=key.id)
