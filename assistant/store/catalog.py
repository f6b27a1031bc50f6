"""The catalog: documents, page texts and chunk texts in SQLite, the store's source of truth.

Chroma holds vectors and the metadata needed for filtering; the BM25 index is rebuilt from the
catalog's chunks. A document's row is written last, in one transaction, after its vectors are
in Chroma, so a crash between the two leaves a document that the next run re-ingests.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path

from assistant.models import StoredChunk
from assistant.store.catalog_migrations import migrate
from assistant.store.process_schema import PROCESS_SCHEMA
from assistant.store.search_text import chunk_text_hash
from assistant.store.text_hashes import fill_missing_text_hashes
from ingest.records import Chunk, ConsultationStep, DocumentInfo, Page

SCHEMA_VERSION = 1  # additive changes are migrated in place (catalog_migrations.py), not versioned
_PENDING = "pending_write"  # meta key: JSON list of doc ids whose vectors are being rewritten

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    root TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    media_type TEXT NOT NULL,
    title TEXT NOT NULL,
    reference TEXT NOT NULL,
    date TEXT,
    paper_type TEXT NOT NULL,
    paper_family TEXT NOT NULL DEFAULT '',
    originator TEXT NOT NULL,
    subject TEXT NOT NULL,
    municipality TEXT NOT NULL,
    consultations TEXT NOT NULL,
    url TEXT NOT NULL,
    access TEXT NOT NULL,
    page_count INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_root ON documents(root);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    page INTEGER NOT NULL,
    section TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT  -- of the text embedded (search_text): whose vector another chunk may reuse
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""

_DOC_COLUMNS = (
    "doc_id, source, root, content_hash, media_type, title, reference, date, paper_type, paper_family, "
    "originator, subject, municipality, consultations, url, access, page_count, chunk_count"
)
_DOC_PLACEHOLDERS = ", ".join("?" * len(_DOC_COLUMNS.split(",")))
_CHUNK_COLUMNS = 'chunk_id, doc_id, idx, page, section, start, "end", text'


def _encode_consultations(steps: Sequence[ConsultationStep]) -> str:
    return json.dumps(
        [{**asdict(step), "date": step.date.isoformat() if step.date else None} for step in steps],
        ensure_ascii=False,
    )


def _decode_consultations(raw: str) -> tuple[ConsultationStep, ...]:
    return tuple(
        ConsultationStep(
            body=item["body"],
            date=date.fromisoformat(item["date"]) if item["date"] else None,
            public=item["public"],
            role=item["role"],
            result=item.get("result", ""),
        )
        for item in json.loads(raw)
    )


def _document_from_row(row: sqlite3.Row) -> DocumentInfo:
    return DocumentInfo(
        doc_id=row["doc_id"],
        source=row["source"],
        root=row["root"],
        content_hash=row["content_hash"],
        media_type=row["media_type"],
        title=row["title"],
        reference=row["reference"],
        date=date.fromisoformat(row["date"]) if row["date"] else None,
        paper_type=row["paper_type"],
        paper_family=row["paper_family"],
        originator=row["originator"],
        subject=row["subject"],
        municipality=row["municipality"],
        consultations=_decode_consultations(row["consultations"]),
        url=row["url"],
        access=frozenset(json.loads(row["access"])),
        page_count=row["page_count"],
        chunk_count=row["chunk_count"],
    )


def _chunk_from_row(row: sqlite3.Row) -> StoredChunk:
    return StoredChunk(
        chunk_id=row["chunk_id"],
        doc_id=row["doc_id"],
        index=row["idx"],
        page=row["page"],
        section=row["section"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
    )


class Catalog:
    """SQLite in WAL mode: readers (the API) keep working while one writer ingests."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        # One connection shared by the API's worker threads, serialised by a lock.
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA foreign_keys=ON")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.executescript(_SCHEMA)
        migrate(self._connection)  # a catalog of an earlier version: additive, in place
        self._connection.executescript(PROCESS_SCHEMA)
        fill_missing_text_hashes(self)  # chunks written before the column existed

    def close(self) -> None:
        self._connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one transaction (for the process tables beside the documents)."""
        with self._lock, self._connection:
            yield self._connection

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads, serialised with the other users of it."""
        with self._lock:
            yield self._connection

    # -- build record and generation -------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock, self._connection:
            self._connection.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def begin_pending_write(self, doc_ids: Sequence[str]) -> None:
        """Journal the documents whose vectors are about to change (cleared by the catalog write)."""
        self.set_meta(_PENDING, json.dumps(sorted(set(doc_ids))))

    def pending_write(self) -> list[str]:
        """Doc ids of a write that began but was not committed (empty when none was cut short)."""
        raw = self.get_meta(_PENDING)
        return list(json.loads(raw)) if raw else []

    def clear_pending_write(self) -> None:
        with self._lock, self._connection:
            self._clear_pending()

    def _clear_pending(self) -> None:
        self._connection.execute("DELETE FROM meta WHERE key = ?", (_PENDING,))

    @property
    def generation(self) -> int:
        """Increases with every committed change; the BM25 index records the one it was built at."""
        return int(self.get_meta("generation") or 0)

    # -- writes ----------------------------------------------------------------------------

    def replace_documents(
        self, entries: Iterable[tuple[DocumentInfo, Sequence[Page], Sequence[Chunk]]]
    ) -> None:
        """Write documents with their pages and chunks, replacing older versions, atomically."""
        with self._lock, self._connection:
            for document, pages, chunks in entries:
                self._connection.execute("DELETE FROM documents WHERE doc_id = ?", (document.doc_id,))
                self._connection.execute(
                    f"INSERT INTO documents({_DOC_COLUMNS}) VALUES ({_DOC_PLACEHOLDERS})",
                    (
                        document.doc_id,
                        document.source,
                        document.root,
                        document.content_hash,
                        document.media_type,
                        document.title,
                        document.reference,
                        document.date.isoformat() if document.date else None,
                        document.paper_type,
                        document.paper_family,
                        document.originator,
                        document.subject,
                        document.municipality,
                        _encode_consultations(document.consultations),
                        document.url,
                        json.dumps(sorted(document.access)),
                        document.page_count,
                        document.chunk_count,
                    ),
                )
                self._connection.executemany(
                    "INSERT INTO pages(doc_id, number, text) VALUES (?, ?, ?)",
                    [(document.doc_id, page.number, page.text) for page in pages],
                )
                self._connection.executemany(
                    f"INSERT INTO chunks({_CHUNK_COLUMNS}, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            c.chunk_id,
                            c.doc_id,
                            c.index,
                            c.page,
                            c.section,
                            c.start,
                            c.end,
                            c.text,
                            chunk_text_hash(document, c.section, c.text),
                        )
                        for c in chunks
                    ],
                )
            self._bump_generation()

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        with self._lock, self._connection:
            self._connection.executemany(
                "DELETE FROM documents WHERE doc_id = ?", [(doc_id,) for doc_id in doc_ids]
            )
            self._bump_generation()

    def set_access(self, doc_id: str, access: frozenset[str]) -> None:
        with self._lock, self._connection:
            self._connection.execute(
                "UPDATE documents SET access = ? WHERE doc_id = ?",
                (json.dumps(sorted(access)), doc_id),
            )
            self._bump_generation()

    def _bump_generation(self) -> None:
        # Every committed change ends the write the journal announced, in the same transaction.
        self._clear_pending()
        self._connection.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # -- reads -----------------------------------------------------------------------------

    def hashes(self) -> dict[str, str]:
        """doc_id → content hash of every document (what an ingest compares against)."""
        with self._lock:
            rows = self._connection.execute("SELECT doc_id, content_hash FROM documents")
            return {row["doc_id"]: row["content_hash"] for row in rows}

    def doc_ids_under_root(self, root: str) -> set[str]:
        with self._lock:
            rows = self._connection.execute("SELECT doc_id FROM documents WHERE root = ?", (root,))
            return {row["doc_id"] for row in rows}

    def document(self, doc_id: str) -> DocumentInfo | None:
        with self._lock:
            row = self._connection.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
            return None if row is None else _document_from_row(row)

    def documents(self) -> list[DocumentInfo]:
        with self._lock:
            rows = self._connection.execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY doc_id")
            return [_document_from_row(row) for row in rows]

    def pages(self, doc_id: str) -> list[Page]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT number, text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,)
            )
            return [Page(number=row["number"], text=row["text"]) for row in rows]

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        with self._lock:
            found: dict[str, StoredChunk] = {}
            for start in range(0, len(chunk_ids), 500):  # SQLite's variable limit
                batch = list(chunk_ids[start : start + 500])
                rows = self._connection.execute(
                    f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_id IN ({', '.join('?' * len(batch))})",
                    batch,
                )
                found.update((row["chunk_id"], _chunk_from_row(row)) for row in rows)
            return found

    def chunks_of(self, doc_id: str) -> list[StoredChunk]:
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE doc_id = ? ORDER BY idx", (doc_id,)
            )
            return [_chunk_from_row(row) for row in rows]

    def iter_chunks(self) -> Iterator[StoredChunk]:
        """All chunks in a stable order (the BM25 index's row order)."""
        # A connection of its own: the generator may be consumed while others use the shared one.
        connection = sqlite3.connect(self._path, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            cursor = connection.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks ORDER BY seq")
            while rows := cursor.fetchmany(5000):
                yield from (_chunk_from_row(row) for row in rows)
        finally:
            connection.close()

    @contextmanager
    def snapshot(self) -> Iterator[tuple[int, dict[str, DocumentInfo], Iterator[StoredChunk]]]:
        """(generation, documents, all chunks) read in one transaction: they belong together.

        What the BM25 index is built from: separate reads could see a writer's commit between
        them (chunks of a document the dict lacks, or a generation that is not the data's).
        """
        connection = sqlite3.connect(self._path, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("BEGIN")  # the first read fixes the snapshot for all that follow
            row = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            generation = int(row["value"]) if row else 0
            documents = {
                document.doc_id: document
                for document in map(
                    _document_from_row, connection.execute(f"SELECT {_DOC_COLUMNS} FROM documents")
                )
            }

            def chunks() -> Iterator[StoredChunk]:
                cursor = connection.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks ORDER BY seq")
                while rows := cursor.fetchmany(5000):
                    yield from (_chunk_from_row(row) for row in rows)

            yield generation, documents, chunks()
        finally:
            connection.rollback()
            connection.close()

    def chunk_ids(self) -> set[str]:
        with self._lock:
            return {row["chunk_id"] for row in self._connection.execute("SELECT chunk_id FROM chunks")}

    def counts(self) -> tuple[int, int, int]:
        """(documents, pages, chunks)."""
        with self._lock:
            row = self._connection.execute(
                "SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM pages), "
                "(SELECT COUNT(*) FROM chunks)"
            ).fetchone()
            return int(row[0]), int(row[1]), int(row[2])
