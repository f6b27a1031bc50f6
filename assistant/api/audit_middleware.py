"""Every /api/ request is on record, refused ones (401, 403, 404, 413, 422, 429) included.

Routes that call an audited service operation (search, ask, stream, document) hand the request's
record to the service (assistant/api/caller.py), which fills it in and writes it. For every other
request this middleware writes it: those refused before a route ran, and routes whose service
call records nothing of its own (stats, facets) or that fill in ``request.state.audit`` themselves
(the admin ingest). The authentication dependency names the user. Either way the record is
written before the response leaves: if the audit log cannot be written, the caller gets a 500
instead of the data (fail closed).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from assistant.audit import AuditEntry, AuditLog
from assistant.service import AuditUnavailableError

_log = logging.getLogger(__name__)
UNAUTHENTICATED = "-"


def _action(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    return str(name).replace("_", "-") if name else f"{request.method} {request.url.path}"[:200]


def _pending(request: Request) -> AuditEntry | None:
    """The request's record if this middleware still has to write it (None: the service did)."""
    entry: AuditEntry | None = getattr(request.state, "audit", None)
    return entry


def _unavailable() -> JSONResponse:
    _log.exception("audit log not writable; refusing to answer")
    return JSONResponse(status_code=500, content={"detail": "audit log unavailable"})


def install_audit_middleware(app: FastAPI, audit: AuditLog) -> None:
    @app.middleware("http")
    async def audit_api_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not request.url.path.startswith("/api/"):
            return await call_next(request)
        request.state.audit = AuditEntry(user=UNAUTHENTICATED, interface="api", action="")
        try:
            response = await call_next(request)
        except AuditUnavailableError:  # the service could not write the record
            return _unavailable()
        except Exception as error:  # a crash is on record too, then handled as before
            entry = _pending(request)
            if entry is not None:
                entry.user = getattr(request.state, "audit_user", None) or UNAUTHENTICATED
                entry.action, entry.status = _action(request), "500"
                entry.detail = f"{type(error).__name__}: {error}"
                await run_in_threadpool(audit.append, entry)
            raise
        entry = _pending(request)
        if entry is None:
            return response
        entry.user = getattr(request.state, "audit_user", None) or UNAUTHENTICATED
        entry.action = _action(request)
        entry.status = str(response.status_code)
        try:
            await run_in_threadpool(audit.append, entry)
        except Exception:
            return _unavailable()
        return response
