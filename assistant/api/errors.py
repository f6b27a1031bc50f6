"""The one place that maps the project's errors to HTTP: status codes and headers."""

from __future__ import annotations

from assistant.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitExceeded,
    RatsinfoError,
    StoreBusyError,
    StoreMismatchError,
)

HTTP_STATUS: dict[type[RatsinfoError], int] = {
    InvalidRequestError: 422,
    NotFoundError: 404,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    ConfigurationError: 500,
    StoreMismatchError: 500,
    RateLimitExceeded: 429,
    StoreBusyError: 409,  # an admin ingest while `ratsinfo ingest`/`sync` writes
    ConflictError: 409,  # e.g. a saved search's name in use
}


def status_of(error: RatsinfoError) -> int:
    """The HTTP status of ``error``: that of its class, or of the nearest base class mapped."""
    for kind in type(error).__mro__:
        if kind in HTTP_STATUS:
            return HTTP_STATUS[kind]
    return 500


def headers_of(error: RatsinfoError) -> dict[str, str]:
    """Headers the answer to ``error`` carries (how to authenticate, when to try again)."""
    if isinstance(error, AuthenticationError):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RateLimitExceeded):
        return {"Retry-After": str(error.retry_after)}
    return {}
