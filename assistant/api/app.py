"""The FastAPI application factory: JSON API under /api/v1, health check, web UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from assistant.api.admin_routes import router as admin_router
from assistant.api.alert_routes import router as alert_router
from assistant.api.audit_middleware import install_audit_middleware
from assistant.api.errors import headers_of, status_of
from assistant.api.limits import install_body_limit
from assistant.api.process_routes import router as process_router
from assistant.api.routes import router
from assistant.auth.security import Security, build_security
from assistant.config import Settings
from assistant.errors import RatsinfoError
from assistant.services import Services, build_services


def create_app(
    settings: Settings,
    services: Services | None = None,
    security: Security | None = None,
    ui: bool = True,
) -> FastAPI:
    """The API over ``services``, and the web UI at /ui unless ``ui`` is False; users, audit log
    and rate limit come from ``security``."""
    services = services or build_services(settings)
    security = security or build_security(settings)
    # The service the routes and the UI call, writing to the server's audit log.
    service = services.service.audited_by(security.audit)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.warm_up()  # load or build the BM25 index before the first request
        yield

    app = FastAPI(
        title="ratsinfo-assistant",
        version="0.1.0",
        description="Search and cited answers over council documents.",
        lifespan=lifespan,
    )
    app.state.services = services  # the admin ingest writes through its ingestor
    app.state.service = service
    app.state.process = services.process.audited_by(security.audit)
    app.state.alerts = services.alerts.audited_by(security.audit)
    app.state.security = security

    @app.exception_handler(RatsinfoError)
    async def _handle(request: Request, error: RatsinfoError) -> JSONResponse:
        entry = getattr(request.state, "audit", None)
        if entry is not None:
            entry.detail = str(error)
        return JSONResponse(
            status_code=status_of(error), content={"detail": str(error)}, headers=headers_of(error)
        )

    install_body_limit(app, settings.max_request_kb * 1024)  # inside the audit: 413s are on record
    install_audit_middleware(app, security.audit)
    app.include_router(router)
    app.include_router(process_router)
    app.include_router(admin_router)
    app.include_router(alert_router)

    @app.get("/", include_in_schema=False)
    async def index() -> RedirectResponse:
        return RedirectResponse("/ui/")

    if ui:
        from ui.app import mount_ui  # Gradio is imported only when the UI is served

        mount_ui(app, service, security, process=app.state.process, alerts=app.state.alerts)

    return app
