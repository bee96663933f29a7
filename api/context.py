"""What every resolver can reach during one request: its session, its loaders and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from api.loaders import Loaders
from db.visibility import Viewer
from newsgraph.settings import Settings


@dataclass
class RequestContext:
    session: AsyncSession
    settings: Settings
    viewer: Viewer
    request: Request | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # Loaders cache per request: a new request must never see another's cached rows.
        self.loaders = Loaders(self.session, self.viewer)
