"""Earlier papers on the same subject: "Gab es dazu schon Anträge?"

The paper's title, subject and first passage are the query of a hybrid search (dense and BM25,
fused) restricted to documents dated before the paper; the passages found are summed up per
document (its three best), so that a paper that matches in several places ranks above one that
shares a single sentence. The paper itself, the papers linked to it and meeting documents are
left out: they are its own history, not earlier papers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from assistant.access import Principal
from assistant.models import Passage, SearchFilters
from assistant.retrieval import MAX_QUERY_CHARS
from ingest.records import DocumentInfo

_CANDIDATES = 80  # passages looked at
_PER_DOCUMENT = 3  # best passages of a document that count


def related_query(document: DocumentInfo, first_passage: str) -> str:
    """What the paper is about: title, subject and the start of its text."""
    parts = dict.fromkeys(part for part in (document.title, document.subject, first_passage) if part)
    return " ".join(" ".join(parts).split())[:MAX_QUERY_CHARS]


def related_documents(
    search: Callable[[str, Principal, SearchFilters, int], list[Passage]],
    principal: Principal,
    document: DocumentInfo,
    first_passage: str,
    exclude: set[str],
    k: int,
) -> list[tuple[DocumentInfo, float]]:
    """The ``k`` documents most similar to ``document`` among the earlier ones, best first."""
    query = related_query(document, first_passage)
    if not query:
        return []
    filters = SearchFilters(date_to=document.date - timedelta(days=1) if document.date else None)
    scores: dict[str, list[float]] = defaultdict(list)
    found: dict[str, DocumentInfo] = {}
    for passage in search(query, principal, filters, _CANDIDATES):
        other = passage.document
        if other.doc_id in exclude or other.doc_id == document.doc_id:
            continue
        found[other.doc_id] = other
        scores[other.doc_id].append(passage.score)
    totals = {doc_id: sum(sorted(values, reverse=True)[:_PER_DOCUMENT]) for doc_id, values in scores.items()}
    best = sorted(totals, key=lambda doc_id: (-totals[doc_id], doc_id))[:k]
    return [(found[doc_id], round(totals[doc_id], 6)) for doc_id in best]
