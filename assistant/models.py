"""Records the store hands to retrieval and answering (library types never leave the store)."""

from __future__ import annotations

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
class Passage:
    """A retrieved chunk with its document and fused retrieval score."""

    chunk: StoredChunk
    document: DocumentInfo
    score: float


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
