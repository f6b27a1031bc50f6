"""Typed records passed between the ingestion stages.

source file --read--> RawDocument --extract--> ExtractedDocument
            --parse metadata--> CouncilMetadata --chunk--> Chunk (many per document)
            --prepare--> DocumentInfo (the catalog's record of the document)

Every stage is a function from one record to the next; only readers and the store do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ingest.access_labels import PUBLIC


@dataclass(slots=True)
class Failure:
    """A source (file, URL, OParl object) that could not be read or indexed, and why.

    Also used for a document indexed with gaps (pages whose text could not be read).
    """

    source: str
    error: str  # English: logs and the JSON report
    message: str = ""  # German, for people; "" when the one who failed gave none


@dataclass(frozen=True, slots=True)
class Note:
    """Something a reader of the ingest report should know about an indexed document."""

    english: str
    german: str


@dataclass(frozen=True, slots=True)
class Page:
    """The text of one page as extracted; chunk offsets index into ``text``."""

    number: int  # 1-based
    text: str


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A source file (or downloaded file) before extraction."""

    doc_id: str  # stable: derived from the source kind and the absolute path or URL
    source: str  # the path as given on the command line, or the URL
    data: bytes
    suffix: str  # lower-case file suffix incl. dot (".pdf"); decides the extractor
    content_hash: str  # sha256 of ``data``
    extra: dict[str, str] = field(default_factory=dict)  # sidecar metadata (e.g. "url")
    # Metadata from the source system (e.g. OParl), preferred over what the text parser finds.
    known: CouncilMetadata | None = None
    # Metadata of the source system used only where neither it nor the text states a value (the
    # office directing an OParl paper stands in for an originator the text does not name).
    fallback: CouncilMetadata | None = None


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """The text of a document, page by page."""

    raw: RawDocument
    pages: tuple[Page, ...]
    title_hint: str = ""  # e.g. the HTML <title> or the PDF title property
    notes: tuple[Note, ...] = ()  # e.g. pages left empty because their text layer is unreadable

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)


@dataclass(frozen=True, slots=True)
class ConsultationStep:
    """One line of the Beratungsfolge: which body deals with the paper, when, how."""

    body: str
    date: date | None = None
    public: bool | None = None  # None: not stated
    role: str = ""  # e.g. "Entscheidung", "Vorberatung", "Kenntnisnahme"
    result: str = ""  # as the source states it (an ALLRIS page's Beschlussart); "" when none


@dataclass(frozen=True, slots=True)
class CouncilMetadata:
    """Metadata of a council paper as found in its text. Empty means 'not stated'."""

    reference: str = ""  # e.g. "A0078/25", "VIII/2025/00836", "2025/0146"
    date: date | None = None
    paper_type: str = ""  # as the source states it: "Beschlussempfehlung", "Interfraktioneller Antrag"
    paper_family: str = ""  # one of ingest.metadata.PAPER_FAMILIES ("Antrag", ...), or "" if none fits
    originator: str = ""  # Fraktion / Dezernat / Amt as written
    subject: str = ""  # Gegenstand / Betreff / title line
    consultations: tuple[ConsultationStep, ...] = ()
    municipality: str = ""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of one page; ``page_text[start:end] == text``."""

    doc_id: str
    index: int  # position within the document, 0-based
    page: int
    section: str  # heading of the document section it belongs to ("" before the first)
    start: int
    end: int
    text: str

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}:{self.index}"


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
    paper_type: str = ""  # as the source states it
    paper_family: str = ""  # normalised family for filters and facets, "" when none fits
    originator: str = ""
    subject: str = ""
    municipality: str = ""
    consultations: tuple[ConsultationStep, ...] = ()
    url: str = ""
    access: frozenset[str] = field(default_factory=lambda: frozenset({PUBLIC}))
    page_count: int = 0
    chunk_count: int = 0

    @property
    def bodies(self) -> tuple[str, ...]:
        return tuple(step.body for step in self.consultations)
