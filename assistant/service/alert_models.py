"""The JSON shapes of saved searches, followed papers and alerts (CLI --json, HTTP API, UI)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class SavedSearchOut(BaseModel):
    id: int
    name: str
    query: str = Field(description="The query ('' when the search is by filters only).")
    filters: dict[str, object] = Field(description="The filters that are set (types, dates, body, …).")
    created: str


class FollowOut(BaseModel):
    doc_id: str
    reference: str
    title: str
    created: str


class AlertOut(BaseModel):
    """One alert, as its user may see it now (titles and snippets are read when it is shown)."""

    id: str = Field(description="An opaque key of the alert (says nothing about other users' alerts).")
    created: str = Field(description="When the run that found it ended (UTC).")
    kind: str = Field(description="search (a saved search matched) or follow (news of a followed paper).")
    reason: str = Field(description="German: „Suche „Radverkehr““ or „Vorgang, dem Sie folgen“.")
    doc_id: str
    reference: str
    title: str
    paper_type: str
    date: dt.date | None
    bodies: list[str] = Field(description="Bodies of the consultations the user may see.")
    snippet: str = Field(description="The passage that matched, or the news of the followed paper.")
    events: list[str] = Field(description="News of a followed paper (German, one line each).")
    link: str = Field(description="The document view (RATSINFO_PUBLIC_BASE_URL/ui/?doc=…).")


class AlertListOut(BaseModel):
    alerts: list[AlertOut] = Field(description="Newest first.")


class MailSettingsOut(BaseModel):
    address: str
    digest: str = Field(description="off, immediate (one e-mail per run) or daily.")


class FeedOut(BaseModel):
    url: str = Field(description="The feed's address with its secret: shown only this once.")


class SubscriptionsOut(BaseModel):
    searches: list[SavedSearchOut]
    follows: list[FollowOut]
    mail: MailSettingsOut | None
    feed: bool = Field(description="Whether an active feed secret exists.")


class RunAlertsOut(BaseModel):
    """What alert matching did after one ingest or sync run."""

    alerts: int = Field(description="Alerts stored (one per user, document and reason).")
    users: int = Field(description="Users who got at least one alert.")
    digests_queued: int
    seconds: float
    error: str = Field("", description="Why matching failed ('' when it did not); the run is unaffected.")


class DeliveryOut(BaseModel):
    sent: int
    failed: int
    dropped: int
    pending: int = Field(description="Digests still waiting (failed ones included), after this delivery.")
    errors: list[str] = Field(description="The errors of this delivery's failed attempts.")
    skipped: str = Field("", description="Why nothing was tried ('' when it was).")


class OutboxEntryOut(BaseModel):
    id: int
    user: str
    alerts: int
    created: str
    due: str
    attempts: int
    state: str
    last_error: str


class AlertsStatusOut(BaseModel):
    smtp: str = Field(description="The SMTP server used, or '' when none is configured.")
    counts: dict[str, int] = Field(description="Digests by state: pending, sent, dropped.")
    outbox: list[OutboxEntryOut] = Field(description="The newest digests.")
