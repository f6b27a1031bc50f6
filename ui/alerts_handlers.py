"""Gradio handlers of alerts: save the search as it stands, follow the paper shown, "Neu für Sie".

As every handler, they take the principal from the server-side session (``UiBackend.principal``,
which rate-limits and records refusals), never from the page. "Neu für Sie" shows what arrived
since the last visit: the mark is read when the session begins (kept in ``since``) and moved on,
so a refresh during the visit also shows what a sync brought in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import gradio as gr

from assistant.access import Principal
from assistant.errors import RatsinfoError
from ui.alerts_backend import AlertsBackend
from ui.backend import UiBackend, ui_message
from ui.filters import build_filters
from ui.handlers import browser_of
from ui.layout import Layout
from ui.render import esc
from ui.render_alerts import NOTHING_NEW, render_alerts, render_subscriptions

Updates = dict[Any, Any]


def _fail(error: RatsinfoError) -> gr.Error:
    return gr.Error(ui_message(error), title="Hinweis", print_exception=False)


def _note(text: str) -> str:
    return f'<p class="notice" role="status">{esc(text)}</p>'


class AlertsHandlers:
    def __init__(self, backend: UiBackend, alerts: AlertsBackend, ui: Layout) -> None:
        self.backend = backend
        self.alerts = alerts
        self.ui = ui

    def _principal(self, key: str | None, request: gr.Request | None, action: str) -> Principal:
        try:
            return self.backend.principal(key, browser_of(request), action)
        except RatsinfoError as error:
            raise _fail(error) from None

    def _tab(self, principal: Principal, since: int | None) -> Updates:
        tab = self.ui.alerts.tab
        began, news = self.alerts.visit(principal, since)
        found = self.alerts.subscriptions(principal)
        updates: Updates = {
            tab.since: began,
            tab.alerts: render_alerts(news.alerts),
            tab.subscriptions: render_subscriptions(found),
        }
        if found.mail is not None:
            updates[tab.mail_address] = found.mail.address
            updates[tab.mail_digest] = found.mail.digest
        return updates

    def on_session(self, key: str | None, request: gr.Request) -> Updates:
        """A session began (sign-in) or ended: the alerts since the last visit, or nothing."""
        tab = self.ui.alerts.tab
        if not key:
            return {tab.since: None, tab.alerts: NOTHING_NEW, tab.subscriptions: "", tab.message: ""}
        try:
            principal = self.backend.sessions.principal(key, browser_of(request))
            return self._tab(principal, None)
        except RatsinfoError:
            return {}  # the next action shows the sign-in form again

    def refresh(self, key: str | None, since: int | None, request: gr.Request) -> Updates:
        """The alerts of this visit, including what arrived since it began."""
        principal = self._principal(key, request, "alerts-new")
        try:
            return self._tab(principal, since)
        except RatsinfoError as error:
            raise _fail(error) from None

    def save_search(
        self,
        name: str,
        query: str,
        paper_types: list[str] | None,
        date_from: str,
        date_to: str,
        body: str | None,
        originator: str | None,
        key: str | None,
        request: gr.Request,
    ) -> Updates:
        """Save the search form as it stands (query and filters) under ``name``."""
        principal = self._principal(key, request, "alerts-add")
        query = (query or "").strip()
        name = (name or "").strip() or query[:100] or f"Suche vom {date.today():%d.%m.%Y}"
        try:
            filters = build_filters(paper_types, date_from, date_to, body, originator)
            saved = self.alerts.save_search(principal, name, query, filters)
        except RatsinfoError as error:
            raise _fail(error) from None
        text = f"Suche „{saved.name}“ gespeichert. Neue passende Dokumente erscheinen unter „Neu für Sie“."
        return {self.ui.alerts.save.message: _note(text), self.ui.alerts.save.name: ""}

    def follow(self, wanted: str, key: str | None, request: gr.Request) -> Updates:
        """Follow the paper of the document view."""
        if not (wanted or "").strip():
            raise gr.Error("Bitte öffnen Sie zuerst einen Vorgang.", title="Hinweis", print_exception=False)
        principal = self._principal(key, request, "alerts-follow")
        try:
            followed = self.alerts.follow(principal, wanted)
        except RatsinfoError as error:
            raise _fail(error) from None
        label = followed.reference or followed.title
        text = f"Sie folgen {label}. Neue Beratungen, Ergebnisse und Dateien erscheinen unter „Neu für Sie“."
        return {self.ui.alerts.follow.message: _note(text)}

    def remove(self, wanted: str, key: str | None, since: int | None, request: gr.Request) -> Updates:
        principal = self._principal(key, request, "alerts-remove")
        try:
            removed = self.alerts.remove_search(principal, (wanted or "").strip())
            updates = self._tab(principal, since)
        except RatsinfoError as error:
            raise _fail(error) from None
        return updates | {self.ui.alerts.tab.message: _note(f"Suche „{removed.name}“ entfernt.")}

    def unfollow(self, wanted: str, key: str | None, since: int | None, request: gr.Request) -> Updates:
        principal = self._principal(key, request, "alerts-unfollow")
        try:
            self.alerts.unfollow(principal, (wanted or "").strip())
            updates = self._tab(principal, since)
        except RatsinfoError as error:
            raise _fail(error) from None
        return updates | {self.ui.alerts.tab.message: _note("Sie folgen dem Vorgang nicht mehr.")}

    def save_mail(self, address: str, digest: str, key: str | None, request: gr.Request) -> Updates:
        principal = self._principal(key, request, "alerts-email")
        try:
            saved = self.alerts.set_mail(principal, address or "", digest or "off")
        except RatsinfoError as error:
            raise _fail(error) from None
        text = "Keine E-Mails." if saved.digest == "off" else f"E-Mails an {saved.address} gespeichert."
        return {self.ui.alerts.tab.message: _note(text)}

    def create_feed(self, key: str | None, request: gr.Request) -> Updates:
        principal = self._principal(key, request, "alerts-feed")
        try:
            created = self.alerts.create_feed(principal)
        except RatsinfoError as error:
            raise _fail(error) from None
        text = (
            "Ihre Feed-Adresse (nur jetzt sichtbar; frühere Adressen gelten nicht mehr): "
            f"<code>{esc(created.url)}</code>"
        )
        return {self.ui.alerts.tab.message: f'<p class="notice" role="status">{text}</p>'}


Guarded = Callable[..., None]


def wire_alerts(
    ui: Layout, handlers: AlertsHandlers, guarded: Guarded, open_link: Callable[..., Any]
) -> None:
    """Bind the alert components; ``guarded`` binds like every action (back to sign-in on failure)."""
    alerts, tab = ui.alerts, ui.alerts.tab
    tab_outputs = [tab.since, tab.alerts, tab.subscriptions, tab.mail_address, tab.mail_digest]
    ui.session.change(
        handlers.on_session, [ui.session], [*tab_outputs, tab.message], api_visibility="private", queue=False
    )
    guarded(
        [tab.refresh_button.click, tab.tab.select], handlers.refresh, [ui.session, tab.since], tab_outputs
    )
    search_form = [ui.query, ui.paper_types, ui.date_from, ui.date_to, ui.body, ui.originator]
    guarded(
        [alerts.save.button.click, alerts.save.name.submit],
        handlers.save_search,
        [alerts.save.name, *search_form, ui.session],
        [alerts.save.message, alerts.save.name],
        "save_search",
    )
    guarded(
        [alerts.follow.button.click],
        handlers.follow,
        [ui.wanted, ui.session],
        [alerts.follow.message],
        "follow",
    )
    managed = [*tab_outputs, tab.message]
    guarded([tab.remove_button.click], handlers.remove, [tab.remove_name, ui.session, tab.since], managed)
    guarded([tab.unfollow_button.click], handlers.unfollow, [tab.remove_name, ui.session, tab.since], managed)
    guarded(
        [tab.mail_button.click],
        handlers.save_mail,
        [tab.mail_address, tab.mail_digest, ui.session],
        [tab.message],
    )
    guarded([tab.feed_button.click], handlers.create_feed, [ui.session], [tab.message])
    guarded(
        [tab.alerts.click, tab.subscriptions.click],
        open_link,
        [ui.session, ui.turns],
        [ui.document_view, ui.tabs, ui.wanted],
    )
