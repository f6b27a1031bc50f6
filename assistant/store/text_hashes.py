"""The catalog's ``chunks.text_hash``: which chunks were embedded from the same text.

Written with every chunk (``Catalog.replace_documents``); chunks of a catalog written before the
column existed get theirs when the catalog is opened. ``passage_vectors`` reads it to reuse the
stored vector of a text instead of embedding it again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from assistant.store.search_text import chunk_text_hash
from ingest.records import DocumentInfo


class Catalog(Protocol):
    """What is needed of ``catalog.Catalog`` (which calls this module when it opens)."""

    def reading(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def documents(self) -> list[DocumentInfo]: ...


def fill_missing_text_hashes(catalog: Catalog) -> int:
    """Hash the chunks that have no ``text_hash`` yet (a cheap indexed look-up when none lacks one)."""
    with catalog.reading() as db:
        if db.execute("SELECT 1 FROM chunks WHERE text_hash IS NULL LIMIT 1").fetchone() is None:
            return 0
    documents = {document.doc_id: document for document in catalog.documents()}
    with catalog.transaction() as db:
        rows = db.execute("SELECT seq, doc_id, section, text FROM chunks WHERE text_hash IS NULL").fetchall()
        updates = [
            (chunk_text_hash(documents[row["doc_id"]], row["section"], row["text"]), row["seq"])
            for row in rows
            if row["doc_id"] in documents
        ]
        db.executemany("UPDATE chunks SET text_hash = ? WHERE seq = ?", updates)
    return len(updates)


def chunk_ids_by_hash(catalog: Catalog, hashes: Sequence[str], per_hash: int = 2) -> dict[str, list[str]]:
    """For each text hash, up to ``per_hash`` chunks embedded from that text (none: absent)."""
    found: dict[str, list[str]] = {}
    with catalog.reading() as db:
        for start in range(0, len(hashes), 500):  # SQLite's variable limit
            batch = list(hashes[start : start + 500])
            placeholders = ", ".join("?" * len(batch))
            rows = db.execute(
                f"SELECT text_hash, chunk_id FROM chunks WHERE text_hash IN ({placeholders})", batch
            )
            for row in rows:
                ids = found.setdefault(row["text_hash"], [])
                if len(ids) < per_hash:
                    ids.append(row["chunk_id"])
    return found
