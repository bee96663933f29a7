"""Probes for orchestrators: /healthz (the process answers) and /readyz (the database too)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

from db.engine import ping

_READINESS_TIMEOUT = 2.0


async def healthz(request: Request) -> PlainTextResponse:
    """Liveness: answers while the process serves requests, whatever the database does."""
    return PlainTextResponse("ok")


async def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when the database answers, 503 (take me out of rotation) when not."""
    if await ping(request.app.state.engine, _READINESS_TIMEOUT):
        return JSONResponse({"status": "ready", "database": "ok"})
    return JSONResponse(
        {"status": "unavailable", "database": "unreachable"},
        status_code=503,
        headers={"Retry-After": "1"},
    )
