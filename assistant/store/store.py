"""The store: catalog (SQLite) + vectors (Chroma) + BM25 (bm25s), kept in step.

Write order per batch: the ids of the documents about to change are journalled in the catalog
(``pending_write``), then Chroma is written, then the catalog in one transaction that also
clears the journal; BM25 is rebuilt from the catalog's generation. A process killed anywhere in
between leaves a journal naming the documents whose vectors may disagree with the catalog; the
next writer (``writing()``) replaces exactly those vectors with ones embedded from the
catalog's chunk texts before it does anything else, so nothing is lost and nothing is doubled.
``check(repair=True)`` does the same and also removes vectors of any other disagreement.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.embedding.precision import same_vector_space, setting_to_restore
from assistant.errors import StoreMismatchError
from assistant.store.bm25_index import Bm25Index, saved_generation
from assistant.store.catalog import SCHEMA_VERSION, Catalog
from assistant.store.passage_vectors import passage_vectors
from assistant.store.process_changes import ProcessChanges
from assistant.store.process_tables import ProcessBatch, ProcessTables
from assistant.store.search_text import search_text
from assistant.store.vectors import VectorStore
from assistant.store.writer_lock import WriterLock, held_here, writer_active
from ingest.chunking import CHUNKER_VERSION
from ingest.records import Chunk, DocumentInfo, Page
from ingest.text.words import SEARCH_TERMS_VERSION

# A reader reopens local Chroma at most this often after another process wrote (reloading a
# large index costs time; BM25 and the catalog are current anyway).
_REOPEN_INTERVAL_S = 2.0


@dataclass(frozen=True, slots=True)
class DocumentWrite:
    """One document ready for the store: its record, pages, chunks and their vectors."""

    document: DocumentInfo
    pages: tuple[Page, ...]
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray


@dataclass(slots=True)
class CheckReport:
    catalog_chunks: int
    vector_chunks: int
    missing_vectors: list[str] = field(default_factory=list)  # in the catalog, not in Chroma
    orphan_vectors: list[str] = field(default_factory=list)  # in Chroma, not in the catalog
    bm25_current: bool = True
    pending_documents: int = 0  # named by the journal of a write that did not finish
    repaired: bool = False

    @property
    def consistent(self) -> bool:
        return (
            not self.missing_vectors
            and not self.orphan_vectors
            and self.bm25_current
            and not self.pending_documents
        )


class Store:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._settings = settings
        self._embedder = embedder
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_path)
        self._process = ProcessTables(self.catalog)
        # The collection comes from the build record: `ratsinfo reindex` switches it.
        self._collection = settings.collection
        self._variants: list[str] = []  # every embedder variant that wrote vectors (build record)
        self._check_build_record()
        self._vectors = VectorStore(settings, self._collection)
        self._vectors_generation = self.catalog.generation
        self._vectors_opened = time.monotonic()
        self._bm25: Bm25Index | None = None
        self._documents: dict[str, DocumentInfo] = {}
        self._documents_generation = -1
        self._lock = threading.RLock()  # bm25() calls documents() while holding it

    def close(self) -> None:
        self.catalog.close()

    @property
    def data_dir(self) -> Path:
        return self._settings.data_dir

    @property
    def vectors(self) -> VectorStore:
        """Chroma; a local one is reopened after another process changed the store and finished.

        See VectorStore.reopened: a local Chroma client does not see what other processes write.
        """
        if self._settings.chroma_url:
            return self._vectors
        generation = self.catalog.generation
        if generation == self._vectors_generation:
            return self._vectors
        with self._lock:
            if generation != self._vectors_generation:
                if held_here(self._settings.data_dir):  # our own write: this client has it
                    self._vectors_generation = generation
                # Never while that process still writes: loading index files it is rewriting can
                # crash the Chroma library (seen under load); until it is done, the reader's dense
                # index is the one of the last finished write, its catalog and BM25 are current.
                elif time.monotonic() - self._vectors_opened >= _REOPEN_INTERVAL_S and not writer_active(
                    self._settings.data_dir
                ):
                    self._vectors = VectorStore.reopened(self._settings, self._collection)
                    self._vectors_generation = generation
                    self._vectors_opened = time.monotonic()
            return self._vectors

    # -- how the store was built -----------------------------------------------------------

    def build_record(self) -> dict[str, object]:
        return {
            "embedder": self._embedder.name,
            "embedders": list(self._variants) if self._variants else [self._embedder.name],
            "dimension": self._embedder.dimension,
            "chunker": CHUNKER_VERSION,
            "chunk_max_words": self._settings.chunk_max_words,
            "schema": SCHEMA_VERSION,
            "collection": self._collection,
            "search_terms": SEARCH_TERMS_VERSION,
        }

    def _record_build(self, record: dict[str, object]) -> None:
        self.catalog.set_meta("build", json.dumps(record))
        (self._settings.data_dir / "build.json").write_text(json.dumps(record, indent=2) + "\n")

    def _note_variant(self) -> None:
        """Before vectors are written: the build record lists this embedder variant among its writers.

        float32, bfloat16 and float16 vectors of one model may share a store (``same_vector_space``);
        the record says which of them it holds.
        """
        if self._embedder.name in self._variants:
            return
        self._variants.append(self._embedder.name)
        recorded_raw = self.catalog.get_meta("build")
        recorded = json.loads(recorded_raw) if recorded_raw else self.build_record()
        self._record_build({**recorded, "embedders": list(self._variants)})

    def _check_build_record(self) -> None:
        current = self.build_record()
        recorded_raw = self.catalog.get_meta("build")
        if recorded_raw is None:
            self._variants = [self._embedder.name]
            self._record_build(self.build_record())
            return
        recorded = json.loads(recorded_raw)
        self._collection = str(recorded.get("collection") or self._settings.collection)
        if recorded.get("search_terms") != SEARCH_TERMS_VERSION:
            # BM25 is rebuilt from the catalog with the new tokenisation (its folders say which
            # one they hold, see bm25_index.py); the record says which one the store uses now.
            self._record_build({**recorded, "search_terms": SEARCH_TERMS_VERSION})
        self._variants = list(recorded.get("embedders") or [recorded["embedder"]])
        if recorded["dimension"] != current["dimension"] or not same_vector_space(
            str(recorded["embedder"]), str(current["embedder"])
        ):
            setting = setting_to_restore(str(recorded["embedder"]), str(current["embedder"]))
            raise StoreMismatchError(
                f"the store in {self._settings.data_dir} was built with embedder "
                f"{recorded['embedder']} ({recorded['dimension']} dimensions), but the configured one "
                f"is {current['embedder']} ({current['dimension']} dimensions). Run `ratsinfo "
                "reindex` to re-embed the stored chunks with the configured embedder (sources are not "
                f"read again), or set {setting} back.",
                german=f"Der Datenbestand in {self._settings.data_dir} wurde mit dem Embedder "
                f"{recorded['embedder']} ({recorded['dimension']} Dimensionen) aufgebaut, eingestellt ist "
                f"{current['embedder']} ({current['dimension']} Dimensionen). „ratsinfo reindex“ bettet die "
                "gespeicherten Abschnitte neu ein (Quellen werden nicht erneut gelesen), oder "
                f"{setting.replace('(or auto)', '(oder auto)')} zurücksetzen.",
            )
        if recorded["schema"] != current["schema"]:
            raise StoreMismatchError(
                f"the store's schema version {recorded['schema']} differs from this program's "
                f"({current['schema']}): ingest again into a new RATSINFO_DATA_DIR.",
                german=f"Der Datenbestand hat die Schemaversion {recorded['schema']}, dieses Programm "
                f"{current['schema']}: bitte in einen neuen RATSINFO_DATA_DIR neu einlesen.",
            )
        if (recorded["chunker"], recorded["chunk_max_words"]) != (
            current["chunker"],
            current["chunk_max_words"],
        ):
            raise StoreMismatchError(
                f"the store was chunked with {recorded['chunker']} at {recorded['chunk_max_words']} "
                f"words, the configuration asks for {current['chunker']} at "
                f"{current['chunk_max_words']}: set RATSINFO_CHUNK_MAX_WORDS back, or ingest into a "
                "new RATSINFO_DATA_DIR.",
                german=f"Der Datenbestand wurde mit {recorded['chunker']} zu {recorded['chunk_max_words']} "
                f"Wörtern zerlegt, eingestellt sind {current['chunker']} zu {current['chunk_max_words']}: "
                "RATSINFO_CHUNK_MAX_WORDS zurücksetzen oder in einen neuen RATSINFO_DATA_DIR einlesen.",
            )

    # -- writes ----------------------------------------------------------------------------

    @contextmanager
    def writing(self, purpose: str) -> Iterator[None]:
        """Hold the data dir's writer lock; the first holder finishes an interrupted write first.

        Raises StoreBusyError when another process (or thread) writes to this data dir.
        """
        lock = WriterLock(self._settings.data_dir, purpose)
        if lock.acquire():
            try:
                self.recover()
            except BaseException:
                lock.release()
                raise
        try:
            yield
        finally:
            lock.release()

    def recover(self) -> list[str]:
        """Make the vectors of an interrupted write agree with the catalog; returns their doc ids.

        Call only while holding the writer lock (``writing()`` does).
        """
        doc_ids = self.catalog.pending_write()
        if not doc_ids:
            return []
        self.vectors.delete_documents(doc_ids)
        self._reembed([chunk.chunk_id for doc_id in doc_ids for chunk in self.catalog.chunks_of(doc_id)])
        self.catalog.clear_pending_write()
        return doc_ids

    def write(self, writes: Sequence[DocumentWrite]) -> None:
        """Replace the given documents (journal, vectors, then catalog; see module docstring)."""
        if not writes:
            return
        with self.writing("write"):
            self._note_variant()
            self.catalog.begin_pending_write([write.document.doc_id for write in writes])
            self.vectors.delete_documents([write.document.doc_id for write in writes])
            chunks = [chunk for write in writes for chunk in write.chunks]
            if chunks:
                self.vectors.add(
                    chunks,
                    np.vstack([write.vectors for write in writes if len(write.chunks)]),
                    {write.document.doc_id: write.document for write in writes},
                )
            self.catalog.replace_documents((write.document, write.pages, write.chunks) for write in writes)

    def delete(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            with self.writing("delete"):
                self.catalog.begin_pending_write(doc_ids)
                self.vectors.delete_documents(doc_ids)
                self.catalog.delete_documents(doc_ids)

    def apply_process(self, batch: ProcessBatch) -> ProcessChanges:
        """Write a batch of council process records (see ``process_tables``); returns what changed."""
        if not batch:
            return ProcessChanges()
        with self.writing("process"):
            return self._process.apply(batch)

    def prune_process(
        self, source: str, papers: set[str], meetings: set[str], organizations: set[str]
    ) -> ProcessChanges:
        """After a complete crawl of ``source``: remove its process records no list named."""
        with self.writing("process"):
            return self._process.prune(source, papers, meetings, organizations)

    def set_access(self, doc_id: str, access: frozenset[str]) -> None:
        with self.writing("set access"):
            document = self.catalog.document(doc_id)
            if document is None:
                return
            chunk_ids = [chunk.chunk_id for chunk in self.catalog.chunks_of(doc_id)]
            self.catalog.begin_pending_write([doc_id])
            self.vectors.set_access(chunk_ids, document.access, access)
            self.catalog.set_access(doc_id, access)

    # -- reads -----------------------------------------------------------------------------

    def documents(self) -> dict[str, DocumentInfo]:
        """All document records, cached until the catalog changes."""
        generation = self.catalog.generation
        with self._lock:
            if generation != self._documents_generation:
                self._documents = {doc.doc_id: doc for doc in self.catalog.documents()}
                self._documents_generation = generation
            return self._documents

    def bm25(self) -> Bm25Index:
        """The BM25 index of the catalog's current generation, loaded or rebuilt as needed."""
        generation = self.catalog.generation
        with self._lock:
            if self._bm25 is not None and self._bm25.generation == generation:
                return self._bm25
            if (
                self._bm25 is not None
                and not held_here(self._settings.data_dir)
                and writer_active(self._settings.data_dir)
            ):
                # Another process is writing batch after batch: rebuilding for each would stall
                # every reader. Keep the last index (passages of deleted documents are dropped
                # against the catalog) until the writer has finished and saved its own.
                return self._bm25
            loaded = Bm25Index.load(self._settings.bm25_dir, generation)
            if loaded is None or loaded.generation != generation:
                loaded = self._build_bm25()
                loaded.save(self._settings.bm25_dir)
            self._bm25 = loaded
            return loaded

    def refresh_bm25(self) -> None:
        """At the end of a write run: bring the saved BM25 index to the catalog's generation now.

        Rebuilt here, not on the first query after the run; a store whose generation did not move
        keeps its saved index (not even loaded). Writers call this, readers use ``bm25()``.
        """
        if saved_generation(self._settings.bm25_dir) != self.catalog.generation:
            self.bm25()

    def _build_bm25(self) -> Bm25Index:
        """BM25 over one snapshot of the catalog, labelled with that snapshot's generation."""
        with self.catalog.snapshot() as (generation, documents, chunks):
            return Bm25Index.build(chunks, documents, generation)

    def check(self, repair: bool = False) -> CheckReport:
        """Compare the catalog, Chroma and BM25; with ``repair``, make them agree again.

        The repair takes the writer lock (StoreBusyError while an ingest runs).
        """
        if not repair:
            return self._check(repair=False)
        with WriterLock(self._settings.data_dir, "check --repair"):
            recovered = self.recover()
            report = self._check(repair=True)
        if recovered:  # the report tells what was found, ``repaired`` that it was fixed
            report.pending_documents = len(recovered)
            report.repaired = True
        return report

    def _check(self, repair: bool) -> CheckReport:
        catalog_ids = self.catalog.chunk_ids()
        vector_ids = self.vectors.ids()
        saved = Bm25Index.load(self._settings.bm25_dir)
        report = CheckReport(
            catalog_chunks=len(catalog_ids),
            vector_chunks=len(vector_ids),
            missing_vectors=sorted(catalog_ids - vector_ids),
            orphan_vectors=sorted(vector_ids - catalog_ids),
            bm25_current=saved is not None
            and saved.generation == self.catalog.generation
            and set(saved.chunk_ids) == catalog_ids,
            pending_documents=len(self.catalog.pending_write()),
        )
        if repair and not report.consistent:
            self.vectors.delete_chunks(report.orphan_vectors)
            self._reembed(report.missing_vectors)
            with self._lock:
                self._bm25 = None
            self._build_bm25().save(self._settings.bm25_dir)
            report.repaired = True
        return report

    def _reembed(self, chunk_ids: Sequence[str]) -> None:
        """Restore vectors from the catalog's chunk texts, without reading sources again."""
        if chunk_ids:
            self._note_variant()
        stored = self.catalog.chunks(chunk_ids)
        documents = self.documents()
        chunks = [
            Chunk(c.doc_id, c.index, c.page, c.section, c.start, c.end, c.text) for c in stored.values()
        ]
        for start in range(0, len(chunks), 1000):
            batch = chunks[start : start + 1000]
            texts = [search_text(documents[chunk.doc_id], chunk.section, chunk.text) for chunk in batch]
            vectors = passage_vectors(texts, self._embedder, self.catalog, self.vectors)
            self.vectors.add(batch, vectors, documents)
