"""HTTP routes; request and response models match the CLI's JSON.

Every route under /api/v1 acts as the principal of the request's bearer token and calls the
service layer (assistant/service/), which applies the access rule and writes the audit record
of search, ask and document; the audit middleware records every other request, refused ones
included (assistant/api/audit_middleware.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, field_validator

from assistant.api.caller import api_caller
from assistant.api.streaming import NDJSON
from assistant.auth.dependencies import CurrentPrincipal
from assistant.schemas import AskResponse, DocumentOut, SearchResponse, StatsResponse
from assistant.service import (
    MAX_HISTORY_TURNS,
    MAX_QUERY_CHARS,
    MAX_TURN_CHARS,
    AssistantService,
    FacetsResponse,
    SearchFilters,
    Turn,
    ndjson_lines,
)
from ingest.process.results import Outcome

router = APIRouter()

_UNAUTHORISED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, invalid or revoked bearer token."}
}


# Something besides blanks: what Python's str.strip() keeps (it also strips \x1c-\x1f, which the
# regex engines of pydantic and JSON Schema do not count as blanks).
_NOT_BLANK = r"[^\s\x1c-\x1f]"


class FilterIn(BaseModel):
    types: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Paper types: each matches the type as stated or its family, case-insensitive.",
    )
    date_from: date | None = None
    date_to: date | None = None
    body: str = Field("", max_length=200)
    originator: str = Field("", max_length=200)
    reference: str = Field("", max_length=100)
    result: Outcome | Literal[""] = Field("", description="Outcome of a paper's last result.")

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        # JSON has no dates, only "2025-01-31" text; pydantic alone would read 0 as 1970-01-01.
        if value is not None and not isinstance(value, str | date):
            raise ValueError("expected a date like 2025-01-31")
        return value

    def to_filters(self) -> SearchFilters:
        return SearchFilters(
            paper_types=tuple(self.types),
            date_from=self.date_from,
            date_to=self.date_to,
            body=self.body,
            originator=self.originator,
            reference=self.reference,
            result=self.result,
        )


class SearchRequest(FilterIn):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=_NOT_BLANK)
    k: int = Field(10, ge=1, le=100)

    @field_validator("k", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        # JSON Schema's integer includes 4.0, but not "4" or true, which pydantic alone would take.
        if isinstance(value, bool | str):
            raise ValueError("expected a whole number")
        return value


class TurnIn(BaseModel):
    question: str = Field(max_length=MAX_QUERY_CHARS)
    answer: str = Field(max_length=MAX_TURN_CHARS)


class AskRequest(FilterIn):
    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=_NOT_BLANK)
    history: list[TurnIn] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="Earlier questions and answers of this conversation, oldest first (follow-ups).",
    )
    mode: Literal["auto", "llm", "extractive"] | None = Field(
        None, description="Answer mode; default RATSINFO_ANSWER_MODE."
    )

    def turns(self) -> list[Turn]:
        return [Turn(question=turn.question, answer=turn.answer) for turn in self.history]


def _service(request: Request) -> AssistantService:
    service: AssistantService = request.app.state.service
    return service


@router.get("/healthz", tags=["system"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/api/v1/search", response_model=SearchResponse, tags=["search"], responses=_UNAUTHORISED)
async def search(body: SearchRequest, request: Request, principal: CurrentPrincipal) -> SearchResponse:
    """Hybrid search over the documents the caller may see."""
    filters = body.to_filters()
    caller = api_caller(request, principal)
    return await run_in_threadpool(_service(request).search, caller, body.query, filters, body.k)


@router.post("/api/v1/ask", response_model=AskResponse, tags=["ask"], responses=_UNAUTHORISED)
async def ask(body: AskRequest, request: Request, principal: CurrentPrincipal) -> AskResponse:
    """A cited answer (quotes with [n] markers) from the documents the caller may see."""
    filters, turns = body.to_filters(), body.turns()
    caller = api_caller(request, principal)
    return await run_in_threadpool(_service(request).ask, caller, body.question, filters, turns, body.mode)


@router.post(
    "/api/v1/ask/stream",
    tags=["ask"],
    response_class=StreamingResponse,
    responses={
        **_UNAUTHORISED,
        200: {
            "content": {NDJSON: {}},
            "description": (
                "Newline-delimited JSON events: first "
                '`{"event": "citations", "question", "mode", "abstained", "notice", "citations": [...]}`, '
                'then `{"event": "answer", "text": "..."}` pieces whose texts joined give the answer '
                '(LLM mode: one checked sentence each, preceded by `{"event": "citation", ...}` for a '
                'source it first uses; `{"event": "removed", "text", "reason"}` for a sentence that '
                'failed its check; `{"event": "reset", "notice"}` when the LLM failed or found no '
                "answer and the replacing answer follows from a new citations event), "
                'then `{"event": "done", "response": {...}}` with the answer of /api/v1/ask.'
            ),
        },
    },
)
async def ask_stream(body: AskRequest, request: Request, principal: CurrentPrincipal) -> StreamingResponse:
    """The answer of /api/v1/ask as a stream: in LLM mode each sentence as soon as it is checked."""
    filters, turns = body.to_filters(), body.turns()
    caller = api_caller(request, principal)
    # The audit record is written before the body streams, so it names every document whose
    # passages the answer is built from: a superset of those that will be cited.
    stream = await run_in_threadpool(
        _service(request).stream, caller, body.question, filters, turns, body.mode
    )
    return StreamingResponse(ndjson_lines(stream), media_type=NDJSON)


@router.get(
    "/api/v1/documents/{doc_id}",
    response_model=DocumentOut,
    tags=["documents"],
    responses={**_UNAUTHORISED, 404: {"description": "No such document, or one the caller may not see."}},
)
async def document(doc_id: str, request: Request, principal: CurrentPrincipal) -> DocumentOut:
    """A document with its page texts; one the caller may not see is exactly as missing as none."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_service(request).document, caller, doc_id)


@router.get("/api/v1/stats", response_model=StatsResponse, tags=["system"], responses=_UNAUTHORISED)
async def stats(request: Request, principal: CurrentPrincipal) -> StatsResponse:
    """Counts over the documents the caller may see."""
    return _service(request).stats(principal)


@router.get("/api/v1/facets", response_model=FacetsResponse, tags=["search"], responses=_UNAUTHORISED)
async def facets(request: Request, principal: CurrentPrincipal) -> FacetsResponse:
    """Paper types, bodies, originators and years with document counts, over visible documents."""
    return _service(request).facets(principal)
