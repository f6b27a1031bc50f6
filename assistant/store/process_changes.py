"""What a write of process records really changed: compared row by row inside its transaction.

A sync asks the server for what changed since the last crawl minus an overlap, so it rewrites
many objects whose rows come out the same. ``ProcessTables.apply`` reads the rows of every
object it is about to replace (``rows_of``) and compares them with what it wrote; only objects
whose rows differ count as changed (``ProcessChanges``). A changed meeting (a new agenda item,
a result written or changed) changes every paper consulted in it; a link stated or withdrawn
changes both papers, because each shows it (``ProcessViews.links``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Each kind of object and the tables its rows live in (the first holds the object itself).
PAPER_TABLES = (
    ("process_papers", "paper_id"),
    ("process_consultations", "paper_id"),
    ("process_links", "paper_id"),
)
MEETING_TABLES = (("process_meetings", "meeting_id"), ("process_agenda_items", "meeting_id"))
_CHUNK = 500  # ids per IN (...) query, well below SQLite's limit of host parameters


@dataclass(slots=True)
class ProcessChanges:
    """Process objects that a write (or a run of writes) added, changed or removed."""

    papers: set[str] = field(default_factory=set)  # paper ids: own rows, meetings or links changed
    meetings: set[str] = field(default_factory=set)  # meeting ids whose rows or agenda changed
    removed: set[str] = field(default_factory=set)  # ids of papers and meetings deleted or pruned

    def __bool__(self) -> bool:
        return bool(self.papers or self.meetings or self.removed)

    def update(self, other: ProcessChanges) -> None:
        self.papers |= other.papers
        self.meetings |= other.meetings
        self.removed |= other.removed


Rows = dict[str, list[tuple[object, ...]]]


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def rows_of(db: sqlite3.Connection, tables: Iterable[tuple[str, str]], ids: Sequence[str]) -> Rows:
    """Every row of the objects ``ids`` in ``tables``, by object id, in a comparable order."""
    found: Rows = {object_id: [] for object_id in ids}
    for table, column in tables:
        for part in _chunks(list(ids)):
            marks = ", ".join("?" * len(part))
            for row in db.execute(f"SELECT * FROM {table} WHERE {column} IN ({marks})", tuple(part)):
                found[row[column]].append((table, *tuple(row)))
    return {object_id: sorted(rows, key=repr) for object_id, rows in found.items()}


def differing(before: Rows, after: Rows) -> set[str]:
    """Object ids whose rows are not the same before and after."""
    ids = after.keys() | before.keys()
    return {object_id for object_id in ids if before.get(object_id) != after.get(object_id)}


def link_partners(before: Rows, after: Rows) -> set[str]:
    """Papers on the other end of a link that was stated or withdrawn."""
    partners: set[str] = set()
    for object_id in after.keys() | before.keys():
        old = {row for row in before.get(object_id, []) if row[0] == "process_links"}
        new = {row for row in after.get(object_id, []) if row[0] == "process_links"}
        partners |= {str(row[2]) for row in old ^ new}  # (table, paper_id, linked_id, kind, source)
    return partners


def papers_of_meetings(db: sqlite3.Connection, meeting_ids: Sequence[str]) -> set[str]:
    """Papers consulted in these meetings (by the consultation's meeting or agenda item)."""
    papers: set[str] = set()
    for part in _chunks(list(meeting_ids)):
        marks = ", ".join("?" * len(part))
        sql = f"""
            SELECT c.paper_id FROM process_consultations c WHERE c.meeting_id IN ({marks})
            UNION SELECT c.paper_id FROM process_consultations c
                JOIN process_agenda_items a ON a.item_id = c.agenda_item_id WHERE a.meeting_id IN ({marks})
            UNION SELECT c.paper_id FROM process_consultations c
                JOIN process_agenda_items a ON a.consultation_id = c.consultation_id
                WHERE a.meeting_id IN ({marks})
        """
        papers |= {row[0] for row in db.execute(sql, (*part, *part, *part))}
    return papers
