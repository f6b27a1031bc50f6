"""Chroma, through llama-index's ChromaVectorStore: local persistent or a `chroma run` server.

Collections are created with ``embedding_function=None``: we always pass vectors, and Chroma's
default function would download an ONNX model.
"""

from __future__ import annotations

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
    VectorStoreQuery,
)
from llama_index.vector_stores.chroma import ChromaVectorStore

from assistant.access import PUBLIC, Principal
from assistant.config import Settings
from assistant.models import DocumentInfo, SearchFilters
from ingest.records import Chunk


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
        "reference": document.reference,
        "date": _date_number(document.date),
        **access_metadata(document.access),
    }


def _access_filter(principal: Principal) -> MetadataFilters | None:
    if principal.unrestricted:
        return None
    groups = sorted({PUBLIC} | principal.groups)
    return MetadataFilters(
        filters=[MetadataFilter(key=f"acl_{group}", value=True) for group in groups],
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
    if filters.paper_types:
        conditions.append(
            MetadataFilter(key="paper_type", value=list(filters.paper_types), operator=FilterOperator.IN)
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


class VectorStore:
    def __init__(self, settings: Settings) -> None:
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
        self._collection = self._client.get_or_create_collection(
            settings.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self._store = ChromaVectorStore(chroma_collection=self._collection)
        self._max_batch = self._client.get_max_batch_size()

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, documents: dict[str, DocumentInfo]) -> None:
        """Write vectors and filter metadata, in batches under the client's maximum.

        Written to the collection directly rather than through ``ChromaVectorStore.add``: that
        would store each chunk's text a second time (the catalog has it) and make Chroma build a
        full-text index we never query (BM25 lives beside it), which doubles the write time.
        Queries and deletes go through ``ChromaVectorStore``.
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
            self._collection.delete(where={"doc_id": {"$in": list(doc_ids[start : start + 500])}})

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

    def query(self, vector: np.ndarray, k: int, where: MetadataFilters | None) -> list[VectorHit]:
        if k <= 0 or self.count() == 0:
            return []
        result = self._store.query(
            VectorStoreQuery(query_embedding=vector.tolist(), similarity_top_k=k, filters=where)
        )
        return [
            VectorHit(node_id, str(node.metadata["doc_id"]), float(similarity))
            for node_id, node, similarity in zip(
                result.ids or [], result.nodes or [], result.similarities or [], strict=True
            )
        ]

    def count(self) -> int:
        return int(self._collection.count())

    def ids(self) -> set[str]:
        found: set[str] = set()
        total = self.count()
        for offset in range(0, total, self._max_batch):
            found.update(self._collection.get(include=[], limit=self._max_batch, offset=offset)["ids"])
        return found
