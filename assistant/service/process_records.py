"""Facts of the council process as sources of an answer: record passages, and the draft that cites them.

A record passage is a ``Passage`` whose ``record`` says what it is (a paper's path, one
consultation, a meeting, an agenda item, a paper in a list) and whose text writes the fact out
in German, exactly as the data holds it: that text is what an LLM reads as a numbered source,
what the sentence check and the evaluation's judge compare with, and what a citation card shows.
The minutes of a consultation are an ordinary passage of the protocol document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from assistant.answering.extractive import citation_of
from assistant.models import Passage, ProcessRecord, StoredChunk
from assistant.schemas import AskResponse
from assistant.service.paper_history import history_text
from assistant.service.process_models import (
    AgendaItemOut,
    LinkedPaperOut,
    MeetingDetailOut,
    MeetingOut,
    MinutesPassage,
    PaperHistoryOut,
    PaperRef,
    StepOut,
)
from ingest.process.state import in_body
from ingest.records import DocumentInfo

MODE = "extractive"  # an answer composed from data writes no sentence of its own invention


def day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def label(paper: PaperRef) -> str:
    """ "Beschlussvorlage 2024/0884/3 „Konzept zur Bespielung der Seebühne“"."""
    head = " ".join(part for part in (paper.paper_type, paper.reference) if part)
    title = f"„{paper.title}“" if paper.title else ""
    return " ".join(part for part in (head, title) if part) or paper.doc_id


def step_outcome(step: StepOut, today: date) -> str:
    """What a consultation came to, in the council's words; never a result the data lacks."""
    if step.cancelled:
        return "Sitzung abgesagt"
    if step.result:
        return f"„{step.result}“"
    if step.date is not None and step.date >= today:
        return "Beratung vorgesehen"
    return "kein Ergebnis verzeichnet"


def step_place(step: StepOut) -> str:
    """ "am 25.11.2025 im Gemeinderat (Entscheidung, TOP 5)"."""
    when = f"am {day(step.date)}" if step.date else "ohne Termin"
    detail = ", ".join(
        part for part in (step.role, f"TOP {step.agenda_item}" if step.agenda_item else "") if part
    )
    place = " ".join(part for part in (when, in_body(step.body)) if part)
    return f"{place} ({detail})" if detail else place


def meeting_title(meeting: MeetingOut) -> str:
    """ "Gemeinderat am 25.11.2025" (the bodies, else the meeting's name, and the day)."""
    who = "; ".join(meeting.bodies) or meeting.name or "Sitzung"
    return f"{who} am {day(meeting.date)}" if meeting.date else who


def _chunk(key: str, doc_id: str, text: str) -> StoredChunk:
    return StoredChunk(
        chunk_id=f"record:{key}",
        doc_id=doc_id,
        index=-1,
        page=0,
        section="",
        start=0,
        end=len(text),
        text=text,
    )


def record_passage(key: str, document: DocumentInfo, text: str, record: ProcessRecord) -> Passage:
    """``text`` as a source about ``document`` (a paper, or a stand-in for a meeting)."""
    return Passage(chunk=_chunk(key, document.doc_id, text), document=document, score=1.0, record=record)


def stand_in(meeting: MeetingOut) -> DocumentInfo:
    """A meeting as the "document" of its records: no id (it is no document of the store)."""
    return DocumentInfo(
        doc_id="",
        source=meeting.url,
        root="",
        content_hash="",
        media_type="",
        title=meeting.name or meeting_title(meeting),
        date=meeting.date,
        paper_type="Sitzung",
        url=meeting.url,
    )


def history_passage(history: PaperHistoryOut, document: DocumentInfo) -> Passage:
    """The whole path of a paper (``history_text``) as one source."""
    record = ProcessRecord(
        what="Verlauf",
        body=history.state.body,
        date=history.state.date,
        outcome=history.state.outcome,
        url=history.url,
    )
    return record_passage(f"history:{document.doc_id}", document, history_text(history), record)


def step_passage(history: PaperHistoryOut, step: StepOut, document: DocumentInfo, today: date) -> Passage:
    item = f" „{step.agenda_item_title}“" if step.agenda_item_title else ""
    text = f"{label(history)}: Beratung {step_place(step)}{item}: {step_outcome(step, today)}"
    record = ProcessRecord(
        what="Beratung",
        meeting_id=step.meeting_id,
        meeting=step.meeting,
        body=step.body,
        date=step.date,
        agenda_item=step.agenda_item,
        agenda_item_title=step.agenda_item_title,
        result=step.result,
        outcome=step.outcome,
        url=history.url,
    )
    key = f"step:{document.doc_id}:{step.meeting_id}:{step.agenda_item}:{day(step.date)}:{step.body}"
    return record_passage(key, document, text, record)


def minutes_passage(minutes: MinutesPassage, protocol: DocumentInfo) -> Passage:
    """The minutes on an agenda item: a passage of the protocol, cited with page and offsets."""
    chunk = StoredChunk(
        chunk_id=f"{minutes.doc_id}:p{minutes.page}-{minutes.start}",
        doc_id=minutes.doc_id,
        index=0,
        page=minutes.page,
        section="",
        start=minutes.start,
        end=minutes.end,
        text=minutes.text,
    )
    return Passage(chunk=chunk, document=protocol, score=1.0)


def linked_passage(linked: LinkedPaperOut, document: DocumentInfo) -> Passage:
    text = f"{label(linked)} ({linked.relation}): {linked.state.text}"
    record = ProcessRecord(
        what="Vorlage",
        body=linked.state.body,
        date=linked.state.date,
        outcome=linked.state.outcome,
        url=document.url,
    )
    return record_passage(f"linked:{document.doc_id}", document, text, record)


def paper_state_passage(
    paper: PaperRef, state_text: str, state: ProcessRecord, document: DocumentInfo
) -> Passage:
    """A paper with where it stands (a related paper, a candidate, a row of a list)."""
    dated = f" vom {day(paper.date)}" if paper.date else ""
    who = f", Einreicher: {paper.originator}" if paper.originator else ""
    text = f"{label(paper)}{dated}{who}: {state_text}"
    return record_passage(f"paper:{document.doc_id}", document, text, state)


def is_heading(item: AgendaItemOut) -> bool:
    """An agenda line that only heads a section (Karlsruhe lists the offices so): no number,
    no paper, no result."""
    return not (item.number or item.paper or item.result)


def meeting_passage(meeting: MeetingDetailOut, document: DocumentInfo, note: str = "") -> Passage:
    items = sum(1 for item in meeting.agenda if not is_heading(item))
    name = meeting.name or meeting_title(meeting)
    text = f"Sitzung {name}: {meeting_title(meeting)}, {items} Tagesordnungspunkte"
    if not items:
        text += ", keine Tagesordnung verzeichnet"
    if note:
        text += f"; {note}"
    record = ProcessRecord(
        what="Sitzung",
        meeting_id=meeting.meeting_id,
        meeting=meeting.name,
        body="; ".join(meeting.bodies),
        date=meeting.date,
        url=meeting.url,
    )
    return record_passage(f"meeting:{meeting.meeting_id}", document, text, record)


def agenda_text(item: AgendaItemOut, held: bool) -> str:
    """ "TOP 5 „Konzept …“ zu Beschlussvorlage 2024/0884/3: „einstimmig beschlossen“"; an item
    without a result says so ("Beratung vorgesehen" at a meeting ahead). Nothing but a lower-case
    word or a colon follows a title, which may end in "?" (a sentence would end there)."""
    paper = (
        " ".join(part for part in ("zu", item.paper.paper_type, item.paper.reference) if part)
        if item.paper
        else ""
    )
    paper = f" {paper}" if paper else ""
    missing = "kein Ergebnis verzeichnet" if held else "Beratung vorgesehen"
    result = f": „{item.result}“" if item.result else f": {missing}"
    number = f"TOP {item.number} " if item.number else ""
    return f"{number}„{item.title}“{paper}{result}"


def agenda_passage(meeting: MeetingOut, item: AgendaItemOut, document: DocumentInfo, held: bool) -> Passage:
    who = f", Einreicher: {item.paper.originator}" if item.paper and item.paper.originator else ""
    paper = f"; Vorlage: {label(item.paper)}{who}" if item.paper else ""
    text = f"{meeting_title(meeting)}, Tagesordnung: {agenda_text(item, held)}{paper}"
    record = ProcessRecord(
        what="Tagesordnungspunkt",
        meeting_id=meeting.meeting_id,
        meeting=meeting.name,
        body="; ".join(meeting.bodies),
        date=meeting.date,
        agenda_item=item.number,
        agenda_item_title=item.title,
        result=item.result,
        outcome=item.outcome,
        url=document.url or meeting.url,
    )
    return record_passage(
        f"item:{meeting.meeting_id}:{item.number}:{item.title[:40]}", document, text, record
    )


def list_passage(description: str, count: int) -> Passage:
    """A list of papers from data, as its own source: what was asked for and how many match."""
    text = f"Vorlagenliste aus den Sitzungsdaten ({description}): {count} Treffer"
    document = DocumentInfo(
        doc_id="", source="", root="", content_hash="", media_type="", title="Vorlagenliste"
    )
    return record_passage(f"list:{description}", document, text, ProcessRecord(what="Vorlagenliste"))


@dataclass(slots=True)
class Draft:
    """An answer being composed: sentences, each citing sources numbered in order of first use."""

    abstained: bool = False  # the data holds no answer (a reference or meeting that is not known)
    sentences: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    _numbers: dict[str, int] = field(default_factory=dict)  # chunk id → citation number

    def say(self, text: str, sources: Sequence[Passage] = ()) -> None:
        markers = ""
        for passage in sources:
            key = passage.chunk.chunk_id
            if key not in self._numbers:
                self.passages.append(passage)
                self._numbers[key] = len(self.passages)
            markers += f"[{self._numbers[key]}]"
        text = text.rstrip(". ")
        self.sentences.append(f"{text} {markers}." if markers else f"{text}.")

    def response(self, question: str, kind: str, abstained: bool = False) -> AskResponse:
        citations = [
            citation_of(number, passage, []) for number, passage in enumerate(self.passages, start=1)
        ]
        return AskResponse(
            question=question,
            answer=" ".join(self.sentences),
            abstained=abstained,
            mode=MODE,
            citations=citations,
            process=kind,
        )
