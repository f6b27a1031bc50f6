"""Synthetic stores of 10k to 1M chunks, grown from the real ingested corpus.

Copy ``c`` of the real corpus gets new document ids, dates shifted by ``c`` × 41 days,
references suffixed, one document in ten restricted to a committee group, and vectors that are
the real vector plus Gaussian noise (cosine ≈ 0.9 to the original, renormalised): the dense
index sees clustered vectors like real ones, not uniform random ones, and BM25 sees the real
word distribution. Copy 0 is the real corpus itself.

A store is written through our own catalog, Chroma collection and BM25 index classes, built
once per size under the bench data folder and reused. It is resumable: each finished copy is
recorded in the catalog's meta table, and an interrupted copy is deleted and written again.
The BM25 index is built once at the end from token ids that copies share with their original
(the production rebuild, ``Bm25Index.build``, is measured separately: see ``search_bench``).
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

COMMITTEE_GROUPS = ("gremium-a", "gremium-b", "gremium-c")
_COPIES_DONE = "bench_copies_done"
_NOISE = 0.45  # norm of the noise added to a unit vector: cosine to the original ≈ 0.9


@dataclass(frozen=True, slots=True)
class RealCorpus:
    """The real store's documents, chunks (in catalog order), their vectors and BM25 token ids."""

    documents: dict[str, Any]  # doc_id → DocumentInfo
    chunks: list[Any]  # StoredChunk
    vectors: np.ndarray
    token_ids: list[np.ndarray]
    vocabulary: dict[str, int]


def load_real(source_dir: Path, stored_vectors: bool = False) -> RealCorpus:
    """Read the real store under ``source_dir`` and embed its chunks as the pipeline does.

    ``stored_vectors``: take the vectors the store holds instead (a semantic store: embedding it
    again would take as long as its ingest did).
    """
    from assistant.config import Settings
    from assistant.embedding import build_embedder
    from assistant.store.catalog import Catalog
    from assistant.store.search_text import search_text
    from ingest.text.words import search_terms

    settings = Settings(data_dir=source_dir)
    catalog = Catalog(settings.catalog_path)
    try:
        documents = {document.doc_id: document for document in catalog.documents()}
        chunks = list(catalog.iter_chunks())
    finally:
        catalog.close()
    texts = [search_text(documents[chunk.doc_id], chunk.section, chunk.text) for chunk in chunks]
    if stored_vectors:
        from assistant.store.vectors import VectorStore

        found = VectorStore(settings).embeddings([chunk.chunk_id for chunk in chunks])
        vectors = np.stack([found[chunk.chunk_id] for chunk in chunks])
    else:
        vectors = build_embedder(settings).embed_passages(texts)
    vocabulary: dict[str, int] = {}
    token_ids = [
        np.fromiter(
            (vocabulary.setdefault(token, len(vocabulary)) for token in search_terms(text)), dtype=np.int32
        )
        for text in texts
    ]
    return RealCorpus(documents, chunks, vectors, token_ids, vocabulary)


def copy_document(document: Any, copy: int) -> Any:
    """The ``copy``-th synthetic twin of a real document (copy 0 is the document itself)."""
    if copy == 0:
        return document
    shifted: date | None = None
    if document.date is not None:
        shifted = document.date - timedelta(days=41 * copy)
    # A stable tenth of the twins is restricted to one committee, the rest stays public.
    bucket = int(document.doc_id[:6], 16) + copy
    access = frozenset({COMMITTEE_GROUPS[bucket % 3]}) if bucket % 10 == 0 else document.access
    return replace(
        document,
        doc_id=f"{document.doc_id}-c{copy}",
        source=f"{document.source}#copy{copy}",
        content_hash=f"{document.content_hash[:56]}{copy:08d}",
        reference=f"{document.reference}-{copy}" if document.reference else "",
        date=shifted,
        access=access,
    )


def _noisy(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(vectors.shape).astype(np.float32) * (_NOISE / math.sqrt(vectors.shape[1]))
    moved = vectors + noise
    return moved / np.linalg.norm(moved, axis=1, keepdims=True)


def build_store(arguments: dict[str, Any]) -> dict[str, Any]:
    """Grow ``source_dir``'s real store to ``size`` chunks in ``data_dir`` (reused when complete)."""
    from assistant.config import Settings
    from assistant.embedding import build_embedder
    from assistant.store.store import Store

    size = int(arguments["size"])
    data_dir = Path(arguments["data_dir"])
    embed_model = arguments.get("embed_model")  # a semantic store: the source's vectors are reused
    settings = Settings(data_dir=data_dir, **({"embed_model": embed_model} if embed_model else {}))
    store = Store(settings, build_embedder(settings))
    try:
        done = int(store.catalog.get_meta(_COPIES_DONE) or -1)
        if done >= 0 and store.catalog.get_meta("bench_complete") == str(size):
            documents, _, chunks = store.catalog.counts()
            first = json.loads(store.catalog.get_meta("bench_build") or "{}")  # the build's figures
            return {**first, "size": size, "cached": True, "documents": documents, "chunks": chunks}
        started = time.perf_counter()
        real = load_real(Path(arguments["source_dir"]), stored_vectors=bool(embed_model))
        load_s = time.perf_counter() - started
        written = _write_copies(store, real, size, done)
        write_s = time.perf_counter() - started - load_s
        bm25_started = time.perf_counter()
        _save_bm25(store, real)
        documents, _, chunks = store.catalog.counts()
        figures = {
            "size": size,
            "cached": False,
            "documents": documents,
            "chunks": chunks,
            "chunks_written_now": written,
            "load_real_s": round(load_s, 1),
            "write_s": round(write_s, 1),
            "write_chunks_per_s": round(written / write_s, 1) if write_s else 0.0,
            "bm25_s": round(time.perf_counter() - bm25_started, 1),
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
        }
        store.catalog.set_meta("bench_build", json.dumps(figures))
        store.catalog.set_meta("bench_complete", str(size))
        return figures
    finally:
        store.close()


def _copy_plan(real: RealCorpus, size: int) -> list[list[Any]]:
    """Per copy, the real chunks it takes: whole copies, then a prefix of the corpus to reach ``size``."""
    copies = []
    remaining = size
    while remaining > 0:
        copies.append(real.chunks[: min(remaining, len(real.chunks))])
        remaining -= len(copies[-1])
    return copies


def _twin_chunk(doc_id: str, chunk: Any) -> Any:
    from ingest.records import Chunk

    return Chunk(doc_id, chunk.index, chunk.page, chunk.section, chunk.start, chunk.end, chunk.text)


def _write_copies(store: Any, real: RealCorpus, size: int, done: int) -> int:
    positions = {chunk.chunk_id: row for row, chunk in enumerate(real.chunks)}
    written = 0
    for copy, chunks in enumerate(_copy_plan(real, size)):
        if copy <= done:
            continue
        rng = np.random.default_rng(copy)
        by_doc: dict[str, list[Any]] = {}
        for chunk in chunks:
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        twins = {doc_id: copy_document(real.documents[doc_id], copy) for doc_id in by_doc}
        if copy == done + 1 and copy > 0:  # may have been cut short after some vectors were written
            store.vectors.delete_documents([twin.doc_id for twin in twins.values()])
        for start in range(0, len(chunks), 4096):
            batch = chunks[start : start + 4096]
            records = [_twin_chunk(twins[c.doc_id].doc_id, c) for c in batch]
            vectors = real.vectors[[positions[c.chunk_id] for c in batch]]
            moved = vectors if copy == 0 else _noisy(vectors, rng)
            store.vectors.add(records, moved, {twin.doc_id: twin for twin in twins.values()})
        entries = []
        for doc_id, doc_chunks in by_doc.items():
            twin = twins[doc_id]
            twin_chunks = tuple(_twin_chunk(twin.doc_id, c) for c in doc_chunks)
            entries.append((replace(twin, chunk_count=len(twin_chunks)), (), twin_chunks))
        store.catalog.replace_documents(entries)
        store.catalog.set_meta(_COPIES_DONE, str(copy))
        written += len(chunks)
    return written


def _save_bm25(store: Any, real: RealCorpus) -> None:
    """BM25 over all copies from the real chunks' token ids (a copy shares its original's words)."""
    import bm25s

    from assistant.store.bm25_index import Bm25Index

    chunk_ids: list[str] = []
    chunk_doc_ids: list[str] = []
    token_ids: list[np.ndarray] = []
    rows = {chunk.chunk_id: row for row, chunk in enumerate(real.chunks)}
    for stored in store.catalog.iter_chunks():
        original = f"{stored.doc_id.partition('-c')[0]}:{stored.index}"
        chunk_ids.append(stored.chunk_id)
        chunk_doc_ids.append(stored.doc_id)
        token_ids.append(real.token_ids[rows[original]])
    retriever = bm25s.BM25()
    vocabulary = dict(real.vocabulary)
    vocabulary.setdefault("", len(vocabulary))
    retriever.index((token_ids, vocabulary), show_progress=False)
    Bm25Index(retriever, chunk_ids, chunk_doc_ids, store.catalog.generation).save(store.data_dir / "bm25")
