"""What the web UI does with alerts, without Gradio: each action acts as the session's principal
through ``AlertsService`` (interface "ui"), which applies the access rule and writes the audit
record, as ``UiBackend`` does for search and answers."""

from __future__ import annotations

from assistant.access import Principal
from assistant.audit import AuditLog
from assistant.service import Caller, SearchFilters
from assistant.service.alert_models import (
    AlertListOut,
    FeedOut,
    FollowOut,
    MailSettingsOut,
    SavedSearchOut,
    SubscriptionsOut,
)
from assistant.service.alerts_service import AlertsService

INTERFACE = "ui"


class AlertsBackend:
    def __init__(self, alerts: AlertsService, audit: AuditLog) -> None:
        self.alerts = alerts.audited_by(audit)

    def visit(self, principal: Principal, since: int | None = None) -> tuple[int, AlertListOut]:
        """The mark when this visit began, and the alerts since (``since``: that mark)."""
        return self.alerts.visit(Caller(principal, INTERFACE), since)

    def save_search(
        self, principal: Principal, name: str, query: str, filters: SearchFilters
    ) -> SavedSearchOut:
        return self.alerts.add_search(Caller(principal, INTERFACE), name, query, filters)

    def remove_search(self, principal: Principal, wanted: str) -> SavedSearchOut:
        return self.alerts.remove_search(Caller(principal, INTERFACE), wanted)

    def follow(self, principal: Principal, wanted: str) -> FollowOut:
        return self.alerts.follow(Caller(principal, INTERFACE), wanted)

    def unfollow(self, principal: Principal, wanted: str) -> str:
        return self.alerts.unfollow(Caller(principal, INTERFACE), wanted)

    def subscriptions(self, principal: Principal) -> SubscriptionsOut:
        return self.alerts.subscriptions(Caller(principal, INTERFACE))

    def set_mail(self, principal: Principal, address: str, digest: str) -> MailSettingsOut:
        return self.alerts.set_mail(Caller(principal, INTERFACE), address, digest)

    def create_feed(self, principal: Principal) -> FeedOut:
        return self.alerts.create_feed(Caller(principal, INTERFACE))
