"""The process facts of every document, read once per change of the store, for the services.

For a paper crawled from OParl its consultations come from the process tables (with meeting
and agenda item); for a document read from a folder, from the Beratungsfolge its text or its
ALLRIS page states (``DocumentInfo.consultations``), keyed by the document. Both become
``StepView``s in date order. The documents of meetings (invitations, protocols) are no papers.
Which steps a principal may see is decided here, with ``BodyAccess``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from assistant.access import Principal
from assistant.service.body_access import BodyAccess
from assistant.store.process_views import PaperView, ProcessViews, StepView
from assistant.store.store import Store
from ingest.process.results import normalize_result
from ingest.process.state import PaperState, paper_state
from ingest.records import DocumentInfo


def _order(step: StepView) -> tuple[date, int]:
    return (step.day or date.max, step.position)


def folder_steps(document: DocumentInfo) -> list[StepView]:
    """The Beratungsfolge a document states, as steps without meeting or agenda item."""
    return [
        StepView(
            consultation_id=f"{document.doc_id}#{position}",
            paper_id=document.doc_id,
            position=position,
            role=step.role,
            authoritative=None,
            organizations=(),
            bodies=tuple(body.strip() for body in step.body.split(";") if body.strip()),
            meeting_id="",
            meeting_key="",
            meeting_name="",
            meeting_start="",
            day=step.date,
            meeting_cancelled=False,
            meeting_public=None,
            invitation_doc="",
            results_protocol_doc="",
            verbatim_protocol_doc="",
            agenda_item_id="",
            number="",
            item_name="",
            item_public=step.public,
            result=step.result,
            outcome=normalize_result(step.result),
            resolution_text="",
        )
        for position, step in enumerate(document.consultations)
    ]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    key: tuple[int, int]
    papers: dict[str, PaperView]  # by document id (OParl papers)
    paper_docs: dict[str, str]  # paper id → document id
    steps: dict[str, list[StepView]]  # document id → steps in date order (OParl papers)
    meeting_docs: frozenset[str]


class PaperIndex:
    """Process facts per document id, cached until the catalog or the process tables change."""

    def __init__(self, store: Store, views: ProcessViews, access: BodyAccess) -> None:
        self._store = store
        self.views = views
        self.access = access
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    def _current(self) -> _Snapshot:
        key = (self.views.generation(), self._store.catalog.generation)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.key == key:
            return snapshot
        with self._lock:
            if self._snapshot is not None and self._snapshot.key == key:
                return self._snapshot
            papers = self.views.papers()
            paper_docs = {paper.paper_id: doc_id for doc_id, paper in papers.items()}
            steps = {
                paper_docs[paper_id]: sorted(found, key=_order)
                for paper_id, found in self.views.steps().items()
                if paper_id in paper_docs
            }
            meeting_docs = frozenset(
                doc_id
                for meeting in self.views.meetings()
                for doc_id in (
                    meeting.invitation_doc,
                    meeting.results_protocol_doc,
                    meeting.verbatim_protocol_doc,
                )
                if doc_id
            )
            self._snapshot = _Snapshot(key, papers, paper_docs, steps, meeting_docs)
            return self._snapshot

    # -- facts -------------------------------------------------------------------------------

    def paper(self, doc_id: str) -> PaperView | None:
        """The OParl paper a document is, if it is one."""
        return self._current().papers.get(doc_id)

    def doc_of(self, paper_id: str) -> str | None:
        return self._current().paper_docs.get(paper_id)

    def is_meeting_document(self, doc_id: str) -> bool:
        return doc_id in self._current().meeting_docs

    def steps(self, document: DocumentInfo) -> list[StepView]:
        """All consultations of a document (OParl paper or folder document), in date order."""
        found = self._current().steps.get(document.doc_id)
        if found is not None or document.doc_id in self._current().papers:
            return list(found or [])
        return sorted(folder_steps(document), key=_order)

    def visible_steps(self, principal: Principal, document: DocumentInfo) -> list[StepView]:
        """The consultations of ``document`` that ``principal`` may see."""
        return [step for step in self.steps(document) if self.may_see_step(principal, step)]

    def may_see_step(self, principal: Principal, step: StepView) -> bool:
        return self.access.may_see(principal, step.public, (*step.organizations, *step.bodies))

    def state(self, principal: Principal, document: DocumentInfo, today: date) -> PaperState:
        """Where the paper stands, from the consultations ``principal`` may see."""
        return paper_state(self.visible_steps(principal, document), today)

    def documents(self) -> Mapping[str, DocumentInfo]:
        return self._store.documents()
