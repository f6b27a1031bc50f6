"""Records the store hands to retrieval and answering (library types never leave the store)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date

from ingest.records import DocumentInfo


@dataclass(frozen=True, slots=True)
class StoredChunk:
    chunk_id: str
    doc_id: str
    index: int
    page: int
    section: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ProcessRecord:
    """A fact of the council process (a paper's path, a consultation, a meeting, an agenda item,
    a list of papers) cited as a source: what it is and where it stands in the council system.
    Its text is the passage's; a record has no page."""

    what: str  # "Verlauf", "Beratung", "Sitzung", "Tagesordnungspunkt", "Vorlage", "Vorlagenliste"
    meeting_id: str = ""  # key of the meeting (GET /api/v1/meetings/{id}); "" if none
    meeting: str = ""  # name of the meeting
    body: str = ""
    date: dt.date | None = None  # (``dt``: the field's name hides the type inside the class)
    agenda_item: str = ""  # number of the agenda item (TOP) as written
    agenda_item_title: str = ""
    result: str = ""  # in the council's words
    outcome: str = ""  # normalised (ingest/process/results.py)
    url: str = ""  # the council system's page (or OParl URL) of the object, "" if none


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with its document and fused retrieval score; or, with ``record``, a fact
    of the council process written out as text (cited as a record, not as a page passage)."""

    chunk: StoredChunk
    document: DocumentInfo
    score: float
    record: ProcessRecord | None = None


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Document-level filters, applied inside both retrievers before top-k."""

    # Each matches the type as stated or its family, case-insensitive ("" matches an untyped one).
    paper_types: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    body: str = ""  # substring of a body in the Beratungsfolge, case-insensitive
    originator: str = ""  # substring of the originator, case-insensitive
    reference: str = ""  # exact reference number
    result: str = ""  # normalised outcome of a paper's last result (ingest/process/results.py)
    # The documents that may match at all: set by the service layer (from ``result``), never by
    # a caller; None: any.
    doc_ids: frozenset[str] | None = None

    @property
    def is_empty(self) -> bool:
        return self == SearchFilters()

    @property
    def needs_document_list(self) -> bool:
        """Substring filters cannot be expressed as Chroma metadata conditions."""
        return bool(self.body or self.originator)

    def matches(self, document: DocumentInfo) -> bool:
        if self.doc_ids is not None and document.doc_id not in self.doc_ids:
            return False
        if self.paper_types:
            wanted = {paper_type.casefold() for paper_type in self.paper_types}
            family = document.paper_family.casefold()
            if document.paper_type.casefold() not in wanted and not (family and family in wanted):
                return False
        if self.reference and document.reference != self.reference:
            return False
        if self.date_from and (document.date is None or document.date < self.date_from):
            return False
        if self.date_to and (document.date is None or document.date > self.date_to):
            return False
        if self.originator and self.originator.casefold() not in document.originator.casefold():
            return False
        return not (
            self.body and not any(self.body.casefold() in body.casefold() for body in document.bodies)
        )
