"""What the CLI, the API and the web UI do with documents, in one place.

Every operation acts as a caller (principal, interface, name on the record) and applies the
access rule here (assistant/service/visibility.py; search applies it inside the retriever). The
caller's principal is first granted the labels of the bodies its groups map to
(assistant/service/body_access.py): documents of non-public meetings carry those labels.
Each operation that returns document content (search, ask, stream, document) or changes access
writes exactly one audit record before its result leaves; a record that cannot be written stops
it (AuditUnavailableError). Counts (stats, facets) and the UI's helpers return no document
content and write none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.access import Principal
from assistant.answering.answerer import Answerer
from assistant.answering.events import AnswerStream, Event
from assistant.answering.prompt import Turn
from assistant.audit import AuditEntry, AuditLog, filters_to_dict
from assistant.embedding import Embedder
from assistant.errors import InvalidRequestError, NotFoundError, PermissionDeniedError
from assistant.models import SearchFilters
from assistant.retrieval import HybridRetriever
from assistant.schemas import (
    AskResponse,
    DocumentOut,
    OpenedDocument,
    PageOut,
    SearchHit,
    SearchResponse,
    StatsResponse,
)
from assistant.service.body_access import BodyAccess
from assistant.service.caller import Caller
from assistant.service.facets import FacetsResponse, collect_facets
from assistant.service.opening import reference_only, with_opened
from assistant.service.process_answers import ProcessAnswers
from assistant.service.recorder import AuditRecorder
from assistant.service.stats import collect_stats
from assistant.service.visibility import may_see, visible
from assistant.store.store import Store
from ingest.records import DocumentInfo

_MAX_WANTED_CHARS = 200  # of a document id or reference, in the record and in messages


@dataclass(frozen=True, slots=True)
class AccessChange:
    """Who could see a document before and who can now (``ratsinfo acl set``)."""

    doc_id: str
    title: str
    before: list[str]
    after: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"doc_id": self.doc_id, "title": self.title, "from": self.before, "to": self.after}


def _note_answer(entry: AuditEntry, stream: AnswerStream) -> None:
    """A complete answer's record names exactly the cited documents; a stream's record, written
    before it runs, names every document the answer is built from (a superset of those cited)."""
    if stream.response is not None:
        # A record of a meeting cites no document ("" as its id).
        entry.cited = list(dict.fromkeys(c.doc_id for c in stream.response.citations if c.doc_id))
        entry.returned = entry.cited
    else:
        entry.returned = [doc_id for doc_id in stream.doc_ids if doc_id]


class AssistantService:
    """Search, answers and documents over one store, audited to one log."""

    def __init__(
        self,
        store: Store,
        retriever: HybridRetriever,
        answerer: Answerer,
        embedder: Embedder,
        recorder: AuditRecorder,
        body_access: BodyAccess | None = None,
        outcome_documents: Callable[[Principal, str], frozenset[str]] | None = None,
        process_answers: ProcessAnswers | None = None,
    ) -> None:
        self._store = store
        self._retriever = retriever
        self._answerer = answerer
        self._embedder = embedder
        self._recorder = recorder
        self._bodies = body_access or BodyAccess()
        # Documents whose last result has an outcome (ProcessService.outcome_documents), for
        # the ``result`` filter; without it, that filter matches nothing.
        self._outcome_documents = outcome_documents
        # Questions on the council process, answered from its data (process_answers.py).
        self._process_answers = process_answers

    def audited_by(self, log: AuditLog) -> AssistantService:
        """The same service writing its records to ``log`` (the server's, shared with its users)."""
        return AssistantService(
            self._store,
            self._retriever,
            self._answerer,
            self._embedder,
            AuditRecorder.to(log),
            self._bodies,
            self._outcome_documents,
            self._process_answers,
        )

    # -- configuration -------------------------------------------------------------------------

    @property
    def embedder_name(self) -> str:
        return self._embedder.name

    @property
    def data_dir(self) -> Path:
        return self._store.data_dir

    def answer_mode(self) -> str:
        """``llm`` or ``extractive`` for a question without its own choice (ConfigurationError
        when the configured mode cannot work)."""
        return self._answerer.mode

    def warm_up(self) -> None:
        """Load or build the BM25 index now rather than on the first question."""
        self._store.bm25()

    def record_event(
        self, user: str, interface: str, action: str, status: str = "ok", detail: str = ""
    ) -> None:
        """Record signing in or out, or a request refused before any operation ran."""
        self._recorder.event(user, interface, action, status, detail)

    # -- documents a principal may see (no document content, no record) -------------------------

    def has_documents(self) -> bool:
        """Whether anything has been ingested at all, whoever may see it (a fresh data dir: no)."""
        return bool(self._store.documents())

    def visible_documents(self, principal: Principal) -> list[DocumentInfo]:
        """Every document ``principal`` may see."""
        return visible(self._bodies.principal(principal), self._store.documents().values())

    def bodies(self, principal: Principal, doc_ids: Sequence[str]) -> dict[str, str]:
        """The bodies of the Beratungsfolge per visible document (for citation cards)."""
        documents = self._store.documents()
        principal = self._bodies.principal(principal)
        found = {doc_id: documents.get(doc_id) for doc_id in doc_ids}
        return {
            doc_id: "; ".join(dict.fromkeys(doc.bodies))
            for doc_id, doc in found.items()
            if doc is not None and may_see(principal, doc)
        }

    def stats(self, principal: Principal) -> StatsResponse:
        """Counts over the documents ``principal`` may see, and how the store was built."""
        return collect_stats(
            self.visible_documents(principal), self._store.build_record(), self._store.data_dir
        )

    def facets(self, principal: Principal) -> FacetsResponse:
        """Paper types, bodies, originators and years with counts over visible documents."""
        return collect_facets(self.visible_documents(principal))

    def _filters(self, principal: Principal, filters: SearchFilters | None) -> SearchFilters | None:
        """``filters`` with the ``result`` filter turned into the documents it admits."""
        if filters is None or not filters.result:
            return filters
        found = self._outcome_documents(principal, filters.result) if self._outcome_documents else None
        return replace(filters, doc_ids=found or frozenset())

    # -- audited operations ---------------------------------------------------------------------

    def search(
        self, caller: Caller, query: str, filters: SearchFilters | None = None, k: int = 10
    ) -> SearchResponse:
        """Hybrid search over the documents the caller may see: the top ``k`` passages."""
        with self._recorder.operation(caller, "search", query) as entry:
            entry.filters = {**filters_to_dict(filters), "k": k}
            principal = self._bodies.principal(caller.principal)
            resolved = self._filters(principal, filters)
            passages = self._retriever.search(query, principal, resolved, k)
            opened = self.opened_by(principal, query, resolved)
            entry.returned = list(dict.fromkeys(p.document.doc_id for p in passages))
        return SearchResponse(
            query=query, results=[SearchHit.from_passage(p) for p in passages], opened=opened
        )

    def ask(
        self,
        caller: Caller,
        question: str,
        filters: SearchFilters | None = None,
        history: Sequence[Turn] = (),
        mode: str | None = None,
        explain: bool = False,
    ) -> AskResponse:
        """A cited answer from the documents the caller may see (``mode``: llm, extractive, auto;
        None: the configured one; ``explain``: an extractive answer carries its trace)."""
        with self._recorder.operation(caller, "ask", question) as entry:
            entry.filters = filters_to_dict(filters)
            stream = self._opening(caller.principal, question, filters, history, mode, explain)
            response = stream.result()
            _note_answer(entry, stream)
        return response

    def stream(
        self,
        caller: Caller,
        question: str,
        filters: SearchFilters | None = None,
        history: Sequence[Turn] = (),
        mode: str | None = None,
    ) -> AnswerStream:
        """The answer of ``ask`` as events (assistant/answering/events.py); retrieval has run and
        the record is written when this returns, before the first event."""
        with self._recorder.operation(caller, "ask-stream", question) as entry:
            entry.filters = filters_to_dict(filters)
            stream = self._opening(caller.principal, question, filters, history, mode)
            _note_answer(entry, stream)
        return stream

    def conversation_events(
        self, caller: Caller, question: str, history: Sequence[Turn] = ()
    ) -> Iterator[Event]:
        """The events of a question in a conversation (the web UI), recorded as "ask" before the
        first one leaves: in LLM mode they stream as the model writes (the record names the
        documents the answer may cite); otherwise the answer is complete at once (the record names
        exactly the cited ones). A follow-up's record says what it was searched as."""
        with self._recorder.operation(caller, "ask", question) as entry:
            stream = self._opening(caller.principal, question, None, list(history), None)
            live = self._answerer.mode == "llm"
            events: Iterator[Event] | list[Event] = iter(stream) if live else list(stream)
            _note_answer(entry, stream)
            if history:
                entry.detail = f"Folgefrage; gesucht als: {stream.standalone_question}"[:1000]
        yield from events

    def document(self, caller: Caller, wanted: str, *, by_reference: bool = False) -> DocumentOut:
        """A document with its page texts, by id, or with ``by_reference`` also by a reference
        number that names exactly one visible document (surrounding blanks ignored). A document
        the caller may not see is exactly as missing as none (NotFoundError)."""
        with self._recorder.operation(caller, "document", wanted[:_MAX_WANTED_CHARS]) as entry:
            found = self._find(self._bodies.principal(caller.principal), wanted, by_reference)
            pages = [PageOut(number=p.number, text=p.text) for p in self._store.catalog.pages(found.doc_id)]
            entry.returned = [found.doc_id]
        return DocumentOut.from_document(found, pages)

    def set_access(self, caller: Caller, wanted: str, access: frozenset[str]) -> AccessChange:
        """Change who may see a document (by id, or a reference naming one document), in the
        catalog and on every chunk; for admins."""
        with self._recorder.operation(caller, "acl-set", wanted) as entry:
            if not caller.principal.admin:
                raise PermissionDeniedError(
                    "only admins may change who sees a document",
                    german="Nur Administratoren dürfen ändern, wer ein Dokument sieht.",
                )
            found = self._find_for_change(caller.principal, wanted)
            self._store.set_access(found.doc_id, access)
            entry.returned = [found.doc_id]
            entry.filters = {"from": sorted(found.access), "to": sorted(access)}
        return AccessChange(found.doc_id, found.title, sorted(found.access), sorted(access))

    # -- a query that names one paper ------------------------------------------------------------

    def opened_by(
        self, principal: Principal, query: str, filters: SearchFilters | None = None
    ) -> OpenedDocument | None:
        """The paper ``query`` names by nothing but its reference number, if ``principal`` may see
        exactly one such under ``filters`` (assistant/service/opening.py); None otherwise."""
        key = reference_only(query)
        found = self._retriever.documents_with_reference(key, principal, filters) if key else []
        return OpenedDocument.from_document(found[0]) if len(found) == 1 else None

    def _opening(
        self,
        principal: Principal,
        question: str,
        filters: SearchFilters | None,
        history: Sequence[Turn],
        mode: str | None,
        explain: bool = False,
    ) -> AnswerStream:
        """The answerer's stream for ``question`` as ``principal`` (with the labels of the bodies
        it may see, filters resolved), naming the paper a bare reference opens."""
        principal = self._bodies.principal(principal)
        filters = self._filters(principal, filters)
        if self._process_answers is not None and (filters is None or filters.is_empty):
            answered = self._process_answers.stream(principal, question, history, mode)
            if answered is not None:
                return answered
        stream = self._answerer.stream(question, principal, filters, history, mode, explain)
        return with_opened(stream, self.opened_by(principal, question, filters))

    # -- finding one document -------------------------------------------------------------------

    def _find(self, principal: Principal, wanted: str, by_reference: bool) -> DocumentInfo:
        if by_reference:
            wanted = wanted.strip()[:_MAX_WANTED_CHARS]
        documents = self._store.documents()
        found = documents.get(wanted)
        if found is not None and may_see(principal, found):
            return found
        if by_reference and wanted:
            matches = [doc for doc in visible(principal, documents.values()) if doc.reference == wanted]
            if len(matches) == 1:
                return matches[0]
        raise NotFoundError(f"no document {wanted[:_MAX_WANTED_CHARS]!r}", german="Dokument nicht gefunden.")

    def _find_for_change(self, principal: Principal, wanted: str) -> DocumentInfo:
        """By id or reference; a reference naming several documents is refused with their ids."""
        documents = {doc.doc_id: doc for doc in self.visible_documents(principal)}
        if wanted in documents:
            return documents[wanted]
        matches = [doc for doc in documents.values() if doc.reference == wanted]
        if not matches:
            raise NotFoundError(
                f"no document with id or reference {wanted!r}",
                german=f"Kein Dokument mit der Kennung oder dem Aktenzeichen {wanted!r}.",
            )
        if len(matches) > 1:
            ids = ", ".join(f"{doc.doc_id} ({doc.title[:50]})" for doc in matches)
            raise InvalidRequestError(
                f"reference {wanted!r} names {len(matches)} documents: {ids}",
                german=f"Das Aktenzeichen {wanted!r} passt auf {len(matches)} Dokumente: {ids}",
            )
        return matches[0]
