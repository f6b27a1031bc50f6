"""What a follower of a paper is told: the paper's steps, results, minutes, links and files as events.

Each event has a key that stays the same while the fact stays the same: a consultation by its
id (a folder document's by body, date and role), an agenda item by its id, a result by its
consultation and its wording (a changed result is news), minutes and linked papers by their
document, the paper's files by a hash of its text. A follow keeps the keys its user has been
told; after a run, the events whose keys are new are the news.

Events are computed for one principal (already granted its bodies' labels): a non-public step
the principal may not see, or a linked paper or protocol it may not see, makes no event. Each
event also carries what decides its visibility (``public``, ``bodies``, ``doc_ids``), so that an
alert stored now is checked again, as its user, whenever it is shown or sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from assistant.access import Principal
from assistant.service.paper_history import RELATIONS
from assistant.service.paper_index import PaperIndex
from assistant.service.visibility import may_see
from assistant.store.process_views import StepView
from assistant.store.store import Store
from ingest.process.state import in_body
from ingest.records import DocumentInfo

CONSULTATION, AGENDA, RESULT, MINUTES, LINKED, FILE = (
    "consultation",
    "agenda",
    "result",
    "minutes",
    "linked",
    "file",
)


@dataclass(frozen=True, slots=True)
class PaperEvent:
    key: str
    kind: str  # one of the names above
    text: str  # German, one line
    public: bool | None = None  # of the step it is about (None: public or not stated)
    bodies: tuple[str, ...] = ()  # ids and names of that step's bodies
    doc_ids: tuple[str, ...] = ()  # other documents the event names (minutes, linked paper)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _day(step: StepView) -> str:
    return f"am {step.day:%d.%m.%Y}" if step.day else "ohne Termin"


def _step_key(document: DocumentInfo, step: StepView) -> str:
    """A consultation's lasting key: its id, or for a folder document what its text states."""
    if step.consultation_id.startswith(f"{document.doc_id}#"):
        return f"{';'.join(step.bodies)}|{step.day}|{step.role}"
    return step.consultation_id


def _step_events(document: DocumentInfo, step: StepView) -> list[PaperEvent]:
    key = _step_key(document, step)
    where = in_body("; ".join(step.bodies)) or "Beratung"
    public, bodies = step.public, (*step.organizations, *step.bodies)
    role = f" ({step.role})" if step.role else ""
    events = [PaperEvent(f"step:{key}", CONSULTATION, f"Beratung {where} {_day(step)}{role}", public, bodies)]
    if step.agenda_item_id:
        top = f", TOP {step.number}" if step.number else ""
        meeting = step.meeting_name or "Sitzung"
        text = f"Auf der Tagesordnung: {meeting} {_day(step)}{top}"
        events.append(PaperEvent(f"item:{step.agenda_item_id}", AGENDA, text, public, bodies))
    if step.result:
        outcome = f" ({step.outcome})" if step.outcome and step.outcome != step.result else ""
        text = f"Ergebnis {where} {_day(step)}: {step.result}{outcome}"
        events.append(PaperEvent(f"result:{key}:{step.result}", RESULT, text, public, bodies))
    return events


class PaperEvents:
    """The events of followed papers, for one principal at a time."""

    def __init__(self, index: PaperIndex, store: Store) -> None:
        self._index = index
        self._store = store

    def events(self, principal: Principal, document: DocumentInfo) -> list[PaperEvent]:
        """Every event of ``document`` that ``principal`` may see, in the order of its history."""
        documents = self._store.documents()
        found: list[PaperEvent] = []
        for step in self._index.visible_steps(principal, document):
            found.extend(_step_events(document, step))
            for doc_id in dict.fromkeys((step.results_protocol_doc, step.verbatim_protocol_doc)):
                protocol = documents.get(doc_id) if doc_id else None
                if protocol is not None and may_see(principal, protocol):
                    text = f"Niederschrift: {protocol.title}"
                    found.append(PaperEvent(f"minutes:{doc_id}", MINUTES, text, doc_ids=(doc_id,)))
        found.extend(self._linked(principal, document, documents))
        found.append(self._file(document))
        return list({event.key: event for event in found}.values())

    def _linked(
        self, principal: Principal, document: DocumentInfo, documents: Mapping[str, DocumentInfo]
    ) -> list[PaperEvent]:
        paper = self._index.paper(document.doc_id)
        if paper is None:
            return []
        found = []
        for link in self._index.views.links(paper.paper_id):
            other = documents.get(self._index.doc_of(link.linked_id) or "")
            if other is None or not may_see(principal, other):
                continue
            label = " ".join(part for part in (other.reference, other.title) if part)
            text = f"Verknüpfte Vorlage ({RELATIONS.get(link.kind, link.kind)}): {label}"
            found.append(PaperEvent(f"link:{other.doc_id}", LINKED, text, doc_ids=(other.doc_id,)))
        return found

    def _file(self, document: DocumentInfo) -> PaperEvent:
        """The paper's files: its page texts (a new or changed file changes them)."""
        pages = "eine Seite" if document.page_count == 1 else f"{document.page_count} Seiten"
        text = f"Neue oder geänderte Datei: das Dokument hat jetzt {pages}"
        return PaperEvent(f"file:{text_digest(self._store, document.doc_id)}", FILE, text)


def text_digest(store: Store, doc_id: str) -> str:
    """A hash of a document's page texts: it changes with its files, not with its metadata
    (an OParl paper's new consultation changes its content hash, not its text)."""
    digest = hashlib.sha256()
    for page in store.catalog.pages(doc_id):
        digest.update(page.text.encode("utf-8"))
        digest.update(b"\f")
    return digest.hexdigest()[:24]
