"""Writes one audit record per /api/ request, refused ones (401, 403, 404, 422, 429) included.

Routes fill in ``request.state.audit`` (query, filters, returned and cited document ids); the
authentication dependency names the user. The record is written before the response leaves:
if the audit log cannot be written, the caller gets a 500 instead of the data (fail closed).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from assistant.audit import AuditEntry, AuditLog

_log = logging.getLogger(__name__)
UNAUTHENTICATED = "-"


def _action(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    return str(name).replace("_", "-") if name else f"{request.method} {request.url.path}"[:200]


def install_audit_middleware(app: FastAPI, audit: AuditLog) -> None:
    @app.middleware("http")
    async def audit_api_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not request.url.path.startswith("/api/"):
            return await call_next(request)
        entry = AuditEntry(user=UNAUTHENTICATED, interface="api", action="")
        request.state.audit = entry
        try:
            response = await call_next(request)
        except Exception as error:  # a crash is on record too, then handled as before
            entry.user = getattr(request.state, "audit_user", None) or UNAUTHENTICATED
            entry.action, entry.status = _action(request), "500"
            entry.detail = f"{type(error).__name__}: {error}"
            await run_in_threadpool(audit.append, entry)
            raise
        entry.user = getattr(request.state, "audit_user", None) or UNAUTHENTICATED
        entry.action = _action(request)
        entry.status = str(response.status_code)
        try:
            await run_in_threadpool(audit.append, entry)
        except Exception:
            _log.exception("audit log not writable; refusing to answer")
            return JSONResponse(status_code=500, content={"detail": "audit log unavailable"})
        return response
