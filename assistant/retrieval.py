"""Hybrid retrieval: dense (Chroma) + German BM25, fused by reciprocal rank fusion.

Access rights and filters are applied inside both retrievers before their top-k: Chroma gets
them as ``where`` conditions, BM25 as a weight mask over its rows. Every passage is checked
once more before it leaves (defence in depth).
"""

from __future__ import annotations

from collections import defaultdict

from assistant.access import Principal
from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.errors import InvalidRequestError
from assistant.models import DocumentInfo, Passage, SearchFilters
from assistant.store.store import Store
from assistant.store.vectors import build_where

MAX_QUERY_CHARS = 2000


def reciprocal_rank_fusion(rankings: list[list[str]], k: int) -> dict[str, float]:
    """Cormack et al. (2009): score = Σ 1 / (k + rank); robust to the rankers' score scales."""
    fused: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] += 1.0 / (k + rank)
    return fused


class HybridRetriever:
    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings

    def visible_documents(self, principal: Principal, filters: SearchFilters) -> dict[str, DocumentInfo]:
        return {
            doc_id: document
            for doc_id, document in self._store.documents().items()
            if principal.can_see(document.access) and filters.matches(document)
        }

    def search(
        self,
        query: str,
        principal: Principal,
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> list[Passage]:
        query = query.strip()
        if not query:
            raise InvalidRequestError("the query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidRequestError(f"the query is longer than {MAX_QUERY_CHARS} characters")
        filters = filters or SearchFilters()
        k = k or self._settings.top_k
        candidates = max(self._settings.candidate_k, k)

        restricted = not (principal.unrestricted and filters.is_empty)
        visible = self.visible_documents(principal, filters) if restricted else self._store.documents()
        if restricted and not visible:
            return []

        bm25_hits = self._store.bm25().search(
            query, candidates, allowed_docs=set(visible) if restricted else None
        )
        where = build_where(
            principal, filters, sorted(visible) if filters.needs_document_list else None
        )
        dense_hits = self._store.vectors.query(self._embedder.embed_query(query), candidates, where)

        fused = reciprocal_rank_fusion(
            [[hit.chunk_id for hit in dense_hits], [hit.chunk_id for hit in bm25_hits]],
            self._settings.rrf_k,
        )
        ranked = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))[:k]
        stored = self._store.catalog.chunks(ranked)
        passages = []
        for chunk_id in ranked:
            chunk = stored.get(chunk_id)
            document = visible.get(chunk.doc_id) if chunk else None
            # Defence in depth: whatever the indexes returned, only visible documents leave.
            if chunk is None or document is None or not principal.can_see(document.access):
                continue
            passages.append(Passage(chunk=chunk, document=document, score=fused[chunk_id]))
        return passages
