"""The service layer: one access rule and one audit record per operation, whoever calls it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.access import LOCAL_OPERATOR, Principal
from assistant.api.errors import status_of
from assistant.audit import AuditEntry, AuditLog
from assistant.auth.users import RevokedCredentialsError
from assistant.cli.common import exit_code
from assistant.errors import NotFoundError
from assistant.service import AssistantService, AuditUnavailableError, Caller

OUTSIDER = Principal(name="bernd", groups=frozenset({"fraktion-spd"}))
MEMBER = Principal(name="anna", groups=frozenset({"fraktion-gruen"}))


@pytest.fixture()
def service(sample_services: Any, tmp_path: Path) -> AssistantService:
    """The sample corpus' service, writing to an audit log of its own."""
    audited: AssistantService = sample_services.service.audited_by(AuditLog(tmp_path / "audit.sqlite3"))
    return audited


def _records(tmp_path: Path) -> list[tuple[str, str, str, str]]:
    return [(r.user, r.interface, r.action, r.status) for r in AuditLog(tmp_path / "audit.sqlite3").records()]


def _restricted(service: AssistantService) -> Any:
    return next(doc for doc in service.visible_documents(MEMBER) if "fraktion-gruen" in doc.access)


def test_each_operation_writes_one_record_in_the_callers_words(
    service: AssistantService, tmp_path: Path
) -> None:
    found = service.search(Caller(MEMBER, "ui"), "Radweg Weserpromenade", k=5)
    assert found.results
    service.ask(Caller(OUTSIDER, "cli", name="bernd"), "Wie breit soll der Radweg werden?")
    with pytest.raises(NotFoundError):
        service.document(Caller(OUTSIDER, "cli"), "nicht-da")
    assert service.stats(OUTSIDER).documents < service.stats(LOCAL_OPERATOR).documents  # counts: no record
    assert _records(tmp_path) == [
        ("anna", "ui", "search", "ok"),
        ("bernd", "cli", "ask", "ok"),
        ("bernd", "cli", "document", "error"),
    ]
    record = AuditLog(tmp_path / "audit.sqlite3").records()[0]
    assert record.filters == {"k": 5} and record.returned == list(
        dict.fromkeys(h.doc_id for h in found.results)
    )


def test_a_restricted_document_is_as_missing_as_none_by_id_and_by_reference(
    service: AssistantService,
) -> None:
    secret = _restricted(service)
    assert (
        service.document(Caller(MEMBER, "ui"), f"  {secret.reference} ", by_reference=True).doc_id
        == secret.doc_id
    )
    for wanted, by_reference in ((secret.doc_id, False), (secret.reference, True)):
        with pytest.raises(NotFoundError) as missing:
            service.document(Caller(OUTSIDER, "ui"), wanted, by_reference=by_reference)
        assert secret.title not in str(missing.value)
    assert secret.doc_id not in {doc.doc_id for doc in service.visible_documents(OUTSIDER)}
    assert service.bodies(OUTSIDER, [secret.doc_id]) == {}


def test_an_audit_log_that_cannot_be_written_stops_the_operation(
    service: AssistantService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(entry: AuditEntry) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(AuditLog, "append", lambda self, entry: refuse(entry))
    with pytest.raises(AuditUnavailableError):
        service.search(Caller(MEMBER, "api"), "Radweg")
    events = service.conversation_events(Caller(MEMBER, "ui"), "Wie breit soll der Radweg werden?")
    with pytest.raises(AuditUnavailableError):
        next(events)  # no event leaves without its record


def test_exit_codes_and_http_statuses_follow_the_error_class_hierarchy() -> None:
    revoked = RevokedCredentialsError("dora")  # a subclass of AuthenticationError
    assert exit_code(revoked) == 5 and status_of(revoked) == 401
