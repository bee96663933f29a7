"""Input a caller can fix: which field is wrong, what is wrong with it, and its kind."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Problem(enum.Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    REQUIRED = "required"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class EditRefused(Exception):
    """Input an editor (or a partner managing its webhooks) can fix; nothing is written."""

    field: str | None
    message: str
    problem: Problem
