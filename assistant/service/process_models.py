"""The JSON shapes of the council process (history, meetings, paper lists, related papers),
shared by the CLI (--json), the HTTP API and the UI."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from assistant.service.facets import FacetValue
from ingest.process.state import PaperState


class StateOut(BaseModel):
    kind: str = Field(description="entschieden, offen, unklar, ohne Ergebnis or noch nicht beraten.")
    text: str = Field(description='German, e.g. "beschlossen am 25.11.2025 im Gemeinderat".')
    outcome: str = Field(description="Normalised outcome of the last result ('' when there is none).")
    date: dt.date | None = Field(description="Date of the consultation the text names.")
    body: str

    @classmethod
    def of(cls, state: PaperState) -> StateOut:
        return cls(kind=state.kind, text=state.text, outcome=state.outcome, date=state.day, body=state.body)


class MinutesPassage(BaseModel):
    """The passage of a meeting's minutes on one agenda item, as a citation."""

    doc_id: str
    title: str
    page: int
    start: int = Field(description="Offset of the passage in the page text.")
    end: int
    text: str


class StepOut(BaseModel):
    """One consultation of a paper."""

    date: dt.date | None
    body: str = Field(description="Bodies, joined with '; '.")
    role: str = Field(description="Entscheidung, Vorberatung, Kenntnisnahme, … as the source states it.")
    authoritative: bool | None
    public: bool | None = Field(description="False for a non-public agenda item or meeting.")
    meeting_id: str = Field(description="Key of the meeting (GET /api/v1/meetings/{id}); '' if unknown.")
    meeting: str = Field(description="Name of the meeting.")
    cancelled: bool
    agenda_item: str = Field(description="Number of the agenda item (TOP) as written.")
    agenda_item_title: str
    result: str = Field(description="The result in the council's words ('' when none is recorded).")
    outcome: str = Field(description="The result normalised (ingest/process/results.py); '' when none.")
    resolution_text: str
    minutes: MinutesPassage | None = Field(description="The minutes on this agenda item, when indexed.")


class PaperRef(BaseModel):
    doc_id: str
    reference: str
    title: str
    paper_type: str = Field(description="As the source states it (OParl paperType), else normalised.")
    date: dt.date | None
    originator: str


class LinkedPaperOut(PaperRef):
    relation: str = Field(description="übergeordnet, untergeordnet or verwandt (seen from the paper).")
    kind: str = Field(description="superordinated, subordinated or related.")
    state: StateOut


class PaperHistoryOut(PaperRef):
    """The path of a paper through the bodies: the answer of `ratsinfo history`."""

    url: str
    steps: list[StepOut]
    state: StateOut
    linked: list[LinkedPaperOut]


class AgendaItemOut(BaseModel):
    number: str
    title: str
    public: bool | None
    result: str
    outcome: str
    resolution_text: str
    role: str = Field(description="Role of the paper's consultation under this item.")
    paper: PaperRef | None = Field(description="The paper consulted; None without one (or not visible).")


class MeetingOut(BaseModel):
    meeting_id: str = Field(description="Key for GET /api/v1/meetings/{id}.")
    name: str
    start: str = Field(description="Date and time as the source states it (ISO 8601).")
    date: dt.date | None
    bodies: list[str]
    public: bool | None
    cancelled: bool
    invitation_doc: str = Field(description="Document id of the invitation ('' if none or not visible).")
    results_protocol_doc: str
    verbatim_protocol_doc: str
    url: str


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]


class MeetingListOut(BaseModel):
    total: int
    meetings: list[MeetingOut]


class PaperRowOut(PaperRef):
    bodies: list[str] = Field(description="Bodies of the consultations the caller may see.")
    outcome: str = Field(description="Normalised outcome of the last result ('' when none).")
    result: str = Field(description="The last result in the council's words.")
    state: str = Field(description="Where the paper stands (German).")
    url: str


class PaperFacets(BaseModel):
    results: list[FacetValue]
    bodies: list[FacetValue]


class PaperListOut(BaseModel):
    total: int
    page: int
    per_page: int
    papers: list[PaperRowOut]
    facets: PaperFacets = Field(description="Outcomes and bodies over all matching papers (every page).")


class RelatedPaperOut(PaperRef):
    score: float = Field(description="Similarity to the paper (fused ranks of its best passages).")
    state: StateOut


class RelatedPapersOut(PaperRef):
    related: list[RelatedPaperOut]
