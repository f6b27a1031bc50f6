"""Admin-only routes: ingest files that lie on the server."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from assistant.access import PUBLIC, checked_groups
from assistant.audit import AuditEntry
from assistant.auth.dependencies import AdminPrincipal
from assistant.service.alerts_service import AlertsService
from assistant.services import Services

router = APIRouter()


class IngestRequest(BaseModel):
    paths: list[str] = Field(
        min_length=1, max_length=100, description="Files or folders on the server, as the CLI takes them."
    )
    groups: list[str] = Field(
        default_factory=list,
        max_length=20,
        description=(
            "Groups that may see the documents; empty for public. A folder's access manifest "
            "(.ratsinfo-access.json) takes precedence for the files its rules match."
        ),
    )
    prune: bool = Field(False, description="Delete documents that are gone from these folders.")


@router.post(
    "/api/v1/ingest",
    tags=["admin"],
    responses={
        401: {"description": "Missing, invalid or revoked bearer token."},
        403: {"description": "The token's user is not an admin."},
    },
)
async def ingest(body: IngestRequest, request: Request, principal: AdminPrincipal) -> dict[str, Any]:
    """Ingest files and folders on the server (admin only); returns the CLI's `ingest --json` report."""
    access = checked_groups(body.groups) if body.groups else frozenset({PUBLIC})
    entry: AuditEntry = request.state.audit
    entry.query = "\n".join(body.paths)
    entry.filters = {"access": sorted(access), "prune": body.prune}
    services: Services = request.app.state.services
    alerts: AlertsService = request.app.state.alerts

    def run() -> dict[str, Any]:
        with services.store.writing("ingest"):  # alerts are matched before another writer starts
            report = services.ingestor.ingest(body.paths, access, body.prune)
            matched = alerts.after_run(report.changes)
        return report.to_dict() | {"alerts": alerts.delivered_after(matched)}  # never fails the ingest

    return await run_in_threadpool(run)
