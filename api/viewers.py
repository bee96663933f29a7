"""Who is asking: the Viewer a request reads as."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from db.visibility import Role, Viewer


def viewer_of(request: HTTPConnection) -> Viewer:
    """Every caller reads as the public for now; API keys will name partners and editors.

    `request` is an HTTP request or a WebSocket handshake: both carry the headers a key
    would come in.
    """
    return Viewer(role=Role.PUBLIC, now=request.app.state.clock.now())
