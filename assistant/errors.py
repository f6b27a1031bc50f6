"""The project's exceptions, mapped to HTTP status codes and CLI exit codes in one place each.

RatsinfoError
├── ConfigurationError      settings that cannot work together (exit 2, HTTP 500)
├── StoreMismatchError      the store was built with another embedder/chunker (exit 3, HTTP 500)
├── ExtractionError         a source file cannot be read or has no text (reported, batch goes on)
├── StoreBusyError          another process writes to the data dir (exit 75, HTTP 409)
├── NotFoundError           unknown document, or one the principal may not see (HTTP 404)
├── AuthenticationError     missing, bad or revoked credentials (HTTP 401)
├── PermissionDeniedError   authenticated but not allowed (HTTP 403)
├── RateLimitExceeded       too many requests with one token or from one client (HTTP 429)
├── InvalidRequestError     malformed query or filter (exit 2, HTTP 422)
│   └── ConflictError       valid, but not now: a name in use, a limit reached (exit 2, HTTP 409)
├── EmptyStoreError         nothing ingested yet: search and ask have nothing to look in (exit 6)
└── NothingReadError        an ingest run could read none of its inputs (exit 7)

``RatsinfoError`` and ``ExtractionError`` are defined in ``ingest.errors`` (ingest sits below
assistant and raises them) and re-exported here, so that this stays the one module to import from.
``str(error)`` is English, for logs; ``assistant.messages.user_message`` renders any of them as
the German sentence the CLI and the web UI show.
"""

from __future__ import annotations

# Re-exported (the redundant alias marks that for linters and type checkers).
from ingest.errors import ExtractionError as ExtractionError
from ingest.errors import RatsinfoError as RatsinfoError


class ConfigurationError(RatsinfoError):
    pass


class StoreMismatchError(RatsinfoError):
    pass


class NotFoundError(RatsinfoError):
    pass


class AuthenticationError(RatsinfoError):
    pass


class PermissionDeniedError(RatsinfoError):
    pass


class InvalidRequestError(RatsinfoError):
    pass


class ConflictError(InvalidRequestError):
    """A valid request that the current state refuses: a name in use, a limit reached."""


class StoreBusyError(RatsinfoError):
    """Another process (or thread) is writing to the same data dir."""


class RateLimitExceeded(RatsinfoError):
    """Too many requests with one token; ``retry_after`` seconds until the next one is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"rate limit exceeded, retry in {retry_after} s",
            german=f"Zu viele Anfragen. Bitte versuchen Sie es in {retry_after} Sekunden erneut.",
        )
        self.retry_after = retry_after


class EmptyStoreError(RatsinfoError):
    """No document has been ingested into the data dir yet."""


class NothingReadError(RatsinfoError):
    """Every input of an ingest run failed: nothing was added, updated or found unchanged."""
