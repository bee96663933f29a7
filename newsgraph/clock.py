"""Where "now" comes from: injected, so embargo and rate-limit tests never sleep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that says what a test tells it to."""

    at: datetime

    def now(self) -> datetime:
        return self.at
