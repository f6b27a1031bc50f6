"""Lists over the process, exactly from data: "Anträge der Fraktion X, 2025, abgelehnt".

Every visible document that is a paper (not a meeting's invitation or protocol) is a row, with
the bodies and the last result of the consultations the caller may see. The filters are those
of search (``SearchFilters``); ``result`` matches the normalised outcome of that last result,
``body`` a part of one of those bodies. Facets count outcomes and bodies over every match.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from assistant.access import Principal
from assistant.errors import InvalidRequestError
from assistant.models import SearchFilters
from assistant.service.csv_export import write_csv
from assistant.service.facets import FacetValue, ranked
from assistant.service.paper_history import paper_ref
from assistant.service.paper_index import PaperIndex
from assistant.service.process_models import PaperFacets, PaperListOut, PaperRowOut
from ingest.process.results import OUTCOMES
from ingest.process.state import paper_state
from ingest.records import DocumentInfo

MAX_PER_PAGE = 200
CSV_COLUMNS = (
    "Aktenzeichen",
    "Titel",
    "Art",
    "Datum",
    "Einreicher",
    "Gremien",
    "Ergebnis",
    "Ergebnis im Wortlaut",
    "Stand",
    "Dokument-ID",
    "Adresse",
)


def check_outcome(result: str) -> str:
    """``result`` if it is an outcome of ingest.process.results (or empty), else InvalidRequestError."""
    if result and result not in OUTCOMES:
        raise InvalidRequestError(f"unknown result {result!r}; expected one of: {', '.join(OUTCOMES)}")
    return result


def _row(index: PaperIndex, principal: Principal, document: DocumentInfo, today: date) -> PaperRowOut:
    steps = index.visible_steps(principal, document)
    with_result = [step for step in steps if step.outcome]
    last = with_result[-1] if with_result else None
    return PaperRowOut(
        **paper_ref(index, document).model_dump(),
        bodies=list(dict.fromkeys(body for step in steps for body in step.bodies)),
        outcome=last.outcome if last else "",
        result=last.result if last else "",
        state=paper_state(steps, today).text,
        url=document.url,
    )


def matching_rows(
    index: PaperIndex,
    principal: Principal,
    documents: Iterable[DocumentInfo],
    filters: SearchFilters,
    today: date,
) -> list[PaperRowOut]:
    """Rows of the visible ``documents`` that match, newest first. ``filters.body`` and
    ``filters.result`` are matched against the consultations the principal may see."""
    check_outcome(filters.result)
    body = filters.body.casefold()
    of_document = replace(filters, body="", result="")
    rows = []
    for document in documents:
        if index.is_meeting_document(document.doc_id) or not of_document.matches(document):
            continue
        row = _row(index, principal, document, today)
        if filters.result and row.outcome != filters.result:
            continue
        if body and not any(body in name.casefold() for name in row.bodies):
            continue
        rows.append(row)
    return sorted(rows, key=lambda row: (row.date or date.min, row.reference, row.doc_id), reverse=True)


def page_of(rows: Sequence[PaperRowOut], page: int, per_page: int) -> PaperListOut:
    """One page of ``rows`` (1-based) with the facets of all of them."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidRequestError(f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}")
    start = (page - 1) * per_page
    return PaperListOut(
        total=len(rows),
        page=page,
        per_page=per_page,
        papers=list(rows[start : start + per_page]),
        facets=PaperFacets(
            results=ranked(row.outcome for row in rows),
            bodies=ranked(body for row in rows for body in row.bodies),
        ),
    )


def rows_csv(rows: Sequence[PaperRowOut]) -> str:
    """The rows as CSV (semicolon-separated, formula-safe, for German spreadsheets)."""
    return write_csv(
        CSV_COLUMNS,
        (
            (
                row.reference,
                row.title,
                row.paper_type,
                row.date.isoformat() if row.date else "",
                row.originator,
                "; ".join(row.bodies),
                row.outcome,
                row.result,
                row.state,
                row.doc_id,
                row.url,
            )
            for row in rows
        ),
    )


__all__ = ["CSV_COLUMNS", "FacetValue", "check_outcome", "matching_rows", "page_of", "rows_csv"]
