"""HTTP routes; request and response models match the CLI's JSON."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from assistant.access import Principal
from assistant.errors import NotFoundError
from assistant.models import SearchFilters
from assistant.retrieval import MAX_QUERY_CHARS
from assistant.schemas import AskResponse, DocumentOut, PageOut, SearchHit, SearchResponse, StatsResponse
from assistant.services import Services
from assistant.stats import collect_stats

router = APIRouter()

# Until authentication is configured, HTTP callers act as an anonymous user who sees public
# documents only: a reachable server must never hand out restricted ones.
ANONYMOUS = Principal(name="anonymous")


class FilterIn(BaseModel):
    types: list[str] = Field(default_factory=list, max_length=20, description="Paper types.")
    date_from: date | None = None
    date_to: date | None = None
    body: str = Field("", max_length=200)
    originator: str = Field("", max_length=200)
    reference: str = Field("", max_length=100)

    def to_filters(self) -> SearchFilters:
        from ingest.metadata import normalize_paper_type

        return SearchFilters(
            paper_types=tuple(normalize_paper_type(t) or t for t in self.types),
            date_from=self.date_from,
            date_to=self.date_to,
            body=self.body,
            originator=self.originator,
            reference=self.reference,
        )


class SearchRequest(FilterIn):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(10, ge=1, le=100)


class AskRequest(FilterIn):
    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@router.get("/healthz", tags=["system"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/api/v1/search", response_model=SearchResponse, tags=["search"])
async def search(body: SearchRequest, request: Request) -> SearchResponse:
    services = _services(request)
    passages = await run_in_threadpool(
        services.retriever.search, body.query, ANONYMOUS, body.to_filters(), body.k
    )
    return SearchResponse(query=body.query, results=[SearchHit.from_passage(p) for p in passages])


@router.post("/api/v1/ask", response_model=AskResponse, tags=["ask"])
async def ask(body: AskRequest, request: Request) -> AskResponse:
    services = _services(request)
    response: AskResponse = await run_in_threadpool(
        services.answerer.ask, body.question, ANONYMOUS, body.to_filters()
    )
    return response


@router.get("/api/v1/documents/{doc_id}", response_model=DocumentOut, tags=["documents"])
async def document(doc_id: str, request: Request) -> DocumentOut:
    services = _services(request)
    found = services.store.documents().get(doc_id)
    if found is None or not ANONYMOUS.can_see(found.access):
        raise NotFoundError(f"no document {doc_id!r}")
    pages = [PageOut(number=p.number, text=p.text) for p in services.store.catalog.pages(doc_id)]
    return DocumentOut.from_document(found, pages)


@router.get("/api/v1/stats", response_model=StatsResponse, tags=["system"])
async def stats(request: Request) -> StatsResponse:
    return collect_stats(_services(request).store, ANONYMOUS)
