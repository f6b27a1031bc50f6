"""Filter values with document counts (for the UI's filters), over the documents a principal may
see (the service chooses them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from ingest.records import DocumentInfo


class FacetValue(BaseModel):
    value: str
    count: int


class FacetsResponse(BaseModel):
    documents: int
    paper_types: list[FacetValue]
    bodies: list[FacetValue]
    originators: list[FacetValue]
    years: list[FacetValue]


def ranked(values: Iterable[str]) -> list[FacetValue]:
    """Distinct non-empty values with their counts, most frequent first."""
    counts = Counter(value for value in values if value)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [FacetValue(value=value, count=count) for value, count in ordered]


def collect_facets(visible: Sequence[DocumentInfo]) -> FacetsResponse:
    """Paper types, bodies, originators and years; each counts the documents carrying it."""
    return FacetsResponse(
        documents=len(visible),
        paper_types=ranked(doc.paper_type for doc in visible),
        # A body appears once per document, however many consultation steps it has there.
        bodies=ranked(body for doc in visible for body in set(doc.bodies)),
        originators=ranked(doc.originator for doc in visible),
        years=sorted(
            ranked(str(doc.date.year) for doc in visible if doc.date), key=lambda f: f.value, reverse=True
        ),
    )
