"""Chroma, local persistent or a `chroma run` server; filters are llama-index MetadataFilters.

Collections are created with ``embedding_function=None``: we always pass vectors, and Chroma's
default function would download an ONNX model. Filters are built as llama-index
``MetadataFilters`` and translated by its Chroma integration; reads and writes go to the
collection directly, asking only for what is needed (see ``add`` and ``query``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

import numpy as np
from llama_index.core.vector_stores.types import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)
from llama_index.vector_stores.chroma.base import _to_chroma_filter

from assistant.access import PUBLIC, Principal
from assistant.config import Settings
from assistant.models import SearchFilters
from ingest.records import Chunk, DocumentInfo


@dataclass(frozen=True, slots=True)
class VectorHit:
    chunk_id: str
    doc_id: str
    similarity: float


def _date_number(value: date | None) -> int:
    """Chroma compares numbers only; dates become YYYYMMDD, 0 when unknown."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def access_metadata(access: frozenset[str]) -> dict[str, bool]:
    """Chroma metadata cannot hold lists, so each permitted group is a boolean key."""
    return {f"acl_{group}": True for group in access}


def chunk_metadata(document: DocumentInfo, chunk: Chunk) -> dict[str, Any]:
    return {
        "doc_id": document.doc_id,
        "page": chunk.page,
        "paper_type": document.paper_type,
        "paper_family": document.paper_family,
        "reference": document.reference,
        "date": _date_number(document.date),
        **access_metadata(document.access),
    }


def _access_filter(principal: Principal) -> MetadataFilters | None:
    if principal.unrestricted:
        return None
    groups = sorted({PUBLIC} | principal.groups)
    # model_construct: llama-index's MetadataFilter admits no booleans, but Chroma compares the
    # stored True with {"$eq": True}; validation would refuse a value that works.
    return MetadataFilters(
        filters=[
            MetadataFilter.model_construct(key=f"acl_{group}", value=True, operator=FilterOperator.EQ)
            for group in groups
        ],
        condition=FilterCondition.OR,
    )


def build_where(
    principal: Principal, filters: SearchFilters, allowed_docs: Sequence[str] | None
) -> MetadataFilters | None:
    """Translate access and search filters into conditions Chroma applies before its top-k."""
    conditions: list[MetadataFilter | MetadataFilters] = []
    access = _access_filter(principal)
    if access is not None:
        conditions.append(access)
    if filters.paper_types:  # the type as stated or its family (exact: Chroma has no casefold)
        values = list(filters.paper_types)
        conditions.append(
            MetadataFilters(
                filters=[
                    MetadataFilter(key="paper_type", value=values, operator=FilterOperator.IN),
                    MetadataFilter(key="paper_family", value=values, operator=FilterOperator.IN),
                ],
                condition=FilterCondition.OR,
            )
        )
    if filters.reference:
        conditions.append(MetadataFilter(key="reference", value=filters.reference))
    if filters.date_from:
        conditions.append(
            MetadataFilter(key="date", value=_date_number(filters.date_from), operator=FilterOperator.GTE)
        )
    if filters.date_to:
        conditions.append(
            MetadataFilter(key="date", value=_date_number(filters.date_to), operator=FilterOperator.LTE)
        )
        conditions.append(MetadataFilter(key="date", value=1, operator=FilterOperator.GTE))
    if allowed_docs is not None:
        conditions.append(MetadataFilter(key="doc_id", value=list(allowed_docs), operator=FilterOperator.IN))
    if not conditions:
        return None
    return MetadataFilters(filters=conditions, condition=FilterCondition.AND)


def _hits(chunk_ids: Sequence[str], distances: Sequence[float]) -> list[VectorHit]:
    return [
        # exp(-distance): the similarity llama-index's ChromaVectorStore reports.
        VectorHit(chunk_id, chunk_id.rpartition(":")[0], math.exp(-float(distance)))
        for chunk_id, distance in zip(chunk_ids, distances, strict=True)
    ]


class VectorStore:
    def __init__(self, settings: Settings, collection: str | None = None) -> None:
        """Open (or create) ``collection``, by default ``settings.collection``."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            self._client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        else:
            settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
        self.name = collection or settings.collection
        self._collection = self._client.get_or_create_collection(
            self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self._max_batch = self._client.get_max_batch_size()

    @classmethod
    def reopened(cls, settings: Settings, collection: str) -> VectorStore:
        """A client that reads the local Chroma folder afresh, with what other processes wrote.

        A local Chroma client keeps its index in memory and does not see the vectors another
        process (``ratsinfo ingest`` beside ``ratsinfo serve``) adds later. Chroma shares one
        client system per folder within a process; forgetting it makes the next client load the
        folder again. Clients made before keep working on their old system until dropped.
        """
        if not settings.chroma_url:
            from chromadb.api.shared_system_client import SharedSystemClient

            identifier = str(settings.chroma_dir)
            with SharedSystemClient._refcount_lock:
                SharedSystemClient._identifier_to_system.pop(identifier, None)
                SharedSystemClient._identifier_to_refcount.pop(identifier, None)
        return cls(settings, collection)

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, documents: dict[str, DocumentInfo]) -> None:
        """Write vectors and filter metadata, in batches under the client's maximum.

        Written to the collection directly rather than through ``ChromaVectorStore.add``: that
        would store each chunk's text a second time (the catalog has it) and make Chroma build a
        full-text index we never query (BM25 lives beside it), which doubles the write time.
        """
        for start in range(0, len(chunks), self._max_batch):
            batch = chunks[start : start + self._max_batch]
            self._collection.add(
                ids=[chunk.chunk_id for chunk in batch],
                embeddings=np.ascontiguousarray(vectors[start : start + self._max_batch], dtype=np.float32),
                metadatas=[chunk_metadata(documents[chunk.doc_id], chunk) for chunk in batch],
            )

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        for start in range(0, len(doc_ids), 500):
            # mypy cannot see the "$in" key as the Literal that chromadb's Where type asks for.
            where = {"doc_id": {"$in": list(doc_ids[start : start + 500])}}
            self._collection.delete(where=where)  # type: ignore[arg-type]

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        for start in range(0, len(chunk_ids), self._max_batch):
            self._collection.delete(ids=list(chunk_ids[start : start + self._max_batch]))

    def set_access(self, chunk_ids: Sequence[str], old: frozenset[str], new: frozenset[str]) -> None:
        """Change permissions in place, without re-embedding (None removes a key in Chroma)."""
        patch: dict[str, Any] = {f"acl_{group}": None for group in old - new}
        patch.update(access_metadata(new))
        for start in range(0, len(chunk_ids), self._max_batch):
            batch = list(chunk_ids[start : start + self._max_batch])
            self._collection.update(ids=batch, metadatas=[patch] * len(batch))

    def query(
        self,
        vector: np.ndarray,
        k: int,
        where: MetadataFilters | None,
        ids: Sequence[str] | None = None,
    ) -> list[VectorHit]:
        """Top-k chunks for ``vector`` under ``where`` (llama-index filters, translated its way),
        among ``ids`` only if given (Chroma restricts its HNSW search to them).

        Only ids and distances are read, not the hits' metadata: that cost 36 ms for 800 hits at
        100,000 chunks against 7 ms without, and the retriever reads long unfiltered top-k lists
        (see retrieval.py). A hit's document is its chunk id's prefix (``doc_id:index``).
        """
        if k <= 0:  # an empty collection answers with no hits: no count() round trip per query
            return []
        result = self._collection.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            where=_to_chroma_filter(where) if where is not None else None,
            ids=list(ids) if ids is not None else None,
            include=["distances"],
        )
        return _hits(result["ids"][0], (result["distances"] or [[]])[0])

    def nearest_among(self, vector: np.ndarray, k: int, ids: Sequence[str]) -> list[VectorHit]:
        """Exact top-k among a few ``ids``, ranked here from their stored vectors.

        An HNSW search restricted to a few hundred ids explores most of the graph before it has
        k of them (90 ms for 60 ids at 100,000 chunks); reading 300 vectors costs ~30 ms.
        """
        if k <= 0 or not ids:
            return []
        stored = self._collection.get(ids=list(ids), include=["embeddings"])
        found = stored["ids"]
        if not found:
            return []
        matrix = np.asarray(stored["embeddings"], dtype=np.float32)
        query = np.asarray(vector, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * max(float(np.linalg.norm(query)), 1e-12)
        distances = 1.0 - (matrix @ query) / np.maximum(norms, 1e-12)  # Chroma's cosine distance
        order = np.argsort(distances, kind="stable")[:k]
        return _hits([found[row] for row in order], [float(distances[row]) for row in order])

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``ids`` (those that exist), for comparing a question with them."""
        if not ids:
            return {}
        stored = self._collection.get(ids=list(ids), include=["embeddings"])
        vectors = stored["embeddings"]
        if vectors is None:
            return {}
        return {
            chunk_id: np.asarray(vector, dtype=np.float32)
            for chunk_id, vector in zip(stored["ids"], vectors, strict=True)
        }

    def count(self) -> int:
        return int(self._collection.count())

    def collection_names(self) -> list[str]:
        """Names of all collections on this Chroma (local folder or server)."""
        return [str(getattr(item, "name", item)) for item in self._client.list_collections()]

    def drop_collection(self, name: str) -> None:
        """Delete another collection of the same Chroma (an old or half-built index)."""
        if name == self.name:
            raise ValueError(f"refusing to drop the open collection {name!r}")
        if name in self.collection_names():
            self._client.delete_collection(name)

    def drop(self) -> None:
        """Delete this store's own collection (a half-built one); the object is unusable after."""
        self._client.delete_collection(self.name)

    def ids(self) -> set[str]:
        found: set[str] = set()
        total = self.count()
        for offset in range(0, total, self._max_batch):
            found.update(self._collection.get(include=[], limit=self._max_batch, offset=offset)["ids"])
        return found
