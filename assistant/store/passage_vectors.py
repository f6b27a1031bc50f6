"""No text is embedded twice: a chunk's vector is looked up by the hash of the text it is embedded as.

The text embedded is the chunk with its document's header (``search_text``), so two chunks share a
vector only when the model would see the same input: boilerplate under the same title, an
attachment published twice, the unchanged pages of a changed document (their chunks keep text and
header; only the changed page's chunks are new). Within one call equal texts are embedded once;
texts the catalog already holds take the vector stored for them in Chroma. The catalog records each
chunk's hash (``text_hash``); a hash whose chunks have no vector (a store being repaired, a
collection being rebuilt by ``reindex``) is simply embedded. A store holds the vectors of one
embedder (its build record), so a stored vector is the one the model would compute again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.embedding import Embedder
from assistant.store.catalog import Catalog
from assistant.store.search_text import text_hash
from assistant.store.text_hashes import chunk_ids_by_hash
from assistant.store.vectors import VectorStore


@dataclass(slots=True)
class EmbedCounts:
    """How the texts of a run got their vectors."""

    embedded: int = 0  # computed by the model
    reused: int = 0  # found in the store or earlier in the same call


def passage_vectors(
    texts: list[str],
    embedder: Embedder,
    catalog: Catalog,
    vectors: VectorStore,
    counts: EmbedCounts | None = None,
) -> np.ndarray:
    """One vector per text, in order: stored ones reused, the others embedded (each text once)."""
    hashes = [text_hash(text) for text in texts]
    first: dict[str, int] = {}  # hash -> position of its first text
    for position, key in enumerate(hashes):
        first.setdefault(key, position)
    known = stored_vectors(catalog, vectors, list(first))
    missing = [key for key in first if key not in known]
    if missing:
        computed = embedder.embed_passages([texts[first[key]] for key in missing])
        known.update(zip(missing, computed, strict=True))
    if counts is not None:
        counts.embedded += len(missing)
        counts.reused += len(texts) - len(missing)
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.stack([known[key] for key in hashes]).astype(np.float32, copy=False)


def stored_vectors(catalog: Catalog, vectors: VectorStore, hashes: list[str]) -> dict[str, np.ndarray]:
    """hash -> a vector Chroma holds for a chunk with that text hash (absent when none has one)."""
    candidates = chunk_ids_by_hash(catalog, hashes)
    if not candidates:
        return {}
    stored = vectors.embeddings([chunk_id for ids in candidates.values() for chunk_id in ids])
    found: dict[str, np.ndarray] = {}
    for key, ids in candidates.items():
        vector = next((stored[chunk_id] for chunk_id in ids if chunk_id in stored), None)
        if vector is not None:
            found[key] = vector
    return found
