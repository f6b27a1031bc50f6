"""HTTP routes of the council process: a paper's history and related papers, paper lists (JSON
and CSV), meetings and agendas. Each calls ``ProcessService``, which applies the access rule and
writes the request's audit record; a paper or meeting the caller may not see answers 404
exactly like a missing one."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BeforeValidator

from assistant.api.caller import api_caller
from assistant.auth.dependencies import CurrentPrincipal
from assistant.errors import InvalidRequestError
from assistant.models import SearchFilters
from assistant.service import (
    MeetingDetailOut,
    MeetingListOut,
    PaperHistoryOut,
    PaperListOut,
    ProcessService,
    RelatedPapersOut,
)
from ingest.process.results import Outcome

router = APIRouter()

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, invalid or revoked bearer token."},
    404: {"description": "No such paper or meeting, or one the caller may not see."},
}
_UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: _NOT_FOUND[401]}

Wanted = Annotated[str, Path(max_length=200, description="Document id or reference (e.g. 2024/0884/3).")]
Text = Annotated[str, Query(max_length=200)]


def _iso_date(value: object) -> object:
    # A query parameter is text, and pydantic alone would read "0.0" as a Unix time (1970-01-01).
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date like 2025-01-31")
    return value


QueryDate = Annotated[date | None, BeforeValidator(_iso_date)]


def _process(request: Request) -> ProcessService:
    service: ProcessService = request.app.state.process
    return service


def _filters(
    types: Annotated[list[str], Query(max_length=20, description="Paper types.")] = [],  # noqa: B006
    date_from: QueryDate = None,
    date_to: QueryDate = None,
    body: Text = "",
    originator: Text = "",
    reference: Annotated[str, Query(max_length=100)] = "",
    result: Annotated[Outcome | Literal[""], Query(description="Outcome of the last result.")] = "",
) -> SearchFilters:
    return SearchFilters(
        paper_types=tuple(types),  # a type as stated or its family (SearchFilters.matches)
        date_from=date_from,
        date_to=date_to,
        body=body,
        originator=originator,
        reference=reference,
        result=result,
    )


Filters = Annotated[SearchFilters, Depends(_filters)]
_FILTER_NAMES = ("types", "date_from", "date_to", "body", "originator", "reference", "result")


def _only(*names: str) -> Any:
    """A dependency refusing query parameters the route does not know (422, not ignored)."""

    def check(request: Request, principal: CurrentPrincipal) -> None:  # authenticated first
        unknown = sorted(set(request.query_params.keys()) - set(names))
        if unknown:
            raise InvalidRequestError(f"unknown query parameters: {', '.join(map(repr, unknown))[:200]}")

    return Depends(check)


@router.get(
    "/api/v1/papers",
    response_model=PaperListOut,
    tags=["process"],
    responses=_UNAUTHORISED,
    dependencies=[_only(*_FILTER_NAMES, "page", "per_page")],
)
async def papers(
    request: Request,
    principal: CurrentPrincipal,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PaperListOut:
    """Papers matching the filters, exactly from data (not retrieval), newest first, with the
    outcomes and bodies of every match as facets."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_process(request).papers, caller, filters, page, per_page)


@router.get(
    "/api/v1/papers.csv",
    tags=["process"],
    response_class=Response,
    responses={**_UNAUTHORISED, 200: {"content": {"text/csv": {}}, "description": "Every matching paper."}},
    dependencies=[_only(*_FILTER_NAMES)],
)
async def papers_csv(request: Request, principal: CurrentPrincipal, filters: Filters) -> Response:
    """Every paper matching the filters as CSV (semicolon-separated, UTF-8 with BOM, formula-safe)."""
    caller = api_caller(request, principal)
    text = await run_in_threadpool(_process(request).papers_csv, caller, filters)
    return Response(
        content=("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ratsinfo-vorlagen.csv"'},
    )


@router.get(
    "/api/v1/papers/{wanted:path}/history",
    response_model=PaperHistoryOut,
    tags=["process"],
    responses=_NOT_FOUND,
    dependencies=[_only()],
)
async def history(wanted: Wanted, request: Request, principal: CurrentPrincipal) -> PaperHistoryOut:
    """The path of a paper: its consultations in order with results and minutes, its state and
    its linked papers."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_process(request).history, caller, wanted)


@router.get(
    "/api/v1/papers/{wanted:path}/related",
    response_model=RelatedPapersOut,
    tags=["process"],
    responses=_NOT_FOUND,
    dependencies=[_only("k")],
)
async def related(
    wanted: Wanted,
    request: Request,
    principal: CurrentPrincipal,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> RelatedPapersOut:
    """The most similar earlier papers, each with its state."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_process(request).related, caller, wanted, k)


@router.get(
    "/api/v1/meetings",
    response_model=MeetingListOut,
    tags=["process"],
    responses=_UNAUTHORISED,
    dependencies=[_only("body", "date_from", "date_to")],
)
async def meetings(
    request: Request,
    principal: CurrentPrincipal,
    body: Text = "",
    date_from: QueryDate = None,
    date_to: QueryDate = None,
) -> MeetingListOut:
    """Meetings (of the bodies whose name contains ``body``) in a date range, earliest first."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_process(request).meetings, caller, body, date_from, date_to)


@router.get(
    "/api/v1/meetings/{meeting_id}",
    response_model=MeetingDetailOut,
    tags=["process"],
    responses=_NOT_FOUND,
    dependencies=[_only()],
)
async def meeting(
    request: Request, principal: CurrentPrincipal, meeting_id: Annotated[str, Path(max_length=100)]
) -> MeetingDetailOut:
    """A meeting's agenda: each item's number, title, result and paper."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_process(request).meeting, caller, meeting_id)
