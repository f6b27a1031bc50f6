"""Filter values with document counts (for the UI's filters), over the documents a principal may
see (the service chooses them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from ingest.records import DocumentInfo


class FacetValue(BaseModel):
    value: str
    count: int


class FamilyFacet(BaseModel):
    """A family of paper types with the types as stated beneath it ("" holds those without one)."""

    value: str
    count: int
    types: list[FacetValue] = Field(description="Types as stated in this family, other than its own name.")


class FacetsResponse(BaseModel):
    documents: int
    paper_types: list[FacetValue] = Field(description="Types as the sources state them.")
    paper_families: list[FamilyFacet] = Field(description="Families, each with its stated types.")
    bodies: list[FacetValue]
    originators: list[FacetValue]
    years: list[FacetValue]


def ranked(values: Iterable[str]) -> list[FacetValue]:
    """Distinct non-empty values with their counts, most frequent first."""
    counts = Counter(value for value in values if value)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [FacetValue(value=value, count=count) for value, count in ordered]


def _families(visible: Sequence[DocumentInfo]) -> list[FamilyFacet]:
    """Families by document count, "" (types that fit none) last when there are such types."""
    members: dict[str, list[DocumentInfo]] = {}
    for doc in visible:
        if doc.paper_type or doc.paper_family:
            members.setdefault(doc.paper_family, []).append(doc)
    facets = [
        FamilyFacet(
            value=family,
            count=len(docs),
            types=ranked(doc.paper_type for doc in docs if doc.paper_type.casefold() != family.casefold()),
        )
        for family, docs in members.items()
    ]
    return sorted(facets, key=lambda f: (not f.value, -f.count, f.value))


def collect_facets(visible: Sequence[DocumentInfo]) -> FacetsResponse:
    """Paper types (as stated, and by family), bodies, originators and years, with document counts."""
    return FacetsResponse(
        documents=len(visible),
        paper_types=ranked(doc.paper_type for doc in visible),
        paper_families=_families(visible),
        # A body appears once per document, however many consultation steps it has there.
        bodies=ranked(body for doc in visible for body in set(doc.bodies)),
        originators=ranked(doc.originator for doc in visible),
        years=sorted(
            ranked(str(doc.date.year) for doc in visible if doc.date), key=lambda f: f.value, reverse=True
        ),
    )
