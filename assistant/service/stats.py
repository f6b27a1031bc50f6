"""Corpus statistics over the documents a principal may see (the service chooses them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from assistant.schemas import StatsResponse
from ingest.records import DocumentInfo


def collect_stats(visible: Sequence[DocumentInfo], build: dict[str, object], data_dir: Path) -> StatsResponse:
    """Counts of documents, pages, chunks and paper types, and how the store was built."""
    return StatsResponse(
        documents=len(visible),
        pages=sum(doc.page_count for doc in visible),
        chunks=sum(doc.chunk_count for doc in visible),
        paper_types=dict(Counter(doc.paper_type for doc in visible)),
        paper_families=dict(Counter(doc.paper_family for doc in visible)),
        build=build,
        data_dir=str(data_dir),
    )
