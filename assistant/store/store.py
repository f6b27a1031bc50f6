"""The store: catalog (SQLite) + vectors (Chroma) + BM25 (bm25s), kept in step.

Write order per batch: vectors first, then the catalog in one transaction, then BM25 is
rebuilt from the catalog. A crash after the vectors but before the catalog leaves vectors of a
document the catalog does not know (or knows with an older hash): the next ingest replaces
them, and ``check(repair=True)`` removes them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.errors import StoreMismatchError
from assistant.models import DocumentInfo
from assistant.store.bm25_index import Bm25Index
from assistant.store.catalog import SCHEMA_VERSION, Catalog
from assistant.store.vectors import VectorStore
from ingest.chunking import CHUNKER_VERSION
from ingest.records import Chunk, Page


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
    repaired: bool = False

    @property
    def consistent(self) -> bool:
        return not self.missing_vectors and not self.orphan_vectors and self.bm25_current


class Store:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._settings = settings
        self._embedder = embedder
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_path)
        self._check_build_record()
        self.vectors = VectorStore(settings)
        self._bm25: Bm25Index | None = None
        self._documents: dict[str, DocumentInfo] = {}
        self._documents_generation = -1
        self._lock = threading.Lock()

    def close(self) -> None:
        self.catalog.close()

    @property
    def data_dir(self) -> Path:
        return self._settings.data_dir

    # -- how the store was built -----------------------------------------------------------

    def build_record(self) -> dict[str, object]:
        return {
            "embedder": self._embedder.name,
            "dimension": self._embedder.dimension,
            "chunker": CHUNKER_VERSION,
            "chunk_max_words": self._settings.chunk_max_words,
            "schema": SCHEMA_VERSION,
        }

    def _check_build_record(self) -> None:
        current = self.build_record()
        recorded_raw = self.catalog.get_meta("build")
        if recorded_raw is None:
            self.catalog.set_meta("build", json.dumps(current))
            (self._settings.data_dir / "build.json").write_text(json.dumps(current, indent=2) + "\n")
            return
        recorded = json.loads(recorded_raw)
        if (recorded["embedder"], recorded["dimension"]) != (current["embedder"], current["dimension"]):
            raise StoreMismatchError(
                f"the store in {self._settings.data_dir} was built with embedder "
                f"{recorded['embedder']} ({recorded['dimension']} dimensions), but the configured one "
                f"is {current['embedder']} ({current['dimension']} dimensions). Set "
                "RATSINFO_EMBED_MODEL back, or use another RATSINFO_DATA_DIR and ingest again."
            )
        if recorded["schema"] != current["schema"]:
            raise StoreMismatchError(
                f"the store's schema version {recorded['schema']} differs from this program's "
                f"({current['schema']}): ingest again into a new RATSINFO_DATA_DIR."
            )
        if (recorded["chunker"], recorded["chunk_max_words"]) != (
            current["chunker"],
            current["chunk_max_words"],
        ):
            raise StoreMismatchError(
                f"the store was chunked with {recorded['chunker']} at {recorded['chunk_max_words']} "
                f"words, the configuration asks for {current['chunker']} at "
                f"{current['chunk_max_words']}: set RATSINFO_CHUNK_MAX_WORDS back, or ingest into a "
                "new RATSINFO_DATA_DIR."
            )

    # -- writes ----------------------------------------------------------------------------

    def write(self, writes: Sequence[DocumentWrite]) -> None:
        """Replace the given documents (vectors first, catalog last; see module docstring)."""
        if not writes:
            return
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
            self.catalog.delete_documents(doc_ids)
            self.vectors.delete_documents(doc_ids)

    def set_access(self, doc_id: str, access: frozenset[str]) -> None:
        document = self.catalog.document(doc_id)
        if document is None:
            return
        chunk_ids = [chunk.chunk_id for chunk in self.catalog.chunks_of(doc_id)]
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
            loaded = Bm25Index.load(self._settings.bm25_dir)
            if loaded is None or loaded.generation != generation:
                loaded = Bm25Index.build(self.catalog.iter_chunks(), generation)
                loaded.save(self._settings.bm25_dir)
            self._bm25 = loaded
            return loaded

    def check(self, repair: bool = False) -> CheckReport:
        """Compare the catalog, Chroma and BM25; with ``repair``, make them agree again."""
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
        )
        if repair and not report.consistent:
            self.vectors.delete_chunks(report.orphan_vectors)
            self._reembed(report.missing_vectors)
            with self._lock:
                self._bm25 = None
            fresh = Bm25Index.build(self.catalog.iter_chunks(), self.catalog.generation)
            fresh.save(self._settings.bm25_dir)
            report.repaired = True
        return report

    def _reembed(self, chunk_ids: Sequence[str]) -> None:
        """Restore vectors from the catalog's chunk texts, without reading sources again."""
        stored = self.catalog.chunks(chunk_ids)
        documents = self.documents()
        chunks = [
            Chunk(c.doc_id, c.index, c.page, c.section, c.start, c.end, c.text) for c in stored.values()
        ]
        for start in range(0, len(chunks), 1000):
            batch = chunks[start : start + 1000]
            vectors = self._embedder.embed_passages([chunk.text for chunk in batch])
            self.vectors.add(batch, vectors, documents)
