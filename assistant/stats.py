"""Corpus statistics, counted only over the documents the principal may see."""

from __future__ import annotations

from collections import Counter

from assistant.access import Principal
from assistant.schemas import StatsResponse
from assistant.store.store import Store


def collect_stats(store: Store, principal: Principal) -> StatsResponse:
    visible = [doc for doc in store.documents().values() if principal.can_see(doc.access)]
    return StatsResponse(
        documents=len(visible),
        pages=sum(doc.page_count for doc in visible),
        chunks=sum(doc.chunk_count for doc in visible),
        paper_types=dict(Counter(doc.paper_type for doc in visible)),
        build=store.build_record(),
        data_dir=str(store.data_dir),
    )
