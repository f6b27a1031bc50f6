"""The FastAPI application factory: JSON API under /api/v1, health check, web UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from assistant.api.routes import router
from assistant.config import Settings
from assistant.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RatsinfoError,
    StoreMismatchError,
)
from assistant.services import Services, build_services

# One place maps the project's errors to HTTP.
HTTP_STATUS: dict[type[RatsinfoError], int] = {
    InvalidRequestError: 422,
    NotFoundError: 404,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    ConfigurationError: 500,
    StoreMismatchError: 500,
}

_PLACEHOLDER = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Ratsinfo-Assistent</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">
<h1>Ratsinfo-Assistent</h1>
<p>Die JSON-Schnittstelle läuft: <a href="/docs">/docs</a> beschreibt Suche und Fragen
(<code>POST /api/v1/search</code>, <code>POST /api/v1/ask</code>).</p></body></html>"""


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        services.store.bm25()  # load or build the BM25 index before the first request
        yield

    app = FastAPI(
        title="ratsinfo-assistant",
        version="0.1.0",
        description="Search and cited answers over council documents.",
        lifespan=lifespan,
    )
    app.state.services = services

    @app.exception_handler(RatsinfoError)
    async def _handle(_: Request, error: RatsinfoError) -> JSONResponse:
        return JSONResponse(status_code=HTTP_STATUS.get(type(error), 500), content={"detail": str(error)})

    app.include_router(router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> str:
        return _PLACEHOLDER

    return app
