"""Typed records of the council process, as an OParl crawl produces them.

Organisation ─┐
Meeting ──────┼─ AgendaItem (number, name, public, result) ◄─┐
Paper ── Consultation (paper, meeting, agenda item, bodies, role) ┘
Paper ── PaperLink ── Paper (superordinated / subordinated / related)

Ids are the OParl URLs as crawled; ``doc_id`` fields name documents of the store (a paper's
document, a meeting's invitation and protocols). A paper's or meeting's records are always
produced together (``PaperRecords``, ``MeetingRecords``) and replace what was kept before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SUPERORDINATED = "superordinated"  # the linked paper is above this one (e.g. the motion amended)
SUBORDINATED = "subordinated"  # the linked paper is below this one (e.g. an amendment to it)
RELATED = "related"
LINK_KINDS = (SUPERORDINATED, SUBORDINATED, RELATED)
INVERSE_LINK = {SUPERORDINATED: SUBORDINATED, SUBORDINATED: SUPERORDINATED, RELATED: RELATED}


@dataclass(frozen=True, slots=True)
class Organization:
    """A body (Gremium), faction or office."""

    org_id: str
    name: str
    short_name: str = ""


@dataclass(frozen=True, slots=True)
class Meeting:
    """A session of one or more bodies; its files are documents of their own."""

    meeting_id: str
    name: str
    start: str = ""  # ISO date-time as the server states it ("" when none)
    day: date | None = None
    organizations: tuple[str, ...] = ()  # ids
    bodies: tuple[str, ...] = ()  # names of the organisations, as resolved when crawled
    public: bool | None = None  # False only when stated, or when every agenda item is non-public
    cancelled: bool = False
    invitation_doc: str = ""  # document ids ("" when the meeting has no such file)
    results_protocol_doc: str = ""
    verbatim_protocol_doc: str = ""
    url: str = ""  # the council system's page


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One item (TOP) of a meeting's agenda, with its result as the council wrote it."""

    item_id: str
    meeting_id: str
    number: str = ""  # as written: "1", "Ö 3.2", "" when the server gives none
    position: int | None = None  # OParl ``order``
    name: str = ""
    public: bool | None = None  # None: not stated
    result: str = ""  # the council's wording ("einstimmig beschlossen")
    outcome: str = ""  # ``results.normalize_result(result)``
    resolution_text: str = ""
    resolution_file: str = ""  # URL of the resolution file, if any
    consultation_id: str = ""


@dataclass(frozen=True, slots=True)
class Consultation:
    """A paper on a meeting's agenda (or planned for a body's consultation)."""

    consultation_id: str
    paper_id: str
    meeting_id: str = ""
    agenda_item_id: str = ""
    organizations: tuple[str, ...] = ()  # ids
    bodies: tuple[str, ...] = ()  # names, as resolved when crawled
    role: str = ""  # "Entscheidung", "Vorberatung", "Kenntnisnahme", …
    authoritative: bool | None = None
    position: int = 0  # order in the paper's list


@dataclass(frozen=True, slots=True)
class Paper:
    """A council paper (Vorlage, Antrag, Anfrage, …); its files make one document."""

    paper_id: str
    doc_id: str
    reference: str = ""
    name: str = ""
    paper_type: str = ""  # as the server states it ("Änderungs-/Ergänzungsantrag")
    date: date | None = None
    originator: str = ""  # names, joined with "; "
    url: str = ""


@dataclass(frozen=True, slots=True)
class PaperLink:
    """``paper_id`` names ``linked_id`` as its super-, subordinated or related paper."""

    paper_id: str
    linked_id: str
    kind: str  # one of LINK_KINDS


@dataclass(frozen=True, slots=True)
class PaperRecords:
    """Everything a crawled paper says about the process; replaces its earlier records."""

    paper: Paper
    consultations: tuple[Consultation, ...] = ()
    links: tuple[PaperLink, ...] = ()


@dataclass(frozen=True, slots=True)
class MeetingRecords:
    """A crawled meeting and its agenda; replaces its earlier records."""

    meeting: Meeting
    agenda_items: tuple[AgendaItem, ...] = ()


ProcessRecords = PaperRecords | MeetingRecords
