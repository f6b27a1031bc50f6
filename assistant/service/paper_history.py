"""The path of one paper: its consultations with results and minutes, its state, its linked papers.

Built for one principal: only the consultations, linked papers and minutes it may see. The
minutes of a consultation are searched in the meeting's results protocol, then its verbatim
protocol, when those documents are indexed and visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from assistant.access import Principal
from assistant.service.minutes import minutes_passage
from assistant.service.paper_index import PaperIndex
from assistant.service.process_models import (
    LinkedPaperOut,
    MinutesPassage,
    PaperHistoryOut,
    PaperRef,
    StateOut,
    StepOut,
)
from assistant.service.visibility import may_see
from assistant.store.process_views import StepView
from assistant.store.store import Store
from ingest.process.records import RELATED, SUBORDINATED, SUPERORDINATED
from ingest.process.state import in_body, paper_state
from ingest.records import DocumentInfo

RELATIONS = {SUPERORDINATED: "übergeordnet", SUBORDINATED: "untergeordnet", RELATED: "verwandt"}


def paper_ref(index: PaperIndex, document: DocumentInfo) -> PaperRef:
    """Reference, title, type as stated (OParl) or normalised, date and originator of a paper."""
    paper = index.paper(document.doc_id)
    return PaperRef(
        doc_id=document.doc_id,
        reference=document.reference,
        title=document.title,
        paper_type=(paper.paper_type if paper else "") or document.paper_type,
        date=document.date,
        originator=document.originator,
    )


class HistoryBuilder:
    """Builds ``PaperHistoryOut`` for one principal (already granted its bodies' labels)."""

    def __init__(self, index: PaperIndex, store: Store, principal: Principal, today: date) -> None:
        self._index = index
        self._store = store
        self._principal = principal
        self._today = today
        self._documents: Mapping[str, DocumentInfo] = store.documents()
        self.cited: list[str] = []  # documents the history names (for the audit record)

    def history(self, document: DocumentInfo) -> PaperHistoryOut:
        steps = self._index.visible_steps(self._principal, document)
        self.cited.append(document.doc_id)
        return PaperHistoryOut(
            **paper_ref(self._index, document).model_dump(),
            url=document.url,
            steps=[self._step(step) for step in steps],
            state=StateOut.of(paper_state(steps, self._today)),
            linked=self._linked(document),
        )

    def _visible(self, doc_id: str) -> DocumentInfo | None:
        document = self._documents.get(doc_id) if doc_id else None
        return document if document is not None and may_see(self._principal, document) else None

    def _step(self, step: StepView) -> StepOut:
        return StepOut(
            date=step.day,
            body="; ".join(step.bodies),
            role=step.role,
            authoritative=step.authoritative,
            public=step.public,
            meeting_id=step.meeting_key,
            meeting=step.meeting_name,
            cancelled=step.meeting_cancelled,
            agenda_item=step.number,
            agenda_item_title=step.item_name,
            result=step.result,
            outcome=step.outcome,
            resolution_text=step.resolution_text,
            minutes=self._minutes(step),
        )

    def _minutes(self, step: StepView) -> MinutesPassage | None:
        if not step.item_name:
            return None
        for doc_id in (step.results_protocol_doc, step.verbatim_protocol_doc):
            protocol = self._visible(doc_id)
            if protocol is None:
                continue
            chunk = minutes_passage(self._store.catalog.chunks_of(doc_id), step.number, step.item_name)
            if chunk is not None:
                self.cited.append(doc_id)
                return MinutesPassage(
                    doc_id=doc_id,
                    title=protocol.title,
                    page=chunk.page,
                    start=chunk.start,
                    end=chunk.end,
                    text=chunk.text,
                )
        return None

    def _linked(self, document: DocumentInfo) -> list[LinkedPaperOut]:
        paper = self._index.paper(document.doc_id)
        if paper is None:
            return []
        linked = []
        for link in self._index.views.links(paper.paper_id):
            other = self._visible(self._index.doc_of(link.linked_id) or "")
            if other is None:
                continue
            self.cited.append(other.doc_id)
            linked.append(
                LinkedPaperOut(
                    **paper_ref(self._index, other).model_dump(),
                    relation=RELATIONS.get(link.kind, link.kind),
                    kind=link.kind,
                    state=StateOut.of(self._index.state(self._principal, other, self._today)),
                )
            )
        return sorted(linked, key=lambda item: (item.date or date.min, item.reference))


def history_text(history: PaperHistoryOut) -> str:
    """The history as German plain text, one line per step (a source for answers)."""
    head = " ".join(part for part in (history.paper_type, history.reference) if part)
    lines = [f"{head}: {history.title}".strip(": "), f"Stand: {history.state.text}"]
    for step in history.steps:
        when = f"{step.date:%d.%m.%Y}" if step.date else "ohne Termin"
        item = " ".join(
            part
            for part in (f"TOP {step.agenda_item}" if step.agenda_item else "", step.agenda_item_title)
            if part
        )
        parts = [
            when,
            in_body(step.body),
            step.role,
            item,
            f"Ergebnis: {step.result}" if step.result else "kein Ergebnis",
        ]
        lines.append("- " + ", ".join(part for part in parts if part))
    for other in history.linked:
        lines.append(
            f"{other.relation}: {other.paper_type} {other.reference} {other.title} ({other.state.text})"
        )
    return "\n".join(lines)
