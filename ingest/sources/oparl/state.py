"""Sync state of OParl sources in the data folder (``oparl_state.sqlite3``).

* ``sources``: every System URL ingested, with the start time of its last successful crawl.
* ``files``: per File id its fingerprint (checksum or ``modified``) and extracted page texts, so
  that an unchanged file is not downloaded again and a document can be rebuilt without it.
* ``objects``: names and dates of organisations, persons, meetings and agenda items, so that a
  changed paper can name the unchanged meeting it refers to.
* ``object_docs``: which documents an OParl object produced (for deletions and stale files).
* ``pending``: objects whose last build lacked something (a file that failed for the moment);
  they are fetched again at the next sync.

The file cache is written as soon as a file is extracted (it is right whatever happens next);
everything else is committed only after the indexer has written the documents.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

STATE_FILE = "oparl_state.sqlite3"  # in the data dir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    system_url TEXT PRIMARY KEY,
    added TEXT NOT NULL,
    last_start TEXT,
    adapter TEXT NOT NULL DEFAULT '',
    access TEXT NOT NULL DEFAULT '["public"]'
);
CREATE TABLE IF NOT EXISTS files (
    file_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    pages BLOB NOT NULL,
    error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS objects (
    object_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS object_docs (
    object_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (object_id, doc_id)
);
CREATE INDEX IF NOT EXISTS object_docs_by_doc ON object_docs (doc_id);
CREATE TABLE IF NOT EXISTS pending (
    object_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class CachedFile:
    fingerprint: str
    pages: tuple[str, ...]
    error: str  # "" when the text was extracted; else why the file has no text for good


class SyncState:
    """The SQLite file holding what the crawler remembers between runs."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def commit(self) -> None:
        self._db.commit()

    # -- sources --------------------------------------------------------------------------

    def register(self, system_url: str, now: datetime, access: frozenset[str] | None) -> frozenset[str]:
        """Remember a source; ``access`` (None: keep what it had) is the groups its documents get."""
        self._db.execute(
            "INSERT OR IGNORE INTO sources (system_url, added) VALUES (?, ?)", (system_url, now.isoformat())
        )
        if access is not None:
            self._db.execute(
                "UPDATE sources SET access = ? WHERE system_url = ?", (json.dumps(sorted(access)), system_url)
            )
        self._db.commit()
        row = self._db.execute("SELECT access FROM sources WHERE system_url = ?", (system_url,)).fetchone()
        return frozenset(json.loads(row[0]))

    def sources(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT system_url FROM sources ORDER BY added")]

    def last_start(self, system_url: str) -> datetime | None:
        row = self._db.execute(
            "SELECT last_start FROM sources WHERE system_url = ?", (system_url,)
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def finish(self, system_url: str, started: datetime, adapter: str) -> None:
        """Record a successful crawl (and commit everything done in it)."""
        self._db.execute(
            "UPDATE sources SET last_start = ?, adapter = ? WHERE system_url = ?",
            (started.isoformat(), adapter, system_url),
        )
        self._db.commit()

    # -- file text cache ------------------------------------------------------------------

    def cached_file(self, file_id: str) -> CachedFile | None:
        row = self._db.execute(
            "SELECT fingerprint, pages, error FROM files WHERE file_id = ?", (file_id,)
        ).fetchone()
        if row is None:
            return None
        pages = tuple(json.loads(zlib.decompress(row[1]).decode()))
        return CachedFile(row[0], pages, row[2])

    def cache_files(self, entries: Iterable[tuple[str, CachedFile]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO files (file_id, fingerprint, pages, error) VALUES (?, ?, ?, ?)",
            [
                (file_id, entry.fingerprint, zlib.compress(json.dumps(entry.pages).encode(), 3), entry.error)
                for file_id, entry in entries
            ],
        )
        self._db.commit()

    # -- referenced objects ---------------------------------------------------------------

    def put_objects(self, source: str, kind: str, objects: Iterable[tuple[str, dict[str, object]]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO objects (object_id, source, kind, data) VALUES (?, ?, ?, ?)",
            [(object_id, source, kind, json.dumps(data, default=str)) for object_id, data in objects],
        )

    def get_object(self, object_id: str) -> dict[str, object] | None:
        row = self._db.execute("SELECT data FROM objects WHERE object_id = ?", (object_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def forget_objects(self, object_ids: Sequence[str]) -> None:
        self._db.executemany("DELETE FROM objects WHERE object_id = ?", [(i,) for i in object_ids])

    # -- documents per object -------------------------------------------------------------

    def docs_of(self, object_id: str) -> set[str]:
        rows = self._db.execute("SELECT doc_id FROM object_docs WHERE object_id = ?", (object_id,))
        return {row[0] for row in rows}

    def set_docs(self, source: str, object_id: str, doc_ids: Iterable[str]) -> None:
        self._db.execute("DELETE FROM object_docs WHERE object_id = ?", (object_id,))
        self._db.executemany(
            "INSERT INTO object_docs (object_id, doc_id, source) VALUES (?, ?, ?)",
            [(object_id, doc_id, source) for doc_id in doc_ids],
        )

    def forget_docs(self, doc_ids: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM object_docs WHERE doc_id = ?", [(doc_id,) for doc_id in doc_ids])

    # -- objects to fetch again -----------------------------------------------------------

    def pending(self, source: str) -> list[tuple[str, str]]:
        """(object id, kind) of objects whose last build was incomplete."""
        rows = self._db.execute(
            "SELECT object_id, kind FROM pending WHERE source = ? ORDER BY object_id", (source,)
        )
        return [(row[0], row[1]) for row in rows]

    def set_pending(self, source: str, object_id: str, kind: str, reason: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO pending (object_id, source, kind, reason) VALUES (?, ?, ?, ?)",
            (object_id, source, kind, reason),
        )

    def clear_pending(self, object_id: str) -> None:
        self._db.execute("DELETE FROM pending WHERE object_id = ?", (object_id,))
