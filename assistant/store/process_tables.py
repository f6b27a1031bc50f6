"""The council process in the catalog database: tables and the writes of the indexer.

The tables live in ``catalog.sqlite3`` beside the documents, so that backup and restore, the
writer lock and SQLite's crash safety cover them. A crawled paper or meeting replaces its rows
in one transaction per batch (``ProcessTables.apply``); a deleted object takes its rows with it
(a paper its consultations and links, a meeting its agenda items); after a complete crawl,
rows of the source that no list named any more are removed (``prune``). Process writes do not
move the catalog's generation (nothing of BM25 or Chroma changes): they move their own,
``process_generation``, which readers use to know when cached views are stale.

Only ``assistant.indexing`` writes here; readers use ``assistant.store.process_views``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.store.catalog import Catalog
from assistant.store.process_changes import (
    MEETING_TABLES,
    PAPER_TABLES,
    ProcessChanges,
    differing,
    link_partners,
    papers_of_meetings,
    rows_of,
)
from assistant.store.process_schema import PROCESS_GENERATION
from ingest.process.records import MeetingRecords, Organization, PaperRecords


def meeting_key(meeting_id: str) -> str:
    """The short stable id of a meeting in URLs and answers (its OParl id is a long URL)."""
    return hashlib.sha256(f"meeting:{meeting_id}".encode()).hexdigest()[:24]


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


@dataclass(slots=True)
class ProcessBatch:
    """What one batch of a crawl changes in the process tables of one source."""

    source: str
    organizations: list[Organization] = field(default_factory=list)
    deleted_organizations: list[str] = field(default_factory=list)
    papers: list[PaperRecords] = field(default_factory=list)
    meetings: list[MeetingRecords] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # ids of deleted papers and meetings

    def __bool__(self) -> bool:
        return bool(
            self.organizations or self.deleted_organizations or self.papers or self.meetings or self.deleted
        )


class ProcessTables:
    """Writes of the process tables (through the catalog's connection and transactions)."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def apply(self, batch: ProcessBatch) -> ProcessChanges:
        """Replace the rows of every object in ``batch`` and delete the deleted, atomically;
        returns the objects whose rows this really changed (``process_changes``)."""
        if not batch:
            return ProcessChanges()
        with self._catalog.transaction() as db:
            source = batch.source
            paper_ids = [r.paper.paper_id for r in batch.papers]
            meeting_ids = [r.meeting.meeting_id for r in batch.meetings]
            papers_before = rows_of(db, PAPER_TABLES, paper_ids)
            meetings_before = rows_of(db, MEETING_TABLES, meeting_ids)
            existing = rows_of(db, (PAPER_TABLES[0], MEETING_TABLES[0]), list(batch.deleted))
            db.executemany(
                "INSERT OR REPLACE INTO process_organizations VALUES (?, ?, ?, ?)",
                [(o.org_id, source, o.name, o.short_name) for o in batch.organizations],
            )
            db.executemany(
                "DELETE FROM process_organizations WHERE org_id = ?",
                [(i,) for i in batch.deleted_organizations],
            )
            gone = list(batch.deleted)
            _delete(db, PAPER_TABLES, [*gone, *(r.paper.paper_id for r in batch.papers)])
            _delete(db, MEETING_TABLES, [*gone, *(r.meeting.meeting_id for r in batch.meetings)])
            # A deleted paper also leaves the lists of the papers that named it.
            db.executemany("DELETE FROM process_links WHERE linked_id = ?", [(i,) for i in gone])
            for records in batch.papers:
                _insert_paper(db, source, records)
            for meeting in batch.meetings:
                _insert_meeting(db, source, meeting)
            _bump(db)
            papers_after = rows_of(db, PAPER_TABLES, paper_ids)
            meetings = differing(meetings_before, rows_of(db, MEETING_TABLES, meeting_ids))
            papers = differing(papers_before, papers_after) | link_partners(papers_before, papers_after)
            return ProcessChanges(
                papers=papers | papers_of_meetings(db, sorted(meetings)),
                meetings=meetings,
                removed={object_id for object_id, rows in existing.items() if rows},
            )

    def prune(
        self, source: str, papers: set[str], meetings: set[str], organizations: set[str]
    ) -> ProcessChanges:
        """After a complete crawl: remove the source's objects that are not among those named."""
        with self._catalog.transaction() as db:
            gone_papers = _absent(db, "process_papers", "paper_id", source, papers)
            gone_meetings = _absent(db, "process_meetings", "meeting_id", source, meetings)
            gone_orgs = _absent(db, "process_organizations", "org_id", source, organizations)
            _delete(db, PAPER_TABLES, gone_papers)
            _delete(db, MEETING_TABLES, gone_meetings)
            db.executemany("DELETE FROM process_links WHERE linked_id = ?", [(i,) for i in gone_papers])
            db.executemany("DELETE FROM process_organizations WHERE org_id = ?", [(i,) for i in gone_orgs])
            if gone_papers or gone_meetings or gone_orgs:
                _bump(db)
            return ProcessChanges(removed={*gone_papers, *gone_meetings})


def _bump(db: sqlite3.Connection) -> None:
    db.execute(
        f"INSERT INTO meta(key, value) VALUES ('{PROCESS_GENERATION}', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def _delete(db: sqlite3.Connection, tables: Iterable[tuple[str, str]], ids: Sequence[str]) -> None:
    for table, column in tables:
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(object_id,) for object_id in ids])


def _absent(db: sqlite3.Connection, table: str, column: str, source: str, keep: set[str]) -> list[str]:
    rows = db.execute(f"SELECT {column} FROM {table} WHERE source = ?", (source,))
    return [row[0] for row in rows if row[0] not in keep]


def _insert_paper(db: sqlite3.Connection, source: str, records: PaperRecords) -> None:
    p = records.paper
    db.execute(
        "INSERT OR REPLACE INTO process_papers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            p.paper_id,
            source,
            p.doc_id,
            p.reference,
            p.name,
            p.paper_type,
            p.date.isoformat() if p.date else None,
            p.originator,
            p.url,
        ),
    )
    db.executemany(
        "INSERT OR REPLACE INTO process_consultations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c.consultation_id,
                c.paper_id,
                source,
                c.position,
                c.meeting_id,
                c.agenda_item_id,
                _json(c.organizations),
                _json(c.bodies),
                c.role,
                _flag(c.authoritative),
            )
            for c in records.consultations
        ],
    )
    db.executemany(
        "INSERT OR IGNORE INTO process_links VALUES (?, ?, ?, ?)",
        [(link.paper_id, link.linked_id, link.kind, source) for link in records.links],
    )


def _insert_meeting(db: sqlite3.Connection, source: str, records: MeetingRecords) -> None:
    m = records.meeting
    db.execute(
        "INSERT OR REPLACE INTO process_meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            m.meeting_id,
            meeting_key(m.meeting_id),
            source,
            m.name,
            m.start,
            m.day.isoformat() if m.day else None,
            _json(m.organizations),
            _json(m.bodies),
            _flag(m.public),
            int(m.cancelled),
            m.invitation_doc,
            m.results_protocol_doc,
            m.verbatim_protocol_doc,
            m.url,
        ),
    )
    db.executemany(
        "INSERT OR REPLACE INTO process_agenda_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                a.item_id,
                a.meeting_id,
                source,
                a.number,
                a.position,
                a.name,
                _flag(a.public),
                a.result,
                a.outcome,
                a.resolution_text,
                a.resolution_file,
                a.consultation_id,
            )
            for a in records.agenda_items
        ],
    )
