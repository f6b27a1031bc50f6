"""The web UI: a gr.Blocks over UiBackend, mounted into the FastAPI app at /ui.

Named API endpoints (for gradio_client and scripts; each acts in the caller's session, so
``sign_in`` comes first): ``/sign_in`` (name, password or token), ``/chat`` (question),
``/search`` (query and filters), ``/document`` (id or reference number), ``/meetings`` (body,
from, to), ``/sign_out``; with alerts: ``/save_search`` (name and the search form), ``/follow``
(id or reference number).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import gradio as gr
from fastapi import FastAPI, Request, Response

from assistant.auth.security import Security
from assistant.offline import disable_phone_home
from assistant.service import AssistantService, ProcessService
from assistant.service.alerts_service import AlertsService
from ui.alerts_backend import AlertsBackend
from ui.alerts_handlers import AlertsHandlers, wire_alerts
from ui.backend import UiBackend
from ui.handlers import Handlers
from ui.layout import Layout, build_layout
from ui.process_handlers import ProcessHandlers
from ui.session import BROWSER_COOKIE
from ui.theme import build_theme, stylesheet

UI_PATH = "/ui"
CONCURRENCY = 8  # questions answered at once; more wait in Gradio's queue
# Gradio routes that would make the server contact other hosts (file=<URL> fetches it, run
# history connects to Hugging Face), accept uploads we never use, or serve developer tools.
_REFUSED = re.compile(
    r"^/(?:gradio_api/)?(?:file=(?!/(?!/))|proxy=|run-history/(?:buckets|connect)|vibe-|upload|"
    r"profiling/|dev/|custom_component/)",
    re.IGNORECASE,
)
# The page may load only what this server sends; a defence in depth for "no outside requests".
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


Listener = Callable[..., Any]  # a component's event method, e.g. ``button.click``


def _listen(
    events: Sequence[Listener],
    fn: Callable[..., Any],
    inputs: list[Any],
    outputs: list[Any],
    api_name: str | None = None,
    after_failure: Callable[..., Any] | None = None,
    after_failure_io: tuple[list[Any], list[Any]] = ([], []),
) -> None:
    """Bind ``fn`` to each event; only the first one is a named API endpoint (if ``api_name``)."""
    for number, event in enumerate(events):
        named = api_name is not None and number == 0
        dependency = event(
            fn,
            inputs,
            outputs,
            api_name=api_name if named else None,
            api_visibility="public" if named else "private",
            show_progress="hidden",
            concurrency_limit=CONCURRENCY,
        )
        if after_failure is not None:
            # Whatever failed: if the session is gone, show the sign-in form again.
            dependency.failure(after_failure, *after_failure_io, api_visibility="private", queue=False)


def _wire(ui: Layout, handlers: Handlers, alerts: AlertsHandlers | None = None) -> None:
    sign_in_outputs = [
        ui.session, ui.sign_in_panel, ui.workspace, ui.who, ui.sign_in_message, ui.secret, ui.turns,
        ui.conversation, ui.paper_types, ui.body, ui.originator, ui.document_view, ui.tabs, ui.wanted,
        ui.pending_doc, ui.meeting_body,
    ]  # fmt: skip
    signed_out = [
        ui.session, ui.sign_in_panel, ui.workspace, ui.sign_in_message, ui.name, ui.secret, ui.who,
        ui.turns, ui.conversation, ui.results, ui.result_query, ui.summary, ui.result_list, ui.export,
        ui.document_view, ui.wanted, ui.meeting_list, ui.meeting_view,
    ]  # fmt: skip
    sign_in_events = [ui.sign_in_button.click, ui.secret.submit]
    _listen(
        sign_in_events, handlers.sign_in, [ui.name, ui.secret, ui.pending_doc], sign_in_outputs, "sign_in"
    )
    _listen([ui.sign_out_button.click], handlers.sign_out, [ui.session], signed_out, "sign_out")

    def guarded(
        events: Sequence[Listener],
        fn: Callable[..., Any],
        inputs: list[Any],
        outputs: list[Any],
        api_name: str | None = None,
    ) -> None:
        _listen(events, fn, inputs, outputs, api_name, handlers.check_session, ([ui.session], signed_out))

    document_outputs = [ui.document_view, ui.tabs, ui.wanted]
    # A question or query that is only a reference number opens its paper (the document view).
    chat_outputs = [ui.conversation, ui.question, ui.turns, *document_outputs]
    guarded(
        [ui.ask_button.click, ui.question.submit],
        handlers.chat,
        [ui.question, ui.session, ui.turns],
        chat_outputs,
        "chat",
    )
    guarded([ui.conversation.submit], handlers.ask_example, [ui.session, ui.turns], chat_outputs)
    guarded(
        [ui.new_chat_button.click], handlers.new_chat, [ui.session], [ui.turns, ui.conversation, ui.question]
    )

    search_inputs = [
        ui.query, ui.paper_types, ui.date_from, ui.date_to, ui.body, ui.originator, ui.session, ui.turns,
    ]  # fmt: skip
    page_outputs = [ui.summary, ui.result_list, ui.page, ui.previous_button, ui.next_button]
    search_outputs = [*page_outputs, ui.results, ui.result_query, ui.export, *document_outputs]
    guarded(
        [ui.search_button.click, ui.query.submit], handlers.search, search_inputs, search_outputs, "search"
    )
    paging = [ui.results, ui.result_query, ui.page]
    _listen([ui.previous_button.click], handlers.previous_page, paging, page_outputs)
    _listen([ui.next_button.click], handlers.next_page, paging, page_outputs)

    document_inputs = [ui.wanted, ui.session, ui.turns]
    guarded(
        [ui.open_button.click, ui.wanted.submit],
        handlers.open_document,
        document_inputs,
        document_outputs,
        "document",
    )
    views = (ui.conversation, ui.result_list, ui.document_view, ui.meeting_list, ui.meeting_view)
    link_events = [view.click for view in views]
    guarded(link_events, handlers.open_link, [ui.session, ui.turns], document_outputs)
    if alerts is not None:
        wire_alerts(ui, alerts, guarded, handlers.open_link)

    # The council process: meetings of a body, a meeting's agenda (from any meeting link).
    process = ProcessHandlers(handlers.backend, ui, handlers.principal)
    guarded(
        [ui.meetings_button.click],
        process.list_meetings,
        [ui.meeting_body, ui.meeting_from, ui.meeting_to, ui.session],
        [ui.meeting_list],
        "meetings",
    )
    guarded(
        [view.click for view in views], process.open_meeting_link, [ui.session], [ui.meeting_view, ui.tabs]
    )


def build_blocks(backend: UiBackend, alerts: AlertsBackend | None = None) -> gr.Blocks:
    """The whole UI; every action goes through ``backend`` (and ``alerts`` for alerts)."""
    with gr.Blocks(title="Ratsinfo-Assistent", delete_cache=(3600, 3600), analytics_enabled=False) as blocks:
        ui = build_layout(backend.banner(), backend.sign_out)
        handlers = Handlers(backend, ui)
        _wire(ui, handlers, AlertsHandlers(backend, alerts, ui) if alerts is not None else None)
        blocks.load(handlers.on_load, None, [ui.pending_doc, ui.wanted], api_visibility="private")
    blocks.queue(default_concurrency_limit=CONCURRENCY)
    return blocks


def _install_guards(app: FastAPI) -> None:
    @app.middleware("http")
    async def ui_guards(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if not (path == UI_PATH or path.startswith(UI_PATH + "/")):
            return await call_next(request)
        if _REFUSED.match(path[len(UI_PATH) :]):
            return Response(status_code=404)
        response = await call_next(request)
        if request.method == "GET" and path.rstrip("/") == UI_PATH:
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
            if BROWSER_COOKIE not in request.cookies:
                response.set_cookie(
                    BROWSER_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="strict", path=UI_PATH
                )
        return response


def mount_ui(
    app: FastAPI,
    service: AssistantService,
    security: Security,
    process: ProcessService | None = None,
    alerts: AlertsService | None = None,
) -> gr.Blocks:
    """Serve the UI at /ui of ``app`` (same services, users and audit log as the API)."""
    disable_phone_home()
    backend = UiBackend(service, security, process=process)
    app.state.ui_sessions = backend.sessions  # for operators and tests: who is signed in
    blocks = build_blocks(backend, AlertsBackend(alerts, security.audit) if alerts is not None else None)
    _install_guards(app)
    gr.mount_gradio_app(
        app,
        blocks,
        path=UI_PATH,
        theme=build_theme(),
        css=stylesheet(),
        footer_links=[],
        run_history=False,  # answers must not be kept in the browser's storage
        show_error=False,
        max_file_size="1kb",
        mcp_server=False,
        pwa=False,
        ssr_mode=False,
        blocked_paths=[str(service.data_dir)],
    )
    return blocks
