"""Who is asking: the Viewer a request reads as."""

from __future__ import annotations

from starlette.requests import Request

from db.visibility import Role, Viewer


def viewer_of(request: Request) -> Viewer:
    """Every caller reads as the public for now; API keys will name partners and editors."""
    return Viewer(role=Role.PUBLIC, now=request.app.state.clock.now())
