"""Gradio event handlers: read the form, act through UiBackend, return component updates.

The principal is never taken from the page: each handler gets the session key from a
``gr.State`` (held by the server) and the browser cookie from the request, and asks
UiBackend for the principal. Errors the user should see become ``gr.Error`` in German.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.access import Principal
from assistant.errors import NotFoundError, RatsinfoError
from ui.backend import UiBackend, ui_message
from ui.conversation import ChatTurn, apply_event, citations_of, history_of
from ui.filters import build_filters, type_choices
from ui.layout import ALL, Layout
from ui.process_handlers import body_choices, timeline_html
from ui.render import esc
from ui.render_chat import render_conversation
from ui.render_document import EMPTY, NOT_FOUND, render_document
from ui.render_process import MEETING_HINT
from ui.render_search import (
    DocumentHit,
    group_hits,
    page_count,
    render_results,
    result_summary,
    results_csv,
)
from ui.session import BROWSER_COOKIE, SESSION_ENDED

Updates = dict[Any, Any]
EXPORT_MAX_AGE_S = 3600.0


def browser_of(request: gr.Request | None) -> str:
    """The browser cookie of a request ("" without one, e.g. from gradio_client)."""
    if request is None:
        return ""
    cookies = getattr(request, "cookies", None) or {}
    return str(cookies.get(BROWSER_COOKIE, ""))


def client_of(request: gr.Request | None) -> str:
    client = getattr(request, "client", None) if request is not None else None
    return str(getattr(client, "host", "") or "-")


def _fail(error: RatsinfoError) -> gr.Error:
    return gr.Error(ui_message(error), title="Hinweis", print_exception=False)


def _who(principal: Principal) -> str:
    groups = ", ".join(sorted(principal.groups)) or "keine (nur öffentliche Dokumente)"
    return (
        f"Angemeldet als <strong>{esc(principal.name)}</strong> · "
        f'<span class="groups">Gruppen: {esc(groups)}</span>'
    )


class Handlers:
    def __init__(self, backend: UiBackend, ui: Layout) -> None:
        self.backend = backend
        self.ui = ui
        self._export_dir: Path | None = None  # made on the first export

    # -- session ---------------------------------------------------------------------------------

    def principal(self, key: str | None, request: gr.Request | None, action: str) -> Principal:
        """The session's principal (rate limited), or the German reason as a gr.Error."""
        try:
            return self.backend.principal(key, browser_of(request), action)
        except RatsinfoError as error:
            raise _fail(error) from None

    def on_load(self, request: gr.Request) -> Updates:
        """Remember ``?doc=`` of the address; it opens once the user has signed in."""
        wanted = str(request.query_params.get("doc", ""))[:200] if request else ""
        return {self.ui.pending_doc: wanted, self.ui.wanted: wanted}

    def sign_in(self, name: str, secret: str, pending: str, request: gr.Request) -> Updates:
        ui = self.ui
        try:
            key, user = self.backend.sign_in(
                name or "", secret or "", browser_of(request), client_of(request)
            )
        except RatsinfoError as error:
            return {ui.sign_in_message: esc(ui_message(error)), ui.secret: ""}
        principal = user.principal()
        facets = self.backend.facets(principal)
        updates: Updates = {
            ui.session: key,
            ui.sign_in_panel: gr.Column(visible=False),
            ui.workspace: gr.Column(visible=True),
            ui.who: _who(principal),
            ui.sign_in_message: "",
            ui.secret: "",
            ui.turns: [],
            ui.conversation: render_conversation([], self.backend.examples(principal), {}),
            ui.paper_types: gr.Dropdown(choices=type_choices(facets), value=[]),
            ui.body: gr.Dropdown(
                choices=[("Alle Gremien", ALL)]
                + [(f"{f.value} ({f.count})", f.value) for f in facets.bodies],
                value=ALL,
            ),
            ui.originator: gr.Dropdown(
                choices=[("Alle", ALL)] + [(f"{f.value} ({f.count})", f.value) for f in facets.originators],
                value=ALL,
            ),
            ui.meeting_body: body_choices(self.backend, principal),
        }
        if pending:
            updates[ui.pending_doc] = ""
            with contextlib.suppress(RatsinfoError):  # e.g. the rate limit: the link still works later
                updates.update(self._document_updates(principal, pending, [], ""))
        return updates

    def sign_out(self, key: str | None) -> Updates:
        self.backend.sign_out(key)
        return self._signed_out("")

    def _signed_out(self, message: str) -> Updates:
        ui = self.ui
        return {
            ui.session: None,
            ui.sign_in_panel: gr.Column(visible=True),
            ui.workspace: gr.Column(visible=False),
            ui.sign_in_message: esc(message),
            ui.name: "",
            ui.secret: "",
            ui.who: "",
            ui.turns: [],
            ui.conversation: "",
            ui.results: [],
            ui.result_query: "",
            ui.summary: "",
            ui.result_list: "",
            ui.export: gr.DownloadButton(value=None, visible=False),
            ui.document_view: EMPTY,
            ui.wanted: "",
            ui.meeting_list: MEETING_HINT,
            ui.meeting_view: "",
        }

    def check_session(self, key: str | None, request: gr.Request) -> Updates:
        """After a failed action: back to the sign-in form if the session is gone."""
        try:
            self.backend.sessions.principal(key, browser_of(request))
        except RatsinfoError:
            return self._signed_out(SESSION_ENDED)
        return {self.ui.session: gr.skip()}  # still signed in: nothing changes

    # -- chat ------------------------------------------------------------------------------------

    def _conversation(self, principal: Principal, turns: list[ChatTurn]) -> str:
        doc_ids = [doc_id for turn in turns for doc_id in turn.cited_doc_ids()]
        return render_conversation(turns, [], self.backend.bodies(principal, doc_ids))

    def chat(
        self, question: str, key: str | None, turns: list[ChatTurn], request: gr.Request
    ) -> Iterator[Updates]:
        """Ask ``question`` in the conversation; the answer is redrawn as its pieces arrive."""
        ui = self.ui
        question = (question or "").strip()
        if not question:
            raise gr.Error("Bitte geben Sie eine Frage ein.", title="Hinweis", print_exception=False)
        principal = self.principal(key, request, "ask")
        history = history_of(turns)
        turn = ChatTurn(question=question)
        turns = [*turns, turn]
        yield {ui.conversation: self._conversation(principal, turns), ui.question: "", ui.turns: turns}
        try:
            for event in self.backend.ask(principal, question, history):
                apply_event(turn, event)
                if event.get("event") != "citation":
                    yield {ui.conversation: self._conversation(principal, turns)}
        except RatsinfoError as error:
            turn.error = ui_message(error)
        except Exception:
            turn.error = "Die Frage konnte nicht beantwortet werden (interner Fehler)."
            raise
        finally:
            turn.done = True
        done: Updates = {ui.conversation: self._conversation(principal, turns), ui.turns: turns}
        if turn.opened is not None and not turn.error:
            # A bare reference number: its paper opens in the document view.
            with contextlib.suppress(RatsinfoError):
                done.update(self._document_updates(principal, turn.opened.doc_id, turns, ""))
        yield done

    def ask_example(
        self, evt: gr.EventData, key: str | None, turns: list[ChatTurn], request: gr.Request
    ) -> Iterator[Updates]:
        """An example question from the start screen, asked as if typed."""
        data = getattr(evt, "_data", None) or {}
        question = str(data.get("question", ""))[:500] if isinstance(data, dict) else ""
        yield from self.chat(question, key, turns, request)

    def new_chat(self, key: str | None, request: gr.Request) -> Updates:
        principal = self.principal(key, request, "new-chat")
        return {
            self.ui.turns: [],
            self.ui.conversation: render_conversation([], self.backend.examples(principal), {}),
            self.ui.question: "",
        }

    # -- search ----------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        paper_types: list[str] | None,
        date_from: str,
        date_to: str,
        body: str | None,
        originator: str | None,
        key: str | None,
        turns: list[ChatTurn],
        request: gr.Request,
    ) -> Updates:
        """Search with filters; the first page of documents, the count and the CSV export. A query
        that is only a reference number opens its paper in the document view as well."""
        query = (query or "").strip()
        if not query:
            raise gr.Error("Bitte geben Sie Suchbegriffe ein.", title="Hinweis", print_exception=False)
        try:
            filters = build_filters(paper_types, date_from, date_to, body, originator)
        except RatsinfoError as error:
            raise _fail(error) from None
        principal = self.principal(key, request, "search")
        try:
            response = self.backend.search(principal, query, filters)
            entries = group_hits(response.results, query)
        except RatsinfoError as error:
            raise _fail(error) from None
        export = self._write_csv(entries) if entries else None
        updates: Updates = {
            **self._page_updates(entries, query, 0),
            self.ui.results: entries,
            self.ui.result_query: query,
            self.ui.export: gr.DownloadButton(value=export, visible=export is not None),
        }
        if response.opened is not None:
            with contextlib.suppress(RatsinfoError):
                updates.update(self._document_updates(principal, response.opened.doc_id, turns, ""))
        return updates

    def _page_updates(self, entries: list[DocumentHit], query: str, page: int) -> Updates:
        last = page_count(len(entries)) - 1
        page = max(0, min(page, last))
        return {
            self.ui.summary: result_summary(entries, page),
            self.ui.result_list: render_results(entries, query, page),
            self.ui.page: page,
            self.ui.previous_button: gr.Button(interactive=page > 0),
            self.ui.next_button: gr.Button(interactive=page < last),
        }

    def previous_page(self, entries: list[DocumentHit], query: str, page: int) -> Updates:
        return self._page_updates(entries, query, page - 1)

    def next_page(self, entries: list[DocumentHit], query: str, page: int) -> Updates:
        return self._page_updates(entries, query, page + 1)

    def _write_csv(self, entries: list[DocumentHit]) -> str:
        """A fresh file per export (Gradio serves it by path); old exports are removed."""
        if self._export_dir is None:
            self._export_dir = Path(tempfile.mkdtemp(prefix="ratsinfo-ui-"))
        now = time.time()
        for old in self._export_dir.glob("export-*"):
            if now - old.stat().st_mtime > EXPORT_MAX_AGE_S:
                shutil.rmtree(old, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix="export-", dir=self._export_dir))
        path = folder / f"ratsinfo-suche-{datetime.now():%Y%m%d-%H%M%S}.csv"
        path.write_text(results_csv(entries), encoding="utf-8-sig")  # the BOM makes Excel read UTF-8
        return str(path)

    # -- documents -------------------------------------------------------------------------------

    def _document_updates(
        self, principal: Principal, wanted: str, turns: list[ChatTurn], focus: str
    ) -> Updates:
        ui = self.ui
        try:
            document = self.backend.document(principal, wanted)
        except NotFoundError:
            view = NOT_FOUND
        else:
            timeline = timeline_html(self.backend, principal, document.doc_id)
            view = render_document(document, citations_of(turns, document.doc_id), focus, timeline)
        return {
            ui.document_view: view,
            ui.tabs: gr.Tabs(selected="document"),
            ui.wanted: wanted.strip()[:200],
        }

    def open_document(
        self, wanted: str, key: str | None, turns: list[ChatTurn], request: gr.Request
    ) -> Updates:
        """The document view for an id or a reference number (not found looks the same as not allowed)."""
        if not (wanted or "").strip():
            raise gr.Error("Bitte geben Sie ein Aktenzeichen oder eine Dokument-ID ein.", title="Hinweis")
        principal = self.principal(key, request, "document")
        try:
            return self._document_updates(principal, wanted, turns, "")
        except RatsinfoError as error:
            raise _fail(error) from None

    def open_link(
        self, evt: gr.EventData, key: str | None, turns: list[ChatTurn], request: gr.Request
    ) -> Updates:
        """A click on "Im Dokument ansehen" or a result title: the page only names the document."""
        data = getattr(evt, "_data", None) or {}
        if not isinstance(data, dict) or not data.get("doc"):
            return {self.ui.document_view: gr.skip()}  # another link (a meeting's) was clicked
        principal = self.principal(key, request, "document")
        try:
            return self._document_updates(
                principal, str(data["doc"])[:200], turns, str(data.get("anchor", ""))[:40]
            )
        except RatsinfoError as error:
            raise _fail(error) from None
