"""The JSON shapes of search and ask, shared by the CLI (--json) and the HTTP API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from assistant.models import Passage, ProcessRecord
from ingest.records import DocumentInfo


class SearchHit(BaseModel):
    doc_id: str
    reference: str
    title: str
    paper_type: str = Field(description="The type as the source states it.")
    paper_family: str = Field(description="Its normalised family (Antrag, Anfrage, …), '' if none fits.")
    date: date | None
    body: str = Field(description="Bodies of the Beratungsfolge, joined with '; '.")
    source: str = Field(description="File path as given at ingest, or the URL of a web source.")
    page: int
    section: str
    text: str
    start: int = Field(description="Offset of the passage in the page text.")
    end: int
    score: float

    @classmethod
    def from_passage(cls, passage: Passage) -> SearchHit:
        document, chunk = passage.document, passage.chunk
        return cls(
            doc_id=document.doc_id,
            reference=document.reference,
            title=document.title,
            paper_type=document.paper_type,
            paper_family=document.paper_family,
            date=document.date,
            body="; ".join(dict.fromkeys(document.bodies)),
            source=document.source,
            page=chunk.page,
            section=chunk.section,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            score=round(passage.score, 6),
        )


class OpenedDocument(BaseModel):
    """The paper a query names by nothing but its reference number: clients open it."""

    doc_id: str
    reference: str
    title: str
    paper_type: str
    date: date | None

    @classmethod
    def from_document(cls, document: DocumentInfo) -> OpenedDocument:
        return cls(
            doc_id=document.doc_id,
            reference=document.reference,
            title=document.title,
            paper_type=document.paper_type,
            date=document.date,
        )


_OPENED = (
    'The visible paper whose reference number is the whole query ("Drucksache 2025/0190"), '
    "to be opened; null otherwise."
)


class SearchResponse(BaseModel):
    query: str
    results: list[SearchHit]
    opened: OpenedDocument | None = Field(default=None, description=_OPENED)


class Citation(BaseModel):
    """A source of the answer: a passage of a document (``kind`` "passage": page and offsets), or
    a record of the council process (``kind`` "record": ``record`` says which meeting, agenda item
    and result; ``text`` is the record written out, ``page`` 0; ``doc_id`` the paper, or "" for a
    meeting without a visible document)."""

    n: int = Field(description="The number used in the answer's [n] markers.")
    kind: str = Field(
        default="passage", description="'passage' (a document's text) or 'record' (process data)."
    )
    doc_id: str
    reference: str
    title: str
    paper_type: str
    paper_family: str
    date: date | None
    source: str
    url: str
    page: int
    text: str = Field(description="The cited passage (a chunk) as it stands in the page.")
    start: int = Field(description="Offset of the passage in the page text.")
    end: int
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="Page offsets of the sentences the answer quotes."
    )
    score: float
    record: ProcessRecord | None = Field(
        default=None, description="For a record: the meeting, agenda item, body, date and result it holds."
    )


class AnswerSentence(BaseModel):
    text: str = Field(description="A sentence of the LLM's answer, without its markers.")
    citations: list[int] = Field(
        default_factory=list, description="Numbers of the citations that support it (empty if removed)."
    )
    supported: bool = Field(description="Whether the cited passages support it (else it was removed).")


class RemovedSentence(BaseModel):
    text: str
    reason: str = Field(description="Why it was removed (German): no marker, unknown source, unsupported.")


class ConsideredDocument(BaseModel):
    doc_id: str
    reference: str
    title: str
    semantic: float = Field(description="Cosine of the question with the document's best passage.")
    lexical: float = Field(description="Share of the question's weighted key words in its passages.")
    evidence: float = Field(description="The abstention evidence of this document (see README).")
    set_aside: str = Field(default="", description="Why none of its sentences is quoted (German).")


class ConsideredSentence(BaseModel):
    text: str
    doc_id: str
    reference: str
    page: int
    retrieved: bool = Field(description="In a retrieved passage (else in a chunk next to one).")
    semantic: float | None = Field(description="Cosine with the question; None: not compared.")
    lexical: float
    states_kind: bool = Field(description="States a new fact of the kind each question part asks for.")
    score: float
    quoted: bool
    reason: str = Field(default="", description="Why it was not quoted (German).")


class AnswerTrace(BaseModel):
    """How the extractive answer was chosen: for evaluation reports, not shown to users."""

    kinds: list[str] = Field(description="The kind of fact each part of the question asks for.")
    evidence: float
    min_evidence: float
    documents: list[ConsideredDocument]
    sentences: list[ConsideredSentence] = Field(description="Quoted first, then the others by score.")


class AskResponse(BaseModel):
    question: str
    answer: str = Field(description="Only supported sentences, each ending in its [n] markers.")
    abstained: bool
    mode: str = Field(description="'llm' or 'extractive' (also when the LLM failed; see notice).")
    citations: list[Citation]
    notice: str = Field(
        default="", description="Why the answer is not what was asked for, e.g. an LLM fallback."
    )
    standalone_question: str = Field(
        default="", description="A follow-up question as retrieved, with the conversation filled in."
    )
    sentences: list[AnswerSentence] = Field(
        default_factory=list, description="LLM mode: every sentence the model wrote and its check."
    )
    removed: list[RemovedSentence] = Field(
        default_factory=list, description="LLM mode: sentences kept from the user, with the reason."
    )
    opened: OpenedDocument | None = Field(default=None, description=_OPENED)
    trace: AnswerTrace | None = Field(
        default=None, description="With explain: how the extractive answer chose its sentences."
    )
    process: str = Field(
        default="",
        description="The kind of process question answered from the council's data (ergebnis, termin, "
        "tagesordnung, liste, frühere); '' for an answer from the documents' text.",
    )


class ConsultationOut(BaseModel):
    body: str
    date: date | None
    public: bool | None
    role: str
    result: str = Field("", description="The result as the source states it (e.g. an ALLRIS page).")


class PageOut(BaseModel):
    number: int
    text: str


class DocumentOut(BaseModel):
    doc_id: str
    reference: str
    title: str
    paper_type: str
    paper_family: str
    date: date | None
    originator: str
    subject: str
    municipality: str
    source: str
    url: str
    media_type: str
    consultations: list[ConsultationOut]
    pages: list[PageOut]

    @classmethod
    def from_document(cls, document: DocumentInfo, pages: list[PageOut]) -> DocumentOut:
        return cls(
            doc_id=document.doc_id,
            reference=document.reference,
            title=document.title,
            paper_type=document.paper_type,
            paper_family=document.paper_family,
            date=document.date,
            originator=document.originator,
            subject=document.subject,
            municipality=document.municipality,
            source=document.source,
            url=document.url,
            media_type=document.media_type,
            consultations=[
                ConsultationOut(body=s.body, date=s.date, public=s.public, role=s.role, result=s.result)
                for s in document.consultations
            ],
            pages=pages,
        )


class StatsResponse(BaseModel):
    documents: int
    pages: int
    chunks: int
    paper_types: dict[str, int] = Field(description="Documents per type as stated.")
    paper_families: dict[str, int] = Field(description="Documents per family ('' for none).")
    build: dict[str, object]
    data_dir: str
