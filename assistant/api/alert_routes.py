"""HTTP routes of alerts: the caller's saved searches, followed papers, e-mail and feed under
/api/v1/alerts (bearer token, audited like every API request), and two addresses that work
without signing in: the Atom feed (``/feeds/{secret}``, the secret made by
``POST /api/v1/alerts/feed``) and the unsubscribe link of alert e-mails. A wrong or revoked
feed secret and a forged unsubscribe link answer 404, like an address that never existed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from assistant.api.atom import MEDIA_TYPE, feed_xml
from assistant.api.caller import api_caller
from assistant.api.process_routes import _only
from assistant.api.routes import _NOT_BLANK, FilterIn
from assistant.auth.dependencies import CurrentPrincipal
from assistant.service import MAX_QUERY_CHARS
from assistant.service.alert_models import (
    AlertListOut,
    FeedOut,
    FollowOut,
    MailSettingsOut,
    SavedSearchOut,
    SubscriptionsOut,
)
from assistant.service.alert_subscriptions import ADDRESS_PATTERN
from assistant.service.alerts_service import AlertsService

router = APIRouter()
_UNAUTHORISED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, invalid or revoked bearer token."}
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    **_UNAUTHORISED,
    409: {"description": "A saved search of that name exists, or the user's limit is reached."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **_UNAUTHORISED,
    404: {"description": "No such saved search or followed paper (or a paper the caller may not see)."},
}


class SavedSearchIn(FilterIn):
    name: str = Field(min_length=1, max_length=100, pattern=_NOT_BLANK, description="A name for the search.")
    query: str = Field("", max_length=MAX_QUERY_CHARS, description="Search terms; '' for filters only.")


class FollowIn(BaseModel):
    paper: str = Field(min_length=1, max_length=200, description="Document id or reference of the paper.")


class MailIn(BaseModel):
    address: str = Field(max_length=254, pattern=ADDRESS_PATTERN, description="Where the alerts go.")
    digest: Literal["immediate", "daily", "off"] = Field(
        "immediate", description="immediate: one e-mail per ingest or sync run; daily: one a day."
    )


def _alerts(request: Request) -> AlertsService:
    alerts: AlertsService = request.app.state.alerts
    return alerts


@router.get(
    "/api/v1/alerts",
    response_model=SubscriptionsOut,
    tags=["alerts"],
    responses=_UNAUTHORISED,
    dependencies=[_only()],
)
async def subscriptions(request: Request, principal: CurrentPrincipal) -> SubscriptionsOut:
    """The caller's saved searches, followed papers, e-mail setting and whether a feed exists."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_alerts(request).subscriptions, caller)


@router.post(
    "/api/v1/alerts/searches",
    response_model=SavedSearchOut,
    tags=["alerts"],
    responses=_CONFLICT,
    dependencies=[_only()],
)
async def add_search(body: SavedSearchIn, request: Request, principal: CurrentPrincipal) -> SavedSearchOut:
    """Save a search: after every ingest or sync, new and changed documents it finds are alerts."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(
        _alerts(request).add_search, caller, body.name, body.query, body.to_filters()
    )


@router.delete(
    "/api/v1/alerts/searches/{wanted}",
    response_model=SavedSearchOut,
    tags=["alerts"],
    responses=_NOT_FOUND,
    dependencies=[_only()],
)
async def remove_search(
    wanted: Annotated[str, Path(max_length=100)], request: Request, principal: CurrentPrincipal
) -> SavedSearchOut:
    """Remove a saved search (by number or name)."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_alerts(request).remove_search, caller, wanted)


@router.post(
    "/api/v1/alerts/follows",
    response_model=FollowOut,
    tags=["alerts"],
    responses={**_NOT_FOUND, 409: _CONFLICT[409]},
    dependencies=[_only()],
)
async def follow(body: FollowIn, request: Request, principal: CurrentPrincipal) -> FollowOut:
    """Follow a paper: new consultations, agenda items, results, linked papers and files are alerts."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_alerts(request).follow, caller, body.paper)


@router.delete(
    "/api/v1/alerts/follows/{wanted:path}", tags=["alerts"], responses=_NOT_FOUND, dependencies=[_only()]
)
async def unfollow(
    wanted: Annotated[str, Path(max_length=200)], request: Request, principal: CurrentPrincipal
) -> dict[str, str]:
    """Stop following a paper (by document id or reference)."""
    caller = api_caller(request, principal)
    return {"doc_id": await run_in_threadpool(_alerts(request).unfollow, caller, wanted)}


@router.put(
    "/api/v1/alerts/email",
    response_model=MailSettingsOut,
    tags=["alerts"],
    responses=_UNAUTHORISED,
    dependencies=[_only()],
)
async def email(body: MailIn, request: Request, principal: CurrentPrincipal) -> MailSettingsOut:
    """Alerts by e-mail: the address, and one e-mail per run (immediate), a daily digest, or off."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_alerts(request).set_mail, caller, body.address, body.digest)


@router.post(
    "/api/v1/alerts/feed",
    response_model=FeedOut,
    tags=["alerts"],
    responses=_UNAUTHORISED,
    dependencies=[_only()],
)
async def create_feed(request: Request, principal: CurrentPrincipal) -> FeedOut:
    """A new Atom feed address with its own secret, shown only now; earlier addresses stop working."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_alerts(request).create_feed, caller)


@router.delete("/api/v1/alerts/feed", tags=["alerts"], responses=_UNAUTHORISED, dependencies=[_only()])
async def revoke_feed(request: Request, principal: CurrentPrincipal) -> dict[str, int]:
    """The caller's feed addresses stop working (404)."""
    caller = api_caller(request, principal)
    return {"revoked": await run_in_threadpool(_alerts(request).revoke_feed, caller)}


@router.get(
    "/api/v1/alerts/new",
    response_model=AlertListOut,
    tags=["alerts"],
    responses=_UNAUTHORISED,
    dependencies=[_only("seen")],
)
async def new_alerts(
    request: Request,
    principal: CurrentPrincipal,
    seen: Annotated[bool, Query(description="Mark the alerts returned as seen.")] = False,
) -> AlertListOut:
    """The caller's alerts since they were last marked seen ("Neu für Sie")."""
    caller = api_caller(request, principal)
    return await run_in_threadpool(_alerts(request).new_alerts, caller, seen)


# -- without signing in ---------------------------------------------------------------------------


@router.get("/feeds/{secret}", include_in_schema=False)
async def feed(secret: Annotated[str, Path(max_length=200)], request: Request) -> Response:
    """The Atom feed of the secret's user (404 for a wrong or revoked secret)."""
    alerts = _alerts(request)
    user, items = await run_in_threadpool(alerts.feed, secret)
    body = feed_xml(request.app.state.services.settings.base_url, user, items)
    return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "private, no-store"})


_PAGE = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Ratsinfo-Assistent</title>'
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>{body}</body></html>'
)


@router.get("/alerts/unsubscribe/{token}", include_in_schema=False)
async def unsubscribe_page(token: Annotated[str, Path(max_length=400)], request: Request) -> HTMLResponse:
    """A page with one button: a link opened by a mail scanner changes nothing."""
    await run_in_threadpool(_alerts(request).unsubscribe, token, False)
    form = (
        "<h1>Keine E-Mails mehr?</h1><p>Sie erhalten dann keine Benachrichtigungen des Ratsinfo-Assistenten "
        'mehr per E-Mail. Gespeicherte Suchen bleiben erhalten.</p><form method="post">'
        '<button type="submit">E-Mails abbestellen</button></form>'
    )
    return HTMLResponse(_PAGE.format(body=form), headers={"Referrer-Policy": "no-referrer"})


@router.post("/alerts/unsubscribe/{token}", include_in_schema=False)
async def unsubscribe(token: Annotated[str, Path(max_length=400)], request: Request) -> HTMLResponse:
    """Unsubscribe (also the one-click POST of RFC 8058)."""
    await run_in_threadpool(_alerts(request).unsubscribe, token, True)
    done = "<h1>Abbestellt</h1><p>Sie erhalten keine Benachrichtigungen per E-Mail mehr.</p>"
    return HTMLResponse(_PAGE.format(body=done), headers={"Referrer-Policy": "no-referrer"})
