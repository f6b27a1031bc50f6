"""Reading the council process: typed views over the process tables (``process_schema``).

A consultation is read together with its meeting and agenda item (``StepView``), an agenda item
together with the paper consulted under it (``AgendaItemView``). A consultation and its agenda
item are joined by whichever side names the other (servers fill one or both). No access rule
is applied here: the service layer decides who sees which view.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from assistant.store.catalog import Catalog
from assistant.store.process_schema import PROCESS_GENERATION
from ingest.process.records import INVERSE_LINK


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _names(raw: str | None) -> tuple[str, ...]:
    return tuple(json.loads(raw)) if raw else ()


@dataclass(frozen=True, slots=True)
class PaperView:
    paper_id: str
    doc_id: str
    source: str
    reference: str
    name: str
    paper_type: str  # as the source states it
    date: date | None
    originator: str
    url: str


@dataclass(frozen=True, slots=True)
class StepView:
    """One consultation of a paper, with the meeting and agenda item it took place in."""

    consultation_id: str
    paper_id: str
    position: int
    role: str
    authoritative: bool | None
    organizations: tuple[str, ...]  # ids
    bodies: tuple[str, ...]  # names
    meeting_id: str
    meeting_key: str  # "" when the meeting is not known
    meeting_name: str
    meeting_start: str
    day: date | None
    meeting_cancelled: bool
    meeting_public: bool | None
    invitation_doc: str
    results_protocol_doc: str
    verbatim_protocol_doc: str
    agenda_item_id: str
    number: str
    item_name: str
    item_public: bool | None
    result: str
    outcome: str
    resolution_text: str

    @property
    def public(self) -> bool | None:
        """False when the agenda item or the meeting is non-public; None when neither says."""
        if self.item_public is False or self.meeting_public is False:
            return False
        return True if self.item_public or self.meeting_public else None


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting_id: str
    key: str
    source: str
    name: str
    start: str
    day: date | None
    organizations: tuple[str, ...]
    bodies: tuple[str, ...]
    public: bool | None
    cancelled: bool
    invitation_doc: str
    results_protocol_doc: str
    verbatim_protocol_doc: str
    url: str


@dataclass(frozen=True, slots=True)
class AgendaItemView:
    """One agenda item, with the paper consulted under it (None for items without a paper)."""

    item_id: str
    meeting_id: str
    number: str
    position: int | None
    name: str
    public: bool | None
    result: str
    outcome: str
    resolution_text: str
    resolution_file: str
    role: str  # the consultation's role
    paper: PaperView | None


@dataclass(frozen=True, slots=True)
class LinkView:
    """A paper linked to ``paper_id``; ``kind`` as seen from ``paper_id`` (inverse if the other
    paper stated the link)."""

    paper_id: str
    linked_id: str
    kind: str


_PAPER_COLUMNS = (
    "p.paper_id, p.doc_id, p.source, p.reference, p.name, p.paper_type, p.date, p.originator, p.url"
)
_MEETING_COLUMNS = (
    "m.meeting_id, m.key, m.source, m.name, m.start, m.day, m.organizations, m.bodies, m.public, "
    "m.cancelled, m.invitation_doc, m.results_protocol_doc, m.verbatim_protocol_doc, m.url"
)
_STEPS = """
SELECT c.consultation_id, c.paper_id, c.position, c.role, c.authoritative, c.organizations, c.bodies,
       COALESCE(m.meeting_id, c.meeting_id) AS meeting_id, m.key, m.name AS meeting_name, m.start, m.day,
       m.cancelled, m.public AS meeting_public, m.invitation_doc, m.results_protocol_doc,
       m.verbatim_protocol_doc, a.item_id, a.number, a.name AS item_name, a.public AS item_public,
       a.result, a.outcome, a.resolution_text
FROM process_consultations c
LEFT JOIN process_agenda_items a ON a.item_id = CASE WHEN c.agenda_item_id != '' THEN c.agenda_item_id
    ELSE (SELECT item_id FROM process_agenda_items WHERE consultation_id = c.consultation_id LIMIT 1) END
LEFT JOIN process_meetings m ON m.meeting_id = COALESCE(NULLIF(c.meeting_id, ''), a.meeting_id)
"""
_AGENDA = """
SELECT a.item_id, a.meeting_id, a.number, a.position, a.name AS item_name, a.public, a.result,
       a.outcome, a.resolution_text, a.resolution_file, c.role, p.paper_id, p.doc_id, p.source,
       p.reference, p.name AS paper_name, p.paper_type, p.date, p.originator, p.url
FROM process_agenda_items a
LEFT JOIN process_consultations c ON c.consultation_id = CASE WHEN a.consultation_id != ''
    THEN a.consultation_id
    ELSE (SELECT consultation_id FROM process_consultations WHERE agenda_item_id = a.item_id LIMIT 1) END
LEFT JOIN process_papers p ON p.paper_id = c.paper_id
WHERE a.meeting_id = ?
ORDER BY a.position IS NULL, a.position, a.rowid
"""


def _paper(row: sqlite3.Row, name: str = "name") -> PaperView:
    return PaperView(
        paper_id=row["paper_id"],
        doc_id=row["doc_id"],
        source=row["source"],
        reference=row["reference"],
        name=row[name],
        paper_type=row["paper_type"],
        date=_day(row["date"]),
        originator=row["originator"],
        url=row["url"],
    )


def _step(row: sqlite3.Row, organization_names: dict[str, str]) -> StepView:
    organizations = _names(row["organizations"])
    bodies = _names(row["bodies"]) or tuple(
        organization_names[o] for o in organizations if organization_names.get(o)
    )
    return StepView(
        consultation_id=row["consultation_id"],
        paper_id=row["paper_id"],
        position=row["position"],
        role=row["role"],
        authoritative=_flag(row["authoritative"]),
        organizations=organizations,
        bodies=bodies,
        meeting_id=row["meeting_id"] or "",
        meeting_key=row["key"] or "",
        meeting_name=row["meeting_name"] or "",
        meeting_start=row["start"] or "",
        day=_day(row["day"]),
        meeting_cancelled=bool(row["cancelled"]),
        meeting_public=_flag(row["meeting_public"]),
        invitation_doc=row["invitation_doc"] or "",
        results_protocol_doc=row["results_protocol_doc"] or "",
        verbatim_protocol_doc=row["verbatim_protocol_doc"] or "",
        agenda_item_id=row["item_id"] or "",
        number=row["number"] or "",
        item_name=row["item_name"] or "",
        item_public=_flag(row["item_public"]),
        result=row["result"] or "",
        outcome=row["outcome"] or "",
        resolution_text=row["resolution_text"] or "",
    )


def _meeting(row: sqlite3.Row) -> MeetingView:
    return MeetingView(
        meeting_id=row["meeting_id"],
        key=row["key"],
        source=row["source"],
        name=row["name"],
        start=row["start"],
        day=_day(row["day"]),
        organizations=_names(row["organizations"]),
        bodies=_names(row["bodies"]),
        public=_flag(row["public"]),
        cancelled=bool(row["cancelled"]),
        invitation_doc=row["invitation_doc"],
        results_protocol_doc=row["results_protocol_doc"],
        verbatim_protocol_doc=row["verbatim_protocol_doc"],
        url=row["url"],
    )


class ProcessViews:
    """Typed reads of the process tables through the catalog's connection."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def generation(self) -> int:
        """Moves with every write of process records (cached views compare it)."""
        return int(self._catalog.get_meta(PROCESS_GENERATION) or 0)

    def _rows(self, sql: str, parameters: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self._catalog.reading() as db:
            return list(db.execute(sql, parameters))

    def organizations(self) -> dict[str, str]:
        """Organisation id → name."""
        return {row[0]: row[1] for row in self._rows("SELECT org_id, name FROM process_organizations")}

    def papers(self) -> dict[str, PaperView]:
        """Every paper, by document id."""
        rows = self._rows(f"SELECT {_PAPER_COLUMNS} FROM process_papers p")
        return {row["doc_id"]: _paper(row) for row in rows}

    def steps(self, paper_id: str | None = None) -> dict[str, list[StepView]]:
        """Paper id → its consultations (in the server's order); all papers when ``paper_id`` is None."""
        where, parameters = ("WHERE c.paper_id = ?", (paper_id,)) if paper_id else ("", ())
        names = self.organizations()
        found: dict[str, list[StepView]] = {}
        for row in self._rows(f"{_STEPS} {where} ORDER BY c.paper_id, c.position", parameters):
            found.setdefault(row["paper_id"], []).append(_step(row, names))
        return found

    def links(self, paper_id: str) -> list[LinkView]:
        """Papers linked to ``paper_id``, stated by it or by them (each paper once)."""
        found: dict[str, LinkView] = {}
        for row in self._rows("SELECT linked_id, kind FROM process_links WHERE paper_id = ?", (paper_id,)):
            found.setdefault(row[0], LinkView(paper_id, row[0], row[1]))
        for row in self._rows("SELECT paper_id, kind FROM process_links WHERE linked_id = ?", (paper_id,)):
            found.setdefault(row[0], LinkView(paper_id, row[0], INVERSE_LINK.get(row[1], row[1])))
        return list(found.values())

    def meetings(self, date_from: date | None = None, date_to: date | None = None) -> list[MeetingView]:
        """Meetings in the date range (by their day), earliest first."""
        conditions, parameters = [], []
        if date_from:
            conditions.append("m.day >= ?")
            parameters.append(date_from.isoformat())
        if date_to:
            conditions.append("m.day <= ?")
            parameters.append(date_to.isoformat())
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = f"SELECT {_MEETING_COLUMNS} FROM process_meetings m {where} ORDER BY m.start, m.meeting_id"
        return [_meeting(row) for row in self._rows(sql, tuple(parameters))]

    def meeting(self, key: str) -> MeetingView | None:
        rows = self._rows(f"SELECT {_MEETING_COLUMNS} FROM process_meetings m WHERE m.key = ?", (key,))
        return _meeting(rows[0]) if rows else None

    def agenda(self, meeting_id: str) -> list[AgendaItemView]:
        """The agenda items of a meeting in their order, each with its paper."""
        return [
            AgendaItemView(
                item_id=row["item_id"],
                meeting_id=row["meeting_id"],
                number=row["number"],
                position=row["position"],
                name=row["item_name"],
                public=_flag(row["public"]),
                result=row["result"],
                outcome=row["outcome"],
                resolution_text=row["resolution_text"],
                resolution_file=row["resolution_file"],
                role=row["role"] or "",
                paper=_paper(row, "paper_name") if row["paper_id"] else None,
            )
            for row in self._rows(_AGENDA, (meeting_id,))
        ]

    def counts(self) -> dict[str, int]:
        """Rows per kind of record (for reports and checks)."""
        tables = ("organizations", "papers", "consultations", "links", "meetings", "agenda_items")
        with self._catalog.reading() as db:
            return {t: int(db.execute(f"SELECT COUNT(*) FROM process_{t}").fetchone()[0]) for t in tables}
