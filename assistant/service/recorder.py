"""One audit record per operation, written before its result leaves; no record, no result.

The service fills in what was asked (query, filters) and which documents left it (returned,
cited); the caller words the outcome. A record that cannot be written stops the operation with
AuditUnavailableError (fail closed): the API answers 500, the CLI and the UI show an error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from assistant.audit import AuditEntry, AuditLog
from assistant.service.caller import Caller


class AuditUnavailableError(RuntimeError):
    """The audit log could not be written, so the action it would record is refused."""


class AuditRecorder:
    """Writes records to an audit log opened on first use (a service that answers nothing leaves
    no log file behind)."""

    def __init__(self, open_log: Callable[[], AuditLog]) -> None:
        self._open_log = open_log
        self._log: AuditLog | None = None
        self._lock = threading.Lock()

    @classmethod
    def to(cls, log: AuditLog) -> AuditRecorder:
        """A recorder writing to an audit log that is open already."""
        recorder = cls(lambda: log)
        recorder._log = log
        return recorder

    @property
    def log(self) -> AuditLog:
        with self._lock:
            if self._log is None:
                self._log = self._open_log()
            return self._log

    def write(self, entry: AuditEntry) -> None:
        """Append ``entry``; AuditUnavailableError if the log refuses it."""
        try:
            self.log.append(entry)
        except Exception as error:
            raise AuditUnavailableError(f"audit log unavailable: {type(error).__name__}: {error}") from error

    @contextmanager
    def operation(self, caller: Caller, action: str, query: str = "") -> Iterator[AuditEntry]:
        """Yield the operation's record to fill in; it is written when the block ends, with the
        caller's words for the outcome (also when the block raised, and then the error goes on)."""
        entry = AuditEntry(user=caller.user, interface=caller.interface, action=action, query=query)
        try:
            yield entry
        except Exception as error:
            entry.status, entry.detail = caller.outcome(error)
            self.write(entry)
            raise
        entry.status = caller.outcome(None)[0]
        self.write(entry)

    def event(self, user: str, interface: str, action: str, status: str = "ok", detail: str = "") -> None:
        """A record of something other than an operation on documents: signing in or out, or a
        request refused before any operation ran."""
        self.write(AuditEntry(user=user, interface=interface, action=action, status=status, detail=detail))
