"""Hybrid retrieval: dense (Chroma) + German BM25, fused by reciprocal rank fusion.

Access rights and filters are applied inside both retrievers before their top-k. Which
documents are visible is decided once per query on a column view of the documents
(``DocumentTable``); BM25 gets it as a weight mask over its rows, Chroma as the set of visible
chunk ids, in the fastest way for their number: few are ranked exactly from their vectors,
many (most of the store) by filtering a longer unfiltered top-k, the rest by an HNSW search
restricted to their ids. A Chroma ``where`` on metadata would scan it first: 100-700 ms per
query at 100,000 chunks, against 5-30 ms this way. Every passage is checked once more with
the plain rules before it leaves (defence in depth).

A query that names a visible document's reference exactly ("Was beschließt 2025/0190?") ranks
that document first: its best BM25 passage is put ahead of the fused list. The reference is
looked up among the documents the caller may see under the filters, so a document outside them
is neither ranked nor revealed.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np
from chromadb.errors import ChromaError

from assistant.access import Principal
from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.errors import InvalidRequestError
from assistant.models import Passage, SearchFilters
from assistant.reranking import Reranker
from assistant.store.bm25_index import Bm25Index
from assistant.store.document_table import DocumentTable
from assistant.store.store import Store
from assistant.store.vectors import VectorHit
from ingest.records import DocumentInfo
from ingest.text.identifiers import reference_candidates

MAX_QUERY_CHARS = 2000
_log = logging.getLogger(__name__)
# Dense search under access rights and filters (measured at 100,000 chunks, see benchmarks/):
# a Chroma `where` scans metadata first (100-700 ms); instead, up to this many visible chunks
# are ranked exactly from their vectors ...
_BRUTE_FORCE_CHUNKS = 300
# ... while a longer unfiltered top-k of at most this many ids (7 ms for 800) holds enough
# visible hits, it is filtered here; otherwise Chroma searches among the visible chunk ids.
_MAX_POSTFILTER_FETCH = 2000
# Added to the fused score of a named document's best passage: more than any RRF score (≤ 2/k).
_NAMED_BONUS = 1.0


def reciprocal_rank_fusion(rankings: list[list[str]], k: int) -> dict[str, float]:
    """Cormack et al. (2009): score = Σ 1 / (k + rank); robust to the rankers' score scales."""
    fused: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] += 1.0 / (k + rank)
    return fused


class HybridRetriever:
    def __init__(
        self, store: Store, embedder: Embedder, settings: Settings, reranker: Reranker | None = None
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings
        self.reranker = reranker
        # Rebuilt when the store hands out a new documents dict (a new catalog generation).
        self._table: tuple[dict[str, DocumentInfo], DocumentTable] | None = None
        self._alignment: tuple[Bm25Index, DocumentTable, np.ndarray | None] | None = None

    def _documents(self) -> tuple[dict[str, DocumentInfo], DocumentTable]:
        documents = self._store.documents()
        cached = self._table
        if cached is None or cached[0] is not documents:
            cached = (documents, DocumentTable(documents))
            self._table = cached  # one assignment: safe for the API's worker threads
        return cached

    def visible_documents(self, principal: Principal, filters: SearchFilters) -> dict[str, DocumentInfo]:
        documents, table = self._documents()
        rows = np.flatnonzero(table.mask(principal, filters))
        return {table.doc_ids[row]: documents[table.doc_ids[row]] for row in rows}

    def documents_with_reference(
        self, key: str, principal: Principal, filters: SearchFilters | None = None
    ) -> list[DocumentInfo]:
        """The documents ``principal`` may see under ``filters`` whose reference has ``key``
        (``ingest.text.identifiers.reference_key``)."""
        documents, table = self._documents()
        mask = table.mask(principal, filters or SearchFilters())
        return [documents[table.doc_ids[row]] for row in table.rows_with_reference([key]) if mask[row]]

    def _named_passages(
        self, query: str, bm25: Bm25Index, table: DocumentTable, mask: np.ndarray | None
    ) -> list[str]:
        """The best passage (by BM25) of each visible document whose reference the query names."""
        rows = [
            row
            for row in table.rows_with_reference(reference_candidates(query))
            if (mask is None or mask[row]) and table.chunk_counts[row] > 0
        ]
        if not rows:
            return []
        named = np.zeros(len(table), dtype=bool)
        named[rows] = True
        best: dict[str, str] = {}
        for hit in bm25.search(
            query, self._settings.candidate_k, doc_mask=self._bm25_mask(bm25, table, named)
        ):
            best.setdefault(hit.doc_id, hit.chunk_id)
        # A document the index does not hold yet (another process is writing): its first passage.
        return [best.get(table.doc_ids[row], f"{table.doc_ids[row]}:0") for row in rows]

    def _bm25_mask(self, bm25: Bm25Index, table: DocumentTable, mask: np.ndarray) -> np.ndarray:
        """``mask`` over the table's rows, re-ordered to the BM25 index's documents."""
        cached = self._alignment
        if cached is None or cached[0] is not bm25 or cached[1] is not table:
            rows = None  # the usual case: both sorted, of the same generation
            if bm25.doc_ids != table.doc_ids:
                rows = np.array([table.position.get(d, -1) for d in bm25.doc_ids], dtype=np.int64)
            cached = (bm25, table, rows)
            self._alignment = cached
        rows = cached[2]
        if rows is None:
            return mask
        return mask[rows] & (rows >= 0)

    def _dense(
        self, query: str, candidates: int, table: DocumentTable, mask: np.ndarray | None
    ) -> list[VectorHit]:
        """Top chunks by vector among the visible ones, the fastest way for their number."""
        vector = self._embedder.embed_query(query)
        vectors = self._store.vectors
        if mask is None:
            return vectors.query(vector, candidates, None)
        visible = table.visible_chunks(mask)
        if visible <= _BRUTE_FORCE_CHUNKS:
            return vectors.nearest_among(vector, candidates, table.chunk_ids(mask))
        fetch = int(candidates * 1.5 * table.total_chunks / visible) + 10
        if fetch <= _MAX_POSTFILTER_FETCH:
            hits = [
                hit
                for hit in vectors.query(vector, fetch, None)
                if (row := table.position.get(hit.doc_id)) is not None and mask[row]
            ]
            if len(hits) >= candidates:
                return hits[:candidates]
        return vectors.query(vector, candidates, None, ids=table.chunk_ids(mask))

    def search(
        self,
        query: str,
        principal: Principal,
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> list[Passage]:
        query = query.strip()
        if not query:
            raise InvalidRequestError("the query is empty", german="Die Suchanfrage ist leer.")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidRequestError(
                f"the query is longer than {MAX_QUERY_CHARS} characters",
                german=f"Die Suchanfrage ist länger als {MAX_QUERY_CHARS} Zeichen.",
            )
        filters = filters or SearchFilters()
        if filters.result and filters.doc_ids is None:
            raise InvalidRequestError("the result filter is resolved by the service layer")
        k = k or self._settings.top_k
        candidates = max(self._settings.candidate_k, k)

        documents, table = self._documents()
        restricted = not (principal.unrestricted and filters.is_empty)
        mask = table.mask(principal, filters) if restricted else None
        if mask is not None and not mask.any():
            return []

        bm25 = self._store.bm25()
        bm25_hits = bm25.search(
            query, candidates, doc_mask=None if mask is None else self._bm25_mask(bm25, table, mask)
        )
        try:
            dense_hits = self._dense(query, candidates, table, mask)
        except ChromaError as error:
            # A local Chroma read by this process while another one deletes from it can name ids
            # that are gone ("Error finding id"): answer from BM25 alone rather than fail.
            _log.warning("dense search failed, BM25 only: %s", error)
            dense_hits = []

        fused = reciprocal_rank_fusion(
            [[hit.chunk_id for hit in dense_hits], [hit.chunk_id for hit in bm25_hits]],
            self._settings.rrf_k,
        )
        named = self._named_passages(query, bm25, table, mask)
        for chunk_id in named:
            fused[chunk_id] += _NAMED_BONUS
        # With a reranker, more fused candidates are read and it picks the top k of them.
        keep = max(k, self._settings.rerank_candidates) if self.reranker else k
        ranked = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))[:keep]
        stored = self._store.catalog.chunks(ranked)
        passages = []
        for chunk_id in ranked:
            chunk = stored.get(chunk_id)
            document = documents.get(chunk.doc_id) if chunk else None
            # Defence in depth: whatever the indexes returned, only visible documents leave.
            if (
                chunk is None
                or document is None
                or not principal.can_see(document.access)
                or not filters.matches(document)
            ):
                continue
            passages.append(Passage(chunk=chunk, document=document, score=fused[chunk_id]))
        if self.reranker is not None:
            reranked = self.reranker.rerank(query, passages)
            # The reranker orders by content; a document named by its reference stays first.
            return sorted(reranked, key=lambda passage: passage.chunk.chunk_id not in named)[:k]
        return passages
