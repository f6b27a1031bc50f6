"""The API's caller: the request's principal, with the outcome worded as HTTP words it.

The audit middleware (assistant/api/audit_middleware.py) keeps a pending record for every
request under /api/ and writes it for requests refused before any service operation ran (401,
403, 413, 422, 429), and for routes whose service call writes none (stats, facets, ingest).
A route that calls an audited operation makes its caller with ``api_caller``; from then on the
service writes the request's record, with the status the response will have.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from assistant.access import Principal
from assistant.api.errors import status_of
from assistant.errors import RatsinfoError
from assistant.service import Caller


@dataclass(frozen=True, slots=True)
class ApiCaller(Caller):
    """A caller whose records carry the HTTP status: 200, or that of the error the route raised."""

    def outcome(self, error: Exception | None) -> tuple[str, str]:
        if error is None:
            return "200", ""
        if isinstance(error, RatsinfoError):  # answered by the app's handler with this status
            return str(status_of(error)), str(error)
        return "500", f"{type(error).__name__}: {error}"


def api_caller(request: Request, principal: Principal) -> ApiCaller:
    """The caller of an audited operation; the middleware's pending record is dropped, because
    the service writes this request's record."""
    request.state.audit = None
    return ApiCaller(principal, "api")
