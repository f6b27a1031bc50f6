"""What the web UI does, without Gradio: sign-in, ask, search, document view, each audited.

Every action goes through the service layer, as the API's do (assistant/service/), and acts as
the principal of a server-side session (ui/session.py). The service applies the access rule and
writes one record to the audit log with interface "ui" before a result is shown; sign-in, sign-out
and refused actions are recorded here, through the same service. A log that cannot be written
stops the action (fail closed, as the API does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from assistant.access import Principal
from assistant.auth.security import Security
from assistant.auth.users import User
from assistant.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    RatsinfoError,
)
from assistant.schemas import DocumentOut, SearchResponse
from assistant.service import (
    MAX_QUERY_CHARS,
    AssistantService,
    Caller,
    DocumentInfo,
    Event,
    FacetsResponse,
    MeetingDetailOut,
    MeetingListOut,
    PaperHistoryOut,
    ProcessService,
    RelatedPaperOut,
    SearchFilters,
    Turn,
    user_message,
)
from ui.examples import example_questions
from ui.render import mode_banner
from ui.session import SESSION_ENDED, SIGN_IN_FAILED, SessionStore

INTERFACE = "ui"
SEARCH_PASSAGES = 100  # passages read per search; grouped into documents for the result list
UNKNOWN_USER = "-"


def ui_message(error: RatsinfoError) -> str:
    """A German sentence for the page (assistant/messages.py, as the CLI's); a failed sign-in or
    ended session says only that, whatever the reason was."""
    if isinstance(error, AuthenticationError) and error.german not in (SIGN_IN_FAILED, SESSION_ENDED):
        return SESSION_ENDED
    return user_message(error)


class UiBackend:
    """The UI's actions over ``service``, with users, audit log and rate limit from ``security``."""

    def __init__(
        self,
        service: AssistantService,
        security: Security,
        sessions: SessionStore | None = None,
        process: ProcessService | None = None,
    ) -> None:
        self.service = service.audited_by(security.audit)
        self.security = security
        self.sessions = sessions or SessionStore(security.users)
        # The council process (histories, meetings); None: the UI shows documents only.
        self.process = process.audited_by(security.audit) if process is not None else None

    # -- configuration ---------------------------------------------------------------------------

    def answer_mode(self) -> str:
        try:
            return self.service.answer_mode()
        except ConfigurationError:
            return "extractive"  # the misconfiguration shows on the first question

    def banner(self) -> str:
        return mode_banner(self.service.embedder_name, self.answer_mode())

    # -- sessions --------------------------------------------------------------------------------

    def sign_in(self, name: str, secret: str, browser: str, client: str) -> tuple[str, User]:
        """A session key for valid credentials; every attempt is audited and rate limited per client."""
        attempted = name.strip()[:64] or UNKNOWN_USER
        try:
            self.security.limiter.check(f"ui-sign-in:{client}")
            key, user = self.sessions.sign_in(name, secret, browser)
        except RatsinfoError as error:
            detail = f"{type(error).__name__}: {error}"
            self.service.record_event(attempted, INTERFACE, "sign-in", "denied", detail)
            raise
        try:
            self.service.record_event(user.name, INTERFACE, "sign-in")
        except Exception:
            self.sessions.sign_out(key)  # no record, no session
            raise
        return key, user

    def sign_out(self, key: str | None) -> None:
        user = self.sessions.sign_out(key)
        if user is not None:
            self.service.record_event(user, INTERFACE, "sign-out")

    def principal(self, key: str | None, browser: str, action: str) -> Principal:
        """The session's principal, rate limited like the user's API token; refusals are audited."""
        try:
            principal = self.sessions.principal(key, browser)
            self.security.limiter.check(principal.name)
        except RatsinfoError as error:
            user = self.sessions.user_of(key) or UNKNOWN_USER
            detail = f"{type(error).__name__}: {error}"
            self.service.record_event(user, INTERFACE, action, "denied", detail)
            raise
        return principal

    # -- reading ---------------------------------------------------------------------------------

    def visible_documents(self, principal: Principal) -> list[DocumentInfo]:
        return self.service.visible_documents(principal)

    def examples(self, principal: Principal) -> list[str]:
        return example_questions(self.visible_documents(principal), principal)

    def facets(self, principal: Principal) -> FacetsResponse:
        return self.service.facets(principal)

    def bodies(self, principal: Principal, doc_ids: Sequence[str]) -> dict[str, str]:
        """The bodies of the Beratungsfolge per visible document (for the citation cards)."""
        return self.service.bodies(principal, doc_ids)

    def ask(self, principal: Principal, question: str, history: Sequence[Turn]) -> Iterator[Event]:
        """The answer's events (assistant/answering/events.py), audited before the first one leaves.

        In LLM mode the events stream as the model writes, so the record names the documents the
        answer may cite (as the API's stream does); otherwise the answer is complete at once and
        the record names exactly the cited ones (as the API's /ask does).
        """
        question = question.strip()[:MAX_QUERY_CHARS]
        return self.service.conversation_events(Caller(principal, INTERFACE), question, history)

    def search(self, principal: Principal, query: str, filters: SearchFilters) -> SearchResponse:
        """The passages for the result list, and the paper a bare reference number opens."""
        caller = Caller(principal, INTERFACE)
        return self.service.search(caller, query, filters, SEARCH_PASSAGES)

    def document(self, principal: Principal, wanted: str) -> DocumentOut:
        """A visible document by id, or by reference number when that names exactly one.

        A document the principal may not see is reported exactly like a missing one.
        """
        return self.service.document(Caller(principal, INTERFACE), wanted, by_reference=True)

    # -- the council process -----------------------------------------------------------------------

    def history(self, principal: Principal, doc_id: str) -> PaperHistoryOut | None:
        """The path of a visible paper (audited "history"); None without the process service."""
        if self.process is None:
            return None
        return self.process.history(Caller(principal, INTERFACE), doc_id)

    def related(self, principal: Principal, doc_id: str, k: int = 5) -> list[RelatedPaperOut]:
        """The most similar earlier papers (audited "related")."""
        if self.process is None:
            return []
        return self.process.related(Caller(principal, INTERFACE), doc_id, k).related

    def meetings(
        self, principal: Principal, body: str, date_from: date | None, date_to: date | None
    ) -> MeetingListOut:
        """Meetings of a body in a date range (audited "meetings")."""
        if self.process is None:
            return MeetingListOut(total=0, meetings=[])
        return self.process.meetings(Caller(principal, INTERFACE), body, date_from, date_to)

    def meeting(self, principal: Principal, meeting_id: str) -> MeetingDetailOut:
        """A meeting with its agenda (audited "meeting"); NotFoundError when not visible."""
        if self.process is None:
            raise NotFoundError("the council process is not served", german="Sitzung nicht gefunden.")
        return self.process.meeting(Caller(principal, INTERFACE), meeting_id)

    def meeting_bodies(self, principal: Principal) -> list[str]:
        """The bodies whose meetings the principal may see (for the "Sitzungen" form)."""
        if self.process is None:
            return []
        meetings = self.process.meetings_of(principal).meetings
        return sorted({body for meeting in meetings for body in meeting.bodies})
