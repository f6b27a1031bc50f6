""" "Neu für Sie" and the user's subscriptions as HTML; everything from documents is escaped."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.service.alert_models import AlertOut, SubscriptionsOut
from ui.render import document_link, esc, format_date

NOTHING_NEW = (
    '<p class="hint" role="status">Seit Ihrem letzten Besuch ist nichts Neues zu Ihren gespeicherten '
    "Suchen und verfolgten Vorgängen hinzugekommen.</p>"
)


def _facts(alert: AlertOut) -> str:
    day = format_date(alert.date) if alert.date else ""
    parts = [alert.paper_type, alert.reference, day, "; ".join(alert.bodies)]
    return " · ".join(esc(part) for part in parts if part)


def render_alerts(alerts: Sequence[AlertOut]) -> str:
    """The alerts since the last visit, newest first, each linked to its document view."""
    if not alerts:
        return NOTHING_NEW
    items = []
    for alert in alerts:
        title = alert.title or alert.reference or "Ohne Titel"
        events = "".join(f"<li>{esc(event)}</li>" for event in alert.events)
        quoted = alert.kind == "search" and alert.snippet
        snippet = f'<div class="snippet">{esc(alert.snippet)}</div>' if quoted else ""
        items.append(
            f'<li class="result alert-item" data-kind="{esc(alert.kind)}">'
            f'<div class="result-title">{document_link(alert.doc_id, title)}</div>'
            f'<div class="result-meta">{_facts(alert)}</div>'
            f'<div class="alert-reason">{esc(alert.reason)}</div>'
            f"{f'<ul class=alert-events>{events}</ul>' if events else ''}{snippet}</li>"
        )
    count = "ein neuer Hinweis" if len(alerts) == 1 else f"{len(alerts)} neue Hinweise"
    return f'<p class="result-count" role="status">{count}</p><ol class="results">{"".join(items)}</ol>'


def render_subscriptions(found: SubscriptionsOut) -> str:
    """Saved searches and followed papers, for the management section."""
    searches = "".join(
        f"<li>{esc(search.name)}"
        + (f" – „{esc(search.query)}“" if search.query else "")
        + (
            f" <small>({esc(', '.join(f'{k}: {v}' for k, v in search.filters.items()))})</small>"
            if search.filters
            else ""
        )
        + "</li>"
        for search in found.searches
    )
    follows = "".join(
        f"<li>{document_link(follow.doc_id, follow.reference or follow.title)} {esc(follow.title)}</li>"
        for follow in found.follows
    )
    mail = (
        f"{esc(found.mail.address)} ({esc(found.mail.digest)})"
        if found.mail and found.mail.address
        else "aus"
    )
    return (
        f"<h3>Gespeicherte Suchen</h3>{f'<ul>{searches}</ul>' if searches else '<p>Keine.</p>'}"
        f"<h3>Verfolgte Vorgänge</h3>{f'<ul>{follows}</ul>' if follows else '<p>Keine.</p>'}"
        f"<p>E-Mail: {mail} · Feed: {'eingerichtet' if found.feed else 'keiner'}</p>"
    )
