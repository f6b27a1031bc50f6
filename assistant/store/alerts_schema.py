"""The alerts database (``alerts.sqlite3`` in the data dir): subscriptions, alerts, deliveries.

Its own file beside ``users.sqlite3``: the API server writes here (a user saves a search, reads
a feed) while an ingest writes the catalog, and neither should wait for the other. Backup and
restore carry it like every SQLite file of the data dir (``assistant/backup.py``).

* ``saved_searches``: a user's named query and filters; ``search_hits`` remembers which version
  of a document (its text and outcome) a search has reported, so it is reported once;
* ``follows``: a user's followed papers with the keys of what the user has been told (``known``);
* ``alerts``: one row per user, run and document: why (a saved search, or the events of a
  followed paper) and the passage that matched. Only ids and the events' own words are kept;
  titles, snippets and links are read from the store, as the user, when an alert is shown;
* ``visits``: the last alert a user has seen ("Neu für Sie");
* ``mail_settings`` and ``outbox`` (one e-mail per user and run, or a daily digest, with its
  attempts and last error), ``feeds`` (Atom feed secrets, stored as SHA-256), ``meta`` (the key
  that signs unsubscribe links).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.audit import filters_to_dict
from assistant.models import SearchFilters

ALERTS_FILE = "alerts.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (user, name)
);
CREATE TABLE IF NOT EXISTS search_hits (
    search_id INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (search_id, doc_id)
);
CREATE TABLE IF NOT EXISTS follows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    created TEXT NOT NULL,
    known TEXT NOT NULL,
    UNIQUE (user, doc_id)
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    run TEXT NOT NULL,
    created TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    chunk_id TEXT NOT NULL,
    events TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_user ON alerts (user, id);
CREATE TABLE IF NOT EXISTS visits (user TEXT PRIMARY KEY, seen_until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mail_settings (
    user TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    digest TEXT NOT NULL,
    last_digest TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    alert_ids TEXT NOT NULL,
    created TEXT NOT NULL,
    due TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'pending',
    finished TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, due);
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked TEXT
);
"""


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime | None = None) -> str:
    """A UTC time as stored (ISO 8601, seconds), sortable as text."""
    return (moment or now()).astimezone(UTC).isoformat(timespec="seconds")


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def filters_json(filters: SearchFilters) -> str:
    """The filters a user set (``doc_ids`` is the service's, never stored)."""
    return json.dumps(filters_to_dict(filters), ensure_ascii=False, sort_keys=True)


def filters_from_json(text: str) -> SearchFilters:
    data: dict[str, Any] = json.loads(text or "{}")
    return SearchFilters(
        paper_types=tuple(data.get("paper_types", ())),
        date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
        date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        body=str(data.get("body", "")),
        originator=str(data.get("originator", "")),
        reference=str(data.get("reference", "")),
        result=str(data.get("result", "")),
    )


class AlertsFile:
    """Connections to the alerts database: one per operation (safe across threads and processes).

    The file is made on first use, so a data dir whose users never subscribed has none.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection whose block commits, or rolls back when it raises."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30)) as connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(SCHEMA)
            self._ready = True
        connection = sqlite3.connect(self.path, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            with connection:
                yield connection
        finally:
            connection.close()
