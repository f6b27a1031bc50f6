"""Sending e-mail through the configured SMTP server: STARTTLS with a verified certificate, then
the login from the settings. Used for alert digests (assistant/service/alert_delivery.py)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from assistant.config import Settings
from assistant.errors import ConfigurationError


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def check_mail_settings(settings: Settings) -> None:
    """ConfigurationError for settings that cannot send safely (checked before each delivery)."""
    if not settings.smtp_from:
        raise ConfigurationError(
            "RATSINFO_SMTP_FROM is empty: alert e-mails need a sender address",
            german="RATSINFO_SMTP_FROM ist leer: Benachrichtigungen brauchen eine Absenderadresse.",
        )
    if settings.smtp_user and not settings.smtp_starttls:
        raise ConfigurationError(
            "refusing to send the SMTP password without STARTTLS (RATSINFO_SMTP_STARTTLS=false)",
            german="Das SMTP-Passwort wird nicht ohne STARTTLS gesendet (RATSINFO_SMTP_STARTTLS=false).",
        )


def send(settings: Settings, message: EmailMessage) -> None:
    """Deliver ``message``; smtplib.SMTPException, ssl.SSLError or OSError when it fails."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
        smtp.ehlo()
        if settings.smtp_starttls:
            context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
