"""What a folder ingest last saw of each file: size, modification time and content hash.

A re-ingest of an unchanged folder then skips a file after one ``stat`` instead of reading and
hashing it. The content hash stays the authority: a file whose size or mtime differs is read
and hashed, and only a changed hash re-extracts it. A recorded state is trusted only while the
catalog still holds the document with that same hash, so a state never outlives its document
(a restored or repaired catalog just costs one read per file). States live in their own small
SQLite file under the data dir; only the ingesting process (the one writer) touches it.

Like git's index, a file modified within ``RACY_WINDOW_NS`` of being looked at is recorded as
untrusted: a second write within the same timestamp tick would not change its mtime.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FILE_STATES_NAME = "file-states.sqlite3"  # in the data dir, beside the store
RACY_WINDOW_NS = 2_000_000_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS file_states (
    doc_id TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class FileState:
    size: int
    mtime_ns: int
    content_hash: str

    def matches(self, stat: os.stat_result) -> bool:
        return self.size == stat.st_size and self.mtime_ns == stat.st_mtime_ns


def observed(stat: os.stat_result, content_hash: str, now_ns: int) -> FileState:
    """The state to record for a file stat-ed at ``now_ns``; racy ones are recorded as untrusted."""
    if now_ns - stat.st_mtime_ns < RACY_WINDOW_NS:
        return FileState(-1, -1, content_hash)  # matches no stat: read and hashed next time
    return FileState(stat.st_size, stat.st_mtime_ns, content_hash)


class FileStates:
    """doc_id → FileState in ``<data dir>/file-states.sqlite3``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection

    def load(self) -> dict[str, FileState]:
        connection = self._connect()
        try:
            rows = connection.execute("SELECT doc_id, size, mtime_ns, content_hash FROM file_states")
            return {doc_id: FileState(size, mtime, digest) for doc_id, size, mtime, digest in rows}
        finally:
            connection.close()

    def record(self, states: Iterable[tuple[str, FileState]]) -> None:
        rows = [(doc_id, state.size, state.mtime_ns, state.content_hash) for doc_id, state in states]
        if not rows:
            return
        connection = self._connect()
        try:
            with connection:
                connection.executemany(
                    "INSERT INTO file_states(doc_id, size, mtime_ns, content_hash) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(doc_id) DO UPDATE SET size = excluded.size, "
                    "mtime_ns = excluded.mtime_ns, content_hash = excluded.content_hash",
                    rows,
                )
        finally:
            connection.close()

    def forget(self, doc_ids: Iterable[str]) -> None:
        rows = [(doc_id,) for doc_id in doc_ids]
        if not rows:
            return
        connection = self._connect()
        try:
            with connection:
                connection.executemany("DELETE FROM file_states WHERE doc_id = ?", rows)
        finally:
            connection.close()
