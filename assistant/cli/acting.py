"""Who the CLI acts as, and the audit records the CLI writes itself.

The service layer writes the record of every operation on documents. The CLI writes two kinds
of its own, as the API's middleware does: an invocation refused before it reached the service
(bad input, an unknown or revoked ``--user``, a store that does not open), and the user
administration commands, which do not touch documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from assistant.access import LOCAL_OPERATOR, Principal
from assistant.audit import AuditEntry, AuditLog
from assistant.auth.users import UserStore
from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.service import Caller

INTERFACE = "cli"


def cli_principal(settings: Settings, user: str | None) -> Principal:
    """The local operator (full rights), or with ``--user`` that user's groups (unknown: error)."""
    if user is None:
        return LOCAL_OPERATOR
    return UserStore(settings.users_path).active_user(user).principal()


def cli_caller(settings: Settings, user: str | None) -> Caller:
    """The caller of a service operation: ``--user``'s principal, or the local operator."""
    from assistant.service import Caller  # the service layer imports the store: only when needed

    return Caller(cli_principal(settings, user), INTERFACE, name=user or LOCAL_OPERATOR.name)


@contextmanager
def cli_audited(settings: Settings, action: str, user: str | None, query: str = "") -> Iterator[AuditEntry]:
    """An audit record (interface "cli") written when the block ends, as an error if it raised."""
    log = AuditLog(settings.audit_path)
    with log.recording(user or LOCAL_OPERATOR.name, INTERFACE, action, query) as entry:
        yield entry


@contextmanager
def refusal_audited(
    settings: Settings, action: str, user: str | None, query: str = ""
) -> Iterator[AuditEntry]:
    """Around what a command does before it calls an audited service operation: if that fails,
    the refused invocation is recorded (what was filled in so far, as an error); if it succeeds,
    nothing is written here, because the operation writes its own record."""
    entry = AuditEntry(user=user or LOCAL_OPERATOR.name, interface=INTERFACE, action=action, query=query)
    try:
        yield entry
    except Exception as error:
        entry.status, entry.detail = "error", f"{type(error).__name__}: {error}"
        AuditLog(settings.audit_path).append(entry)
        raise
