"""Saved searches and alerts: what the CLI, the API and the UI do to follow topics and papers.

A user saves searches (query and filters) and follows papers; after every ingest or sync,
``after_run`` matches what that run changed (``alert_matching``) as each user with the groups
the user has at that moment, stores the alerts and queues e-mail digests; ``deliver`` sends them
(``alert_delivery``). The alerts reach the user in the UI ("Neu für Sie"), through an Atom feed
with its own secret, and by e-mail. Every alert is checked again, as its user, whenever it is
shown or sent (``alert_items``): an alert never carries a title, passage, reference or count of
a document its user may not see at that moment.

Every operation writes an audit record: changes of subscriptions, and each delivery with the
documents it named (interface "ui" or "api" for the user's own reads, "alerts" for feeds and
e-mails).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from assistant.access import Principal
from assistant.audit import AuditEntry
from assistant.errors import NotFoundError
from assistant.indexing.changes import RunChanges
from assistant.service.alert_delivery import DigestDelivery
from assistant.service.alert_links import feed_secret_hash, user_of_token
from assistant.service.alert_matching import AlertMatcher
from assistant.service.alert_models import (
    AlertListOut,
    AlertOut,
    AlertsStatusOut,
    DeliveryOut,
    OutboxEntryOut,
    RunAlertsOut,
)
from assistant.service.alert_subscriptions import AlertSubscriptions
from assistant.service.caller import Caller
from assistant.store.alerts_schema import now

_log = logging.getLogger(__name__)
FEED_ENTRIES = 50


class AlertsService(AlertSubscriptions):
    """Subscriptions (the base class), and what happens after a run: matching, delivery, reading."""

    def _render(self, principal: Principal, user: str, alert_ids: tuple[int, ...]) -> list[AlertOut]:
        return self._items.items(principal, self.db.alerts(user, ids=alert_ids, limit=len(alert_ids) or 1))

    @property
    def _delivery(self) -> DigestDelivery:
        return DigestDelivery(
            self._settings, self.outbox, self._principal_of, self._render, self._recorder, self._send
        )

    # -- reading alerts --------------------------------------------------------------------------

    def new_alerts(self, caller: Caller, mark_seen: bool = False) -> AlertListOut:
        """The caller's alerts since they last marked them seen ("Neu für Sie")."""
        user = caller.principal.name
        with self._recorder.operation(caller, "alerts-new") as entry:
            rows = self.db.alerts(user, after=self.db.seen_until(user))
            items = self._items.items(self._bodies.principal(caller.principal), rows)
            entry.returned = list(dict.fromkeys(item.doc_id for item in items))
            if mark_seen and rows:
                self.db.mark_seen(user, rows[0].id)
        return AlertListOut(alerts=items)

    def visit(self, caller: Caller, since: int | None = None) -> tuple[int, AlertListOut]:
        """For the UI: alerts since the last visit (``since``: the mark when this visit began, as
        this returned it first); the mark moves to now, so the next visit starts here."""
        user = caller.principal.name
        with self._recorder.operation(caller, "alerts-new") as entry:
            seen = self.db.seen_until(user) if since is None else since
            items = self._items.items(
                self._bodies.principal(caller.principal), self.db.alerts(user, after=seen)
            )
            entry.returned = list(dict.fromkeys(item.doc_id for item in items))
            self.db.mark_seen(user, self.db.last_alert_id(user))
        return seen, AlertListOut(alerts=items)

    def feed(self, secret: str) -> tuple[str, list[AlertOut]]:
        """The user and newest alerts of a feed secret; NotFoundError for a wrong or revoked one
        (also when its user was revoked): the same answer as for a secret that never existed."""
        user = self.outbox.feed_user(feed_secret_hash(secret[:200])) if secret else None
        principal = self._principal_of(user) if user else None
        entry = AuditEntry(user=user or "-", interface="alerts", action="alert-feed")
        if user is None or principal is None:
            entry.status = "404"
            self._recorder.write(entry)
            raise NotFoundError("no such feed", german="Diesen Feed gibt es nicht.")
        items = self._items.items(principal, self.db.alerts(user, limit=FEED_ENTRIES))
        entry.returned = list(dict.fromkeys(item.doc_id for item in items))
        self._recorder.write(entry)  # before the feed leaves
        return user, items

    def unsubscribe(self, token: str, confirm: bool) -> str:
        """The user of a genuine unsubscribe link; with ``confirm`` their e-mail stops."""
        user = user_of_token(self.outbox.link_key(), token[:400])
        if user is None:
            raise NotFoundError("no such link", german="Dieser Link ist ungültig.")
        if confirm:
            self.outbox.stop_mail(user)
            self._recorder.write(AuditEntry(user=user, interface="alerts", action="alerts-unsubscribe"))
        return user

    # -- after a run -----------------------------------------------------------------------------

    def after_run(self, changes: RunChanges) -> RunAlertsOut:
        """Match a finished run's changes, store the alerts and queue e-mail. Never raises: an
        ingest must not fail because of alerts (the error is reported instead)."""
        started = time.perf_counter()
        try:
            return self._after_run(changes, started)
        except Exception as error:  # reported in the run's summary; the run itself stands
            _log.exception("alert matching failed")
            return RunAlertsOut(
                alerts=0,
                users=0,
                digests_queued=0,
                seconds=round(time.perf_counter() - started, 3),
                error=f"{type(error).__name__}: {error}",
            )

    def _after_run(self, changes: RunChanges, started: float) -> RunAlertsOut:
        if not self.db.file.exists():  # nobody ever subscribed to anything
            return RunAlertsOut(alerts=0, users=0, digests_queued=0, seconds=0.0)
        matcher = AlertMatcher(
            self._store, self._retriever, self._process.index, self._bodies, self.db, self._users, self._today
        )
        matched = matcher.match(changes)
        run = f"{now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        rows = self.db.record_run(run, matched.alerts, matched.known, matched.hits)
        by_user: dict[str, list[int]] = {}
        for row in rows:
            by_user.setdefault(row.user, []).append(row.id)
        queued = 0
        for user, ids in by_user.items():
            self._recorder.write(
                AuditEntry(
                    user=user,
                    interface="alerts",
                    action="alert-match",
                    returned=list(dict.fromkeys(row.doc_id for row in rows if row.user == user)),
                    detail=f"run {run}: {len(ids)} alerts",
                )
            )
            mail = self.outbox.mail(user)
            if mail is None or mail.digest == "off":
                continue
            daily = mail.digest == "daily"
            due = self.outbox.daily_due(user, now()) if daily else now()
            self.outbox.enqueue(user, ids, due, collect=daily)
            queued += 1
        return RunAlertsOut(
            alerts=len(rows),
            users=len(by_user),
            digests_queued=queued,
            seconds=round(time.perf_counter() - started, 3),
        )

    def deliver(self, force: bool = False) -> DeliveryOut:
        """Send the e-mail digests that are due (with ``force``: every pending one, now)."""
        if not self.outbox.file.exists():
            return DeliveryOut(sent=0, failed=0, dropped=0, pending=0, errors=[])
        return self._delivery.deliver(None if force else now())

    def delivered_after(self, matched: RunAlertsOut) -> dict[str, Any]:
        """After a run, once it released the writer lock: send what is due, and the summary of both
        for the run's report (``alerts`` in the JSON of ingest and sync). Never raises."""
        return matched.model_dump() | {"delivery": self._deliver_quietly().model_dump()}

    def _deliver_quietly(self) -> DeliveryOut:
        try:
            return self.deliver()
        except Exception as error:  # e.g. RATSINFO_SMTP_FROM missing: say so, keep the run
            _log.exception("alert delivery failed")
            pending = self.outbox.counts()["pending"]
            return DeliveryOut(
                sent=0, failed=0, dropped=0, pending=pending, errors=[f"{type(error).__name__}: {error}"]
            )

    def status(self) -> AlertsStatusOut:
        """The outbox: digests by state and the newest ones with their attempts and errors."""
        smtp = f"{self._settings.smtp_host}:{self._settings.smtp_port}" if self._settings.smtp_host else ""
        return AlertsStatusOut(
            smtp=smtp,
            counts=self.outbox.counts(),
            outbox=[
                OutboxEntryOut(
                    id=row.id,
                    user=row.user,
                    alerts=len(row.alert_ids),
                    created=row.created,
                    due=row.due,
                    attempts=row.attempts,
                    state=row.state,
                    last_error=row.last_error,
                )
                for row in self.outbox.rows()
            ],
        )
