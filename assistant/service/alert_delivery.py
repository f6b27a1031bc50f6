"""Sending the outbox: each pending digest as one e-mail, retried with backoff until it is sent.

A digest is composed when it is sent, as its user at that moment: a revoked user, e-mail
switched off, or nothing left that the user may see drops it (recorded with the reason); a
failed attempt (server unreachable, TLS or login refused, recipient refused) leaves it pending
with its error, due again after ``alerts_retry_s`` × 2^attempts (at most a day). The audit log
gets a record before the message leaves (status "sending", naming the documents; if that record
cannot be written, nothing is sent) and one with the outcome ("sent" or "error").
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

from assistant.access import Principal
from assistant.audit import AuditEntry
from assistant.config import Settings
from assistant.mail import check_mail_settings
from assistant.service.alert_links import UNSUBSCRIBE_PATH, unsubscribe_token
from assistant.service.alert_mail import digest_message
from assistant.service.alert_models import AlertOut, DeliveryOut
from assistant.service.recorder import AuditRecorder
from assistant.store.alerts_outbox import Outbox, OutboxRow

INTERFACE = "alerts"
MAX_RETRY = timedelta(days=1)
Render = Callable[[Principal, str, tuple[int, ...]], list[AlertOut]]
Send = Callable[[Settings, EmailMessage], None]


def retry_after(settings: Settings, attempts: int) -> timedelta:
    """How long a digest that failed ``attempts`` times waits for its next attempt."""
    return min(MAX_RETRY, timedelta(seconds=settings.alerts_retry_s * 2 ** max(0, attempts - 1)))


class DigestDelivery:
    def __init__(
        self,
        settings: Settings,
        outbox: Outbox,
        principal_of: Callable[[str], Principal | None],
        render: Render,
        recorder: AuditRecorder,
        send: Send,
    ) -> None:
        self._settings = settings
        self._outbox = outbox
        self._principal_of = principal_of  # the user's principal now, None when revoked or unknown
        self._render = render
        self._recorder = recorder
        self._send = send

    def deliver(self, due_by: datetime | None) -> DeliveryOut:
        """Send the digests due by ``due_by`` (all pending ones with None)."""
        report = DeliveryOut(sent=0, failed=0, dropped=0, pending=0, errors=[])
        if not self._settings.smtp_host:
            report.skipped = "no SMTP server configured (RATSINFO_SMTP_HOST)"
        else:
            check_mail_settings(self._settings)
            for row in self._outbox.pending(due_by):
                self._one(row, report)
        report.pending = self._outbox.counts()["pending"]
        return report

    def _one(self, row: OutboxRow, report: DeliveryOut) -> None:
        principal = self._principal_of(row.user)
        settings = self._outbox.mail(row.user)
        reason = ""
        if principal is None:
            reason = "user unknown or revoked"
        elif settings is None or settings.digest == "off" or not settings.address:
            reason = "e-mail switched off"
        items = (
            self._render(principal, row.user, row.alert_ids) if principal is not None and not reason else []
        )
        if not reason and not items:
            reason = "nothing left that the user may see"
        if reason or settings is None:
            self._outbox.dropped(row, reason)
            report.dropped += 1
            return
        unsubscribe = (
            self._settings.base_url + UNSUBSCRIBE_PATH + unsubscribe_token(self._outbox.link_key(), row.user)
        )
        message = digest_message(
            sender=self._settings.smtp_from,
            address=settings.address,
            user=row.user,
            items=items,
            unsubscribe=unsubscribe,
        )
        doc_ids = list(dict.fromkeys(item.doc_id for item in items))
        detail = f"digest {row.id} to {settings.address}: {len(items)} alerts"
        self._record(row.user, "sending", doc_ids, detail)  # no record, no e-mail
        try:
            self._send(self._settings, message)
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            text = f"{type(error).__name__}: {error}"
            self._outbox.failed(row, text, retry_after(self._settings, row.attempts + 1))
            self._record(row.user, "error", [], f"{detail}; {text}")
            report.failed += 1
            report.errors.append(f"{row.user}: {text}")
            return
        self._outbox.sent(row)
        self._record(row.user, "sent", doc_ids, detail)
        report.sent += 1

    def _record(self, user: str, status: str, doc_ids: list[str], detail: str) -> None:
        self._recorder.write(
            AuditEntry(
                user=user,
                interface=INTERFACE,
                action="alert-email",
                returned=doc_ids,
                status=status,
                detail=detail,
            )
        )
