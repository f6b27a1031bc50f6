"""The alert digest as an e-mail: German plain text and HTML, one message per user and digest.

Only alerts the recipient may see right now are passed in (``alert_items``), so the subject's
count and every line are theirs. Everything from documents is escaped in the HTML part. The
unsubscribe link works without signing in and is also given as ``List-Unsubscribe`` with
``List-Unsubscribe-Post`` (RFC 8058), so mail programs can offer it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from assistant.service.alert_models import AlertOut
from assistant.store.alerts_schema import now

_SIGNATURE = "Ratsinfo-Assistent"


def subject(items: Sequence[AlertOut]) -> str:
    count = len(items)
    return f"Ratsinfo: {'ein neuer Hinweis' if count == 1 else f'{count} neue Hinweise'} für Sie"


def _facts(item: AlertOut) -> str:
    parts = [
        item.paper_type,
        item.reference,
        f"{item.date:%d.%m.%Y}" if item.date else "",
        "; ".join(item.bodies),
    ]
    return " · ".join(part for part in parts if part)


def _text(user: str, items: Sequence[AlertOut], unsubscribe: str) -> str:
    lines = [f"Guten Tag {user},", "", "im Ratsinformationssystem gibt es Neues zu Ihren Themen:", ""]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item.title or item.reference or 'Ohne Titel'}")
        lines.append(f"   {_facts(item)}")
        lines.append(f"   Grund: {item.reason}")
        lines.extend(f"   – {event}" for event in item.events)
        if item.kind == "search" and item.snippet:
            lines.append(f"   „{item.snippet}“")
        lines.append(f"   {item.link}")
        lines.append("")
    lines += [
        "Die Links öffnen das Dokument nach der Anmeldung.",
        f"Keine E-Mails mehr erhalten: {unsubscribe}",
        "",
        f"-- \n{_SIGNATURE}",
    ]
    return "\n".join(lines) + "\n"


def _html(user: str, items: Sequence[AlertOut], unsubscribe: str) -> str:
    esc = html.escape
    entries = []
    for item in items:
        events = "".join(f"<li>{esc(event)}</li>" for event in item.events)
        snippet = (
            f"<blockquote>{esc(item.snippet)}</blockquote>" if item.kind == "search" and item.snippet else ""
        )
        entries.append(
            f'<li><p><a href="{esc(item.link)}"><strong>{esc(item.title or item.reference or "Ohne Titel")}'
            f"</strong></a><br><small>{esc(_facts(item))}</small><br>Grund: {esc(item.reason)}</p>"
            f"{f'<ul>{events}</ul>' if events else ''}{snippet}</li>"
        )
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Ratsinfo</title></head><body>'
        f"<p>Guten Tag {esc(user)},</p><p>im Ratsinformationssystem gibt es Neues zu Ihren Themen:</p>"
        f"<ol>{''.join(entries)}</ol><p>Die Links öffnen das Dokument nach der Anmeldung.</p>"
        f'<p><small><a href="{esc(unsubscribe)}">Keine E-Mails mehr erhalten</a></small></p>'
        f"<p><small>{_SIGNATURE}</small></p></body></html>"
    )


def digest_message(
    *, sender: str, address: str, user: str, items: Sequence[AlertOut], unsubscribe: str
) -> EmailMessage:
    """The digest of ``items`` for ``user`` at ``address``."""
    message = EmailMessage()
    message["Subject"] = subject(items)
    message["From"] = sender
    message["To"] = address
    message["Date"] = format_datetime(now())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_text(user, items, unsubscribe))
    message.add_alternative(_html(user, items, unsubscribe), subtype="html")
    return message
