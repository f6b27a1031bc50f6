"""Records the store hands to retrieval and answering (library types never leave the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ingest.records import ConsultationStep


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """Everything the catalog knows about one document, except its page texts."""

    doc_id: str
    source: str  # path as given on the command line, or URL
    root: str  # absolute folder (or source URL) the document was ingested from; used by --prune
    content_hash: str
    media_type: str
    title: str
    reference: str = ""
    date: date | None = None
    paper_type: str = ""
    originator: str = ""
    subject: str = ""
    municipality: str = ""
    consultations: tuple[ConsultationStep, ...] = ()
    url: str = ""
    access: frozenset[str] = field(default_factory=lambda: frozenset({"public"}))
    page_count: int = 0
    chunk_count: int = 0

    @property
    def bodies(self) -> tuple[str, ...]:
        return tuple(step.body for step in self.consultations)


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

    paper_types: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    body: str = ""  # substring of a body in the Beratungsfolge, case-insensitive
    originator: str = ""  # substring of the originator, case-insensitive
    reference: str = ""  # exact reference number

    @property
    def is_empty(self) -> bool:
        return self == SearchFilters()

    @property
    def needs_document_list(self) -> bool:
        """Substring filters cannot be expressed as Chroma metadata conditions."""
        return bool(self.body or self.originator)

    def matches(self, document: DocumentInfo) -> bool:
        if self.paper_types and document.paper_type.casefold() not in {
            paper_type.casefold() for paper_type in self.paper_types
        }:
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
