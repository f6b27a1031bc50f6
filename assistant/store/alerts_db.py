"""Subscriptions and alerts in the alerts database: saved searches, followed papers, the inbox.

Only the service layer (``assistant.service.alerts_service``) uses this; it decides who may
see what. Rows hold ids and the events' own words, never a document's text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.models import SearchFilters
from assistant.store.alerts_schema import (
    ALERTS_FILE,
    AlertsFile,
    filters_from_json,
    filters_json,
    stamp,
)


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    user: str
    name: str
    query: str
    filters: SearchFilters
    created: str


@dataclass(frozen=True, slots=True)
class Follow:
    id: int
    user: str
    doc_id: str
    created: str
    known: frozenset[str]  # keys of the paper's steps, results, links and files the user was told


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert about to be stored: for ``user``, about ``doc_id``, because of ``source``."""

    user: str
    kind: str  # "search" or "follow"
    source: str  # the saved search's name, or "" for a followed paper
    doc_id: str
    chunk_id: str = ""  # the passage that matched a saved search's query ("" without query)
    events: tuple[dict[str, Any], ...] = ()  # a followed paper's news (see service/paper_events)


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    user: str
    run: str
    created: str
    kind: str
    source: str
    doc_id: str
    chunk_id: str
    events: tuple[dict[str, Any], ...]


def _search(row: sqlite3.Row) -> SavedSearch:
    return SavedSearch(
        row["id"], row["user"], row["name"], row["query"], filters_from_json(row["filters"]), row["created"]
    )


def _follow(row: sqlite3.Row) -> Follow:
    return Follow(row["id"], row["user"], row["doc_id"], row["created"], frozenset(json.loads(row["known"])))


def _alert(row: sqlite3.Row) -> AlertRow:
    return AlertRow(
        row["id"],
        row["user"],
        row["run"],
        row["created"],
        row["kind"],
        row["source"],
        row["doc_id"],
        row["chunk_id"],
        tuple(json.loads(row["events"])),
    )


class AlertsDb:
    """Saved searches, follows and alerts of every user."""

    def __init__(self, data_dir: Path) -> None:
        self.file = AlertsFile(data_dir / ALERTS_FILE)

    # -- saved searches --------------------------------------------------------------------------

    def add_search(self, user: str, name: str, query: str, filters: SearchFilters) -> SavedSearch | None:
        """The new search; None when ``user`` has one of that name already."""
        try:
            with self.file.connect() as db:
                cursor = db.execute(
                    "INSERT INTO saved_searches (user, name, query, filters, created) VALUES (?, ?, ?, ?, ?)",
                    (user, name, query, filters_json(filters), stamp()),
                )
                row = db.execute("SELECT * FROM saved_searches WHERE id = ?", (cursor.lastrowid,)).fetchone()
        except sqlite3.IntegrityError:
            return None
        return _search(row)

    def searches(self, user: str | None = None) -> list[SavedSearch]:
        """A user's saved searches (everyone's with None), oldest first."""
        where, parameters = ("WHERE user = ?", (user,)) if user is not None else ("", ())
        with self.file.connect() as db:
            rows = db.execute(f"SELECT * FROM saved_searches {where} ORDER BY id", parameters).fetchall()
        return [_search(row) for row in rows]

    def remove_search(self, user: str, wanted: str) -> SavedSearch | None:
        """Remove a user's search by id or name; the removed one, or None if there is none."""
        found = next((s for s in self.searches(user) if wanted in (str(s.id), s.name)), None)
        if found is not None:
            with self.file.connect() as db:
                db.execute("DELETE FROM saved_searches WHERE id = ?", (found.id,))
                db.execute("DELETE FROM search_hits WHERE search_id = ?", (found.id,))
        return found

    def reported(self, search_id: int) -> dict[str, str]:
        """Document id → the signature of the version this search last reported."""
        with self.file.connect() as db:
            rows = db.execute(
                "SELECT doc_id, signature FROM search_hits WHERE search_id = ?", (search_id,)
            ).fetchall()
        return {row[0]: row[1] for row in rows}

    # -- followed papers -------------------------------------------------------------------------

    def follow(self, user: str, doc_id: str, known: frozenset[str]) -> tuple[Follow, bool]:
        """Follow a paper (knowing ``known`` already); the follow, and whether it is new."""
        with self.file.connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO follows (user, doc_id, created, known) VALUES (?, ?, ?, ?)",
                (user, doc_id, stamp(), json.dumps(sorted(known), ensure_ascii=False)),
            )
            row = db.execute("SELECT * FROM follows WHERE user = ? AND doc_id = ?", (user, doc_id)).fetchone()
        return _follow(row), cursor.rowcount > 0

    def follows(self, user: str | None = None) -> list[Follow]:
        """Follows of a user (everyone's with None), oldest first."""
        where, parameters = ("WHERE user = ?", (user,)) if user is not None else ("", ())
        with self.file.connect() as db:
            rows = db.execute(f"SELECT * FROM follows {where} ORDER BY id", parameters).fetchall()
        return [_follow(row) for row in rows]

    def unfollow(self, user: str, doc_id: str) -> bool:
        with self.file.connect() as db:
            return (
                db.execute("DELETE FROM follows WHERE user = ? AND doc_id = ?", (user, doc_id)).rowcount > 0
            )

    # -- alerts ----------------------------------------------------------------------------------

    def record_run(
        self,
        run: str,
        alerts: Sequence[NewAlert],
        known: dict[int, frozenset[str]],
        hits: dict[int, dict[str, str]],
    ) -> list[AlertRow]:
        """Store a run's alerts, the follows' new ``known`` keys and the searches' reported
        signatures in one transaction; returns the stored alerts."""
        created = stamp()
        with self.file.connect() as db:
            first = None
            for alert in alerts:
                cursor = db.execute(
                    "INSERT INTO alerts (user, run, created, kind, source, doc_id, chunk_id, events) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        alert.user,
                        run,
                        created,
                        alert.kind,
                        alert.source,
                        alert.doc_id,
                        alert.chunk_id,
                        json.dumps(list(alert.events), ensure_ascii=False),
                    ),
                )
                first = first or cursor.lastrowid
            db.executemany(
                "UPDATE follows SET known = ? WHERE id = ?",
                [
                    (json.dumps(sorted(keys), ensure_ascii=False), follow_id)
                    for follow_id, keys in known.items()
                ],
            )
            db.executemany(
                "INSERT OR REPLACE INTO search_hits (search_id, doc_id, signature) VALUES (?, ?, ?)",
                [(search_id, doc, sig) for search_id, found in hits.items() for doc, sig in found.items()],
            )
            rows = db.execute("SELECT * FROM alerts WHERE run = ? ORDER BY id", (run,)).fetchall()
        return [_alert(row) for row in rows]

    def alerts(
        self, user: str, after: int = 0, ids: Iterable[int] | None = None, limit: int = 200
    ) -> list[AlertRow]:
        """A user's alerts with an id above ``after`` (or exactly ``ids``), newest first."""
        conditions, parameters = ["user = ?", "id > ?"], [user, after]
        if ids is not None:
            wanted = [int(i) for i in ids]
            conditions.append(f"id IN ({', '.join('?' * len(wanted))})")
            parameters.extend(wanted)
        sql = f"SELECT * FROM alerts WHERE {' AND '.join(conditions)} ORDER BY id DESC LIMIT ?"
        with self.file.connect() as db:
            rows = db.execute(sql, (*parameters, int(limit))).fetchall()
        return [_alert(row) for row in rows]

    def last_alert_id(self, user: str) -> int:
        with self.file.connect() as db:
            row = db.execute("SELECT MAX(id) FROM alerts WHERE user = ?", (user,)).fetchone()
        return int(row[0] or 0)

    def seen_until(self, user: str) -> int:
        """The last alert ``user`` has seen (0: none)."""
        with self.file.connect() as db:
            row = db.execute("SELECT seen_until FROM visits WHERE user = ?", (user,)).fetchone()
        return int(row[0]) if row else 0

    def mark_seen(self, user: str, alert_id: int) -> None:
        """Everything up to ``alert_id`` is seen (the mark never moves back)."""
        with self.file.connect() as db:
            db.execute(
                "INSERT INTO visits (user, seen_until) VALUES (?, ?) ON CONFLICT(user) DO UPDATE "
                "SET seen_until = MAX(seen_until, excluded.seen_until)",
                (user, int(alert_id)),
            )
