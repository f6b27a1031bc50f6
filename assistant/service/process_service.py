"""The council process for the CLI, the API and the UI: a paper's path, meetings and agendas,
lists over results and bodies, earlier papers on the same subject.

Like ``AssistantService``, every operation acts as a caller and applies the access rule here:
the paper (a document) must be visible to the caller (granted its bodies' labels), and
non-public consultations, agenda items and meetings only reach members of their bodies' groups
(``BodyAccess``). A paper the caller may not see is exactly as missing as none (NotFoundError).
Each operation writes one audit record naming the documents it returned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from assistant.access import Principal
from assistant.audit import AuditLog, filters_to_dict
from assistant.errors import InvalidRequestError, NotFoundError
from assistant.models import SearchFilters
from assistant.retrieval import HybridRetriever
from assistant.service.body_access import BodyAccess
from assistant.service.caller import Caller
from assistant.service.meetings import MeetingReader
from assistant.service.paper_history import HistoryBuilder, paper_ref
from assistant.service.paper_index import PaperIndex
from assistant.service.paper_lists import matching_rows, page_of, rows_csv
from assistant.service.process_models import (
    MeetingDetailOut,
    MeetingListOut,
    MeetingOut,
    PaperHistoryOut,
    PaperListOut,
    PaperRowOut,
    RelatedPaperOut,
    RelatedPapersOut,
    StateOut,
)
from assistant.service.recorder import AuditRecorder
from assistant.service.related import related_documents
from assistant.service.visibility import may_see, visible
from assistant.store.process_views import ProcessViews
from assistant.store.store import Store
from ingest.records import DocumentInfo

_MAX_WANTED_CHARS = 200


class ProcessService:
    """History, meetings, paper lists and related papers over one store, audited to one log."""

    def __init__(
        self,
        store: Store,
        retriever: HybridRetriever,
        recorder: AuditRecorder,
        body_access: BodyAccess | None = None,
        today: Callable[[], date] = date.today,
        index: PaperIndex | None = None,
    ) -> None:
        self._store = store
        self._retriever = retriever
        self._recorder = recorder
        self._access = body_access or BodyAccess()
        self._today = today
        self.index = index or PaperIndex(store, ProcessViews(store.catalog), self._access)
        self._meetings = MeetingReader(self.index)

    def audited_by(self, log: AuditLog) -> ProcessService:
        """The same service writing its records to ``log`` (the server's, shared with its users)."""
        return ProcessService(
            self._store, self._retriever, AuditRecorder.to(log), self._access, self._today, self.index
        )

    def today(self) -> date:
        """The day states are computed for ("offen: nächste Beratung …")."""
        return self._today()

    # -- reads for one principal, without an audit record ------------------------------------
    # For operations of the service layer that write their own record (an answer built from the
    # process, the UI's helpers); ``principal`` is the caller's: its bodies' labels are granted
    # here, and every rule of the audited operations below applies alike.

    def find_paper(self, principal: Principal, wanted: str) -> DocumentInfo:
        """A visible document by id, or by a reference naming exactly one visible paper."""
        principal = self._access.principal(principal)
        wanted = wanted.strip()[:_MAX_WANTED_CHARS]
        documents = self._store.documents()
        found = documents.get(wanted)
        if found is not None and may_see(principal, found):
            return found
        matches = [
            doc
            for doc in visible(principal, documents.values())
            if wanted and doc.reference == wanted and not self.index.is_meeting_document(doc.doc_id)
        ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            ids = ", ".join(doc.doc_id for doc in matches[:10])
            raise InvalidRequestError(f"reference {wanted!r} names {len(matches)} documents: {ids}")
        raise NotFoundError(f"no paper {wanted!r}")

    def history_of(self, principal: Principal, wanted: str) -> tuple[PaperHistoryOut, list[str]]:
        """The history of a paper and the documents it names (paper, linked papers, minutes)."""
        document = self.find_paper(principal, wanted)
        builder = HistoryBuilder(self.index, self._store, self._access.principal(principal), self._today())
        history = builder.history(document)
        return history, list(dict.fromkeys(builder.cited))

    def meetings_of(
        self, principal: Principal, body: str = "", date_from: date | None = None, date_to: date | None = None
    ) -> MeetingListOut:
        return self._meetings.meetings(self._access.principal(principal), body, date_from, date_to)

    def meeting_of(self, principal: Principal, meeting_id: str) -> MeetingDetailOut:
        return self._meetings.meeting(self._access.principal(principal), meeting_id.strip())

    def papers_of(self, principal: Principal, filters: SearchFilters) -> list[PaperRowOut]:
        """Every paper matching ``filters``, newest first."""
        principal = self._access.principal(principal)
        documents = visible(principal, self._store.documents().values())
        return matching_rows(self.index, principal, documents, filters, self._today())

    def related_of(self, principal: Principal, wanted: str, k: int = 10) -> RelatedPapersOut:
        """The ``k`` most similar earlier papers, each with its state."""
        if not 1 <= k <= 50:
            raise InvalidRequestError("k must be between 1 and 50")
        principal = self._access.principal(principal)
        document = self.find_paper(principal, wanted)
        chunks = self._store.catalog.chunks_of(document.doc_id)
        found = related_documents(
            self._retriever.search,
            principal,
            document,
            chunks[0].text if chunks else "",
            self._exclude(document),
            k,
        )
        today = self._today()
        related = [
            RelatedPaperOut(
                **paper_ref(self.index, other).model_dump(),
                score=score,
                state=StateOut.of(self.index.state(principal, other, today)),
            )
            for other, score in found
        ]
        return RelatedPapersOut(**paper_ref(self.index, document).model_dump(), related=related)

    def outcome_documents(self, principal: Principal, outcome: str) -> frozenset[str]:
        """Documents whose last visible result has ``outcome`` (for the search filter)."""
        return frozenset(row.doc_id for row in self.papers_of(principal, SearchFilters(result=outcome)))

    # -- audited operations -------------------------------------------------------------------

    def history(self, caller: Caller, wanted: str) -> PaperHistoryOut:
        """The path of a paper (by document id or reference) through the bodies."""
        with self._recorder.operation(caller, "history", wanted[:_MAX_WANTED_CHARS]) as entry:
            history, entry.returned = self.history_of(caller.principal, wanted)
        return history

    def meetings(
        self, caller: Caller, body: str = "", date_from: date | None = None, date_to: date | None = None
    ) -> MeetingListOut:
        """Meetings (of bodies whose name contains ``body``) in a date range, earliest first."""
        with self._recorder.operation(caller, "meetings", body) as entry:
            entry.filters = {
                key: value.isoformat() if isinstance(value, date) else value
                for key, value in (("body", body), ("date_from", date_from), ("date_to", date_to))
                if value
            }
            found = self.meetings_of(caller.principal, body, date_from, date_to)
            entry.returned = [doc for meeting in found.meetings for doc in _meeting_docs(meeting)]
        return found

    def meeting(self, caller: Caller, meeting_id: str) -> MeetingDetailOut:
        """A meeting with its agenda: each item's result and paper."""
        with self._recorder.operation(caller, "meeting", meeting_id[:_MAX_WANTED_CHARS]) as entry:
            found = self.meeting_of(caller.principal, meeting_id)
            papers = [item.paper.doc_id for item in found.agenda if item.paper is not None]
            entry.returned = list(dict.fromkeys([*_meeting_docs(found), *papers]))
        return found

    def papers(
        self, caller: Caller, filters: SearchFilters, page: int = 1, per_page: int = 50
    ) -> PaperListOut:
        """Papers matching ``filters`` (results and bodies of their consultations included)."""
        with self._recorder.operation(caller, "papers") as entry:
            entry.filters = filters_to_dict(filters) | {"page": page, "per_page": per_page}
            listed = page_of(self.papers_of(caller.principal, filters), page, per_page)
            entry.returned = [row.doc_id for row in listed.papers]
        return listed

    def papers_csv(self, caller: Caller, filters: SearchFilters) -> str:
        """Every paper matching ``filters`` as CSV (one record: "papers-csv")."""
        with self._recorder.operation(caller, "papers-csv") as entry:
            entry.filters = filters_to_dict(filters)
            rows = self.papers_of(caller.principal, filters)
            entry.returned = [row.doc_id for row in rows]
        return rows_csv(rows)

    def related(self, caller: Caller, wanted: str, k: int = 10) -> RelatedPapersOut:
        """The ``k`` most similar earlier papers, each with its state."""
        with self._recorder.operation(caller, "related", wanted[:_MAX_WANTED_CHARS]) as entry:
            found = self.related_of(caller.principal, wanted, k)
            entry.returned = [found.doc_id, *(item.doc_id for item in found.related)]
        return found

    # -- helpers ------------------------------------------------------------------------------

    def _exclude(self, document: DocumentInfo) -> set[str]:
        """The paper's linked papers and every meeting document."""
        excluded = {doc_id for doc_id in self._store.documents() if self.index.is_meeting_document(doc_id)}
        paper = self.index.paper(document.doc_id)
        if paper is not None:
            for link in self.index.views.links(paper.paper_id):
                linked = self.index.doc_of(link.linked_id)
                if linked:
                    excluded.add(linked)
        return excluded


def _meeting_docs(meeting: MeetingOut) -> list[str]:
    found = (meeting.invitation_doc, meeting.results_protocol_doc, meeting.verbatim_protocol_doc)
    return [doc_id for doc_id in found if doc_id]
