"""What the web UI does, without Gradio: sign-in, ask, search, document view, each audited.

Every action goes through the same services as the API (retriever, answerer, store) and acts
as the principal of a server-side session (ui/session.py). Each writes one record to the audit
log with interface "ui" before its result is shown; a log that cannot be written stops the
action (fail closed, as the API does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from assistant.access import Principal
from assistant.answering.prompt import Turn
from assistant.audit import AuditEntry, filters_to_dict
from assistant.auth.security import Security
from assistant.auth.users import User
from assistant.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    RateLimitExceeded,
    RatsinfoError,
)
from assistant.facets import FacetsResponse, collect_facets
from assistant.models import DocumentInfo, SearchFilters
from assistant.retrieval import MAX_QUERY_CHARS
from assistant.schemas import DocumentOut, PageOut, SearchHit
from assistant.services import Services
from ui.examples import example_questions
from ui.render import mode_banner
from ui.session import SESSION_ENDED, SessionStore

INTERFACE = "ui"
SEARCH_PASSAGES = 100  # passages read per search; grouped into documents for the result list
UNKNOWN_USER = "-"


def ui_message(error: RatsinfoError) -> str:
    """A German sentence for the page; the project's errors carry English messages for logs."""
    if isinstance(error, RateLimitExceeded):
        return f"Zu viele Anfragen. Bitte versuchen Sie es in {error.retry_after} Sekunden erneut."
    if isinstance(error, AuthenticationError):
        text = str(error)
        return text if text.startswith(("Anmeldung", "Ihre Sitzung")) else SESSION_ENDED
    if isinstance(error, NotFoundError):
        return "Dokument nicht gefunden."
    if isinstance(error, ConfigurationError):
        return f"Der Assistent ist nicht vollständig eingerichtet: {error}"
    text = str(error)
    if text[:1].isupper() and " " in text and any(ch in text for ch in "äöüßÄÖÜ„"):
        return text  # already German (the UI's own validation)
    return f"Die Eingabe wurde nicht angenommen: {text}"


class UiBackend:
    """The UI's actions over ``services``, with users, audit log and rate limit from ``security``."""

    def __init__(self, services: Services, security: Security, sessions: SessionStore | None = None) -> None:
        self.services = services
        self.security = security
        self.sessions = sessions or SessionStore(security.users)

    # -- configuration ---------------------------------------------------------------------------

    def answer_mode(self) -> str:
        try:
            return self.services.answerer.mode
        except ConfigurationError:
            return "extractive"  # the misconfiguration shows on the first question

    def banner(self) -> str:
        return mode_banner(self.services.embedder.name, self.answer_mode())

    # -- sessions --------------------------------------------------------------------------------

    def sign_in(self, name: str, secret: str, browser: str, client: str) -> tuple[str, User]:
        """A session key for valid credentials; every attempt is audited and rate limited per client."""
        entry = AuditEntry(user=name.strip()[:64] or UNKNOWN_USER, interface=INTERFACE, action="sign-in")
        try:
            self.security.limiter.check(f"ui-sign-in:{client}")
            key, user = self.sessions.sign_in(name, secret, browser)
        except RatsinfoError as error:
            entry.status, entry.detail = "denied", f"{type(error).__name__}: {error}"
            self.security.audit.append(entry)
            raise
        entry.user = user.name
        try:
            self.security.audit.append(entry)
        except Exception:
            self.sessions.sign_out(key)  # no record, no session
            raise
        return key, user

    def sign_out(self, key: str | None) -> None:
        user = self.sessions.sign_out(key)
        if user is not None:
            self.security.audit.append(AuditEntry(user=user, interface=INTERFACE, action="sign-out"))

    def principal(self, key: str | None, browser: str, action: str) -> Principal:
        """The session's principal, rate limited like the user's API token; refusals are audited."""
        try:
            principal = self.sessions.principal(key, browser)
            self.security.limiter.check(principal.name)
        except RatsinfoError as error:
            user = self.sessions.user_of(key) or UNKNOWN_USER
            detail = f"{type(error).__name__}: {error}"
            self.security.audit.append(
                AuditEntry(user=user, interface=INTERFACE, action=action, status="denied", detail=detail)
            )
            raise
        return principal

    # -- reading ---------------------------------------------------------------------------------

    def visible_documents(self, principal: Principal) -> list[DocumentInfo]:
        return [doc for doc in self.services.store.documents().values() if principal.can_see(doc.access)]

    def examples(self, principal: Principal) -> list[str]:
        return example_questions(self.visible_documents(principal), principal)

    def facets(self, principal: Principal) -> FacetsResponse:
        return collect_facets(self.services.store, principal)

    def bodies(self, principal: Principal, doc_ids: Sequence[str]) -> dict[str, str]:
        """The bodies of the Beratungsfolge per visible document (for the citation cards)."""
        documents = self.services.store.documents()
        found = {doc_id: documents.get(doc_id) for doc_id in doc_ids}
        return {
            doc_id: "; ".join(dict.fromkeys(doc.bodies))
            for doc_id, doc in found.items()
            if doc is not None and principal.can_see(doc.access)
        }

    def ask(self, principal: Principal, question: str, history: Sequence[Turn]) -> Iterator[dict[str, Any]]:
        """The answer's events (assistant/answering/events.py), audited before the first one leaves.

        In LLM mode the events stream as the model writes, so the record names the documents the
        answer may cite (as the API's stream does); otherwise the answer is complete at once and
        the record names exactly the cited ones (as the API's /ask does).
        """
        question = question.strip()[:MAX_QUERY_CHARS]
        entry = AuditEntry(user=principal.name, interface=INTERFACE, action="ask", query=question)
        try:
            stream = self.services.answerer.stream(question, principal, None, list(history))
            live = self.answer_mode() == "llm"
            events: Iterator[dict[str, Any]] | list[dict[str, Any]] = iter(stream) if live else list(stream)
        except Exception as error:
            entry.status, entry.detail = "error", f"{type(error).__name__}: {error}"
            self.security.audit.append(entry)
            raise
        if stream.response is not None:  # complete: what the page shows is exactly what is cited
            entry.cited = list(dict.fromkeys(c.doc_id for c in stream.response.citations))
            entry.returned = entry.cited
        else:
            entry.returned = stream.doc_ids
        if history:
            entry.detail = f"Folgefrage; gesucht als: {stream.standalone_question}"[:1000]
        self.security.audit.append(entry)
        yield from events

    def search(self, principal: Principal, query: str, filters: SearchFilters) -> list[SearchHit]:
        with self.security.audit.recording(principal.name, INTERFACE, "search", query) as entry:
            entry.filters = {**filters_to_dict(filters), "k": SEARCH_PASSAGES}
            passages = self.services.retriever.search(query, principal, filters, SEARCH_PASSAGES)
            entry.returned = list(dict.fromkeys(p.document.doc_id for p in passages))
        return [SearchHit.from_passage(passage) for passage in passages]

    def resolve(self, principal: Principal, wanted: str) -> DocumentInfo:
        """A visible document by id, or by reference number when that names exactly one.

        A document the principal may not see is reported exactly like a missing one.
        """
        wanted = wanted.strip()[:200]
        documents = self.services.store.documents()
        found = documents.get(wanted)
        if found is not None and principal.can_see(found.access):
            return found
        by_reference = [
            doc for doc in documents.values() if doc.reference == wanted and principal.can_see(doc.access)
        ]
        if wanted and len(by_reference) == 1:
            return by_reference[0]
        raise NotFoundError(f"no document {wanted!r}")

    def document(self, principal: Principal, wanted: str) -> DocumentOut:
        with self.security.audit.recording(principal.name, INTERFACE, "document", wanted[:200]) as entry:
            found = self.resolve(principal, wanted)
            pages = [
                PageOut(number=p.number, text=p.text) for p in self.services.store.catalog.pages(found.doc_id)
            ]
            entry.returned = [found.doc_id]
        return DocumentOut.from_document(found, pages)
