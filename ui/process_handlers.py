"""Handlers of the council process in the UI: the "Sitzungen" tab (meetings of a body in a date
range, a meeting's agenda) and the "Verlauf" of the document view.

As the other handlers, they take the session key from server-side state and act as its
principal through UiBackend; what the principal may not see is not there (the service layer
applies the body → group mapping).
"""

from __future__ import annotations

import contextlib
from typing import Any

import gradio as gr

from assistant.access import Principal
from assistant.errors import InvalidRequestError, NotFoundError, RatsinfoError
from ui.backend import UiBackend, ui_message
from ui.filters import parse_date
from ui.layout import ALL, Layout
from ui.render_process import NO_MEETING, render_agenda, render_meetings, render_timeline

Updates = dict[Any, Any]


def timeline_html(backend: UiBackend, principal: Principal, doc_id: str) -> str:
    """The "Verlauf" of a visible document, or "" when it has none (no consultation, no linked
    paper) or the process is not served. Opening a document audits "history" and "related"."""
    with contextlib.suppress(RatsinfoError):
        history = backend.history(principal, doc_id)
        if history is None or not (history.steps or history.linked):
            return ""
        related = []
        with contextlib.suppress(RatsinfoError):
            related = backend.related(principal, doc_id)
        return render_timeline(history, related)
    return ""


def body_choices(backend: UiBackend, principal: Principal) -> gr.Dropdown:
    """The "Gremium" dropdown of the "Sitzungen" tab for ``principal``."""
    bodies = backend.meeting_bodies(principal)
    return gr.Dropdown(choices=[("Alle Gremien", ALL), *((body, body) for body in bodies)], value=ALL)


class ProcessHandlers:
    """The "Sitzungen" tab and meeting links anywhere in the page."""

    def __init__(self, backend: UiBackend, ui: Layout, principal_of: Any) -> None:
        self.backend = backend
        self.ui = ui
        self._principal_of = principal_of  # Handlers._principal: session → principal or gr.Error

    def list_meetings(
        self, body: str | None, date_from: str, date_to: str, key: str | None, request: gr.Request
    ) -> Updates:
        """Meetings of the chosen body in the range, latest first."""
        try:
            start, end = parse_date(date_from or ""), parse_date(date_to or "", end_of_period=True)
            if start and end and start > end:
                raise InvalidRequestError(
                    "the start date lies after the end date",
                    german="Das Datum „von“ liegt nach dem Datum „bis“.",
                )
        except RatsinfoError as error:
            raise gr.Error(ui_message(error), title="Hinweis", print_exception=False) from None
        principal = self._principal_of(key, request, "meetings")
        try:
            found = self.backend.meetings(principal, (body or "").strip()[:200], start, end)
        except RatsinfoError as error:
            raise gr.Error(ui_message(error), title="Hinweis", print_exception=False) from None
        exact = [m for m in found.meetings if not body or body in m.bodies]  # not "… zum DHH"
        return {self.ui.meeting_list: render_meetings(exact)}

    def _meeting_updates(self, principal: Principal, meeting_id: str) -> Updates:
        try:
            view = render_agenda(self.backend.meeting(principal, meeting_id))
        except NotFoundError:
            view = NO_MEETING
        return {self.ui.meeting_view: view, self.ui.tabs: gr.Tabs(selected="meetings")}

    def open_meeting_link(self, evt: gr.EventData, key: str | None, request: gr.Request) -> Updates:
        """A click on a meeting link (a timeline step, a record citation, the meeting list)."""
        data = getattr(evt, "_data", None) or {}
        if not isinstance(data, dict) or not data.get("meeting"):
            return {self.ui.meeting_view: gr.skip()}  # another link (a document's) was clicked
        principal = self._principal_of(key, request, "meeting")
        try:
            return self._meeting_updates(principal, str(data["meeting"])[:200])
        except RatsinfoError as error:
            raise gr.Error(ui_message(error), title="Hinweis", print_exception=False) from None
