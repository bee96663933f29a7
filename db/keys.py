"""Issuing, listing, revoking and recognising API keys; only hashes of secrets are stored."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import models as m
from db import webhooks
from db.engine import unit_of_work

# A recognisable prefix lets secret scanners (and people) tell a newsgraph key at a glance.
SECRET_PREFIX = "ng_"


class UnknownKey(LookupError):
    pass


@dataclass(frozen=True)
class IssuedKey:
    """A new key: `secret` is shown to its owner once and never stored."""

    id: int
    name: str
    role: m.KeyRole
    secret: str


def hash_secret(secret: str) -> str:
    # The secrets are 256 random bits, so a fast hash resists guessing as well as a slow one.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


async def create_key(
    sessions: async_sessionmaker[AsyncSession], name: str, role: m.KeyRole
) -> IssuedKey:
    if not name.strip():
        raise ValueError("a key needs a non-empty name")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    async with unit_of_work(sessions) as session:
        key = m.ApiKey(name=name.strip(), role=role, secret_hash=hash_secret(secret))
        session.add(key)
        await session.flush()
        return IssuedKey(id=key.id, name=key.name, role=key.role, secret=secret)


async def list_keys(sessions: async_sessionmaker[AsyncSession]) -> Sequence[m.ApiKey]:
    async with sessions() as session:
        return (await session.scalars(select(m.ApiKey).order_by(m.ApiKey.id))).all()


async def revoke_key(
    sessions: async_sessionmaker[AsyncSession], key_id: int, now: datetime
) -> m.ApiKey:
    """Revoke key `key_id` (revoking twice keeps the first time); UnknownKey when there is none.

    The key's webhooks are removed with it.
    """
    async with unit_of_work(sessions) as session:
        key = await session.get(m.ApiKey, key_id)
        if key is None:
            raise UnknownKey(f"no API key with id {key_id}")
        if key.revoked_at is None:
            key.revoked_at = now
            # A revoked partner's webhooks stop with its key: queued deliveries are not sent.
            await webhooks.deactivate_for_key(session, key_id)
        return key


async def active_key(session: AsyncSession, secret: str) -> m.ApiKey | None:
    """The unrevoked key whose secret this is, or None."""
    return await session.scalar(
        select(m.ApiKey).where(
            m.ApiKey.secret_hash == hash_secret(secret), m.ApiKey.revoked_at.is_(None)
        )
    )
