"""The UI's components, laid out once; handlers refer to them through :class:`Layout`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.service import MAX_QUERY_CHARS
from ui.alerts_layout import AlertsLayout, alerts_tab, follow_controls, save_search_controls
from ui.render_document import EMPTY
from ui.render_process import MEETING_HINT
from ui.session import MAX_SECRET_CHARS
from ui.theme import document_script, link_script

HEADER = (
    "<h1>Ratsinfo-Assistent</h1>"
    "<p>Fragen und Suche in Anträgen, Anfragen, Vorlagen und Niederschriften – mit Quellenangabe "
    "zu jeder Aussage.</p>"
)
SIGN_IN_HELP = (
    "### Anmelden\n"
    "Melden Sie sich mit Ihrem Benutzernamen und Passwort an. Sie können statt des Passworts auch "
    "Ihr persönliches Token eingeben; mit Token darf der Benutzername leer bleiben."
)
ALL = ""  # the dropdown value meaning "no filter"


@dataclass(frozen=True, slots=True)
class Layout:
    # server-side state of one browser session
    session: gr.State
    turns: gr.State
    results: gr.State
    result_query: gr.State
    page: gr.State
    pending_doc: gr.State
    # sign-in
    sign_in_panel: gr.Column
    name: gr.Textbox
    secret: gr.Textbox
    sign_in_button: gr.Button
    sign_in_message: gr.HTML
    # workspace
    workspace: gr.Column
    who: gr.HTML
    sign_out_button: gr.Button
    tabs: gr.Tabs
    conversation: gr.HTML
    question: gr.Textbox
    ask_button: gr.Button
    new_chat_button: gr.Button
    query: gr.Textbox
    search_button: gr.Button
    paper_types: gr.Dropdown
    body: gr.Dropdown
    originator: gr.Dropdown
    date_from: gr.Textbox
    date_to: gr.Textbox
    summary: gr.HTML
    result_list: gr.HTML
    previous_button: gr.Button
    next_button: gr.Button
    export: gr.DownloadButton
    wanted: gr.Textbox
    open_button: gr.Button
    document_view: gr.HTML
    alerts: AlertsLayout  # "Suche speichern", "Vorgang folgen", "Neu für Sie" (ui/alerts_layout.py)
    # meetings and agendas (the council process)
    meeting_body: gr.Dropdown
    meeting_from: gr.Textbox
    meeting_to: gr.Textbox
    meetings_button: gr.Button
    meeting_list: gr.HTML
    meeting_view: gr.HTML


def _filters() -> tuple[gr.Dropdown, gr.Dropdown, gr.Dropdown, gr.Textbox, gr.Textbox]:
    with gr.Accordion("Filter", open=True):
        with gr.Row():
            paper_types = gr.Dropdown(
                label="Vorlagenart", choices=[], value=[], multiselect=True, elem_id="filter-type"
            )
            body = gr.Dropdown(
                label="Gremium (Beratungsfolge)",
                choices=[("Alle Gremien", ALL)],
                value=ALL,
                elem_id="filter-body",
            )
            originator = gr.Dropdown(
                label="Einreicher", choices=[("Alle", ALL)], value=ALL, elem_id="filter-originator"
            )
        with gr.Row():
            date_from = gr.Textbox(
                label="Datum von", placeholder="TT.MM.JJJJ oder JJJJ", elem_id="filter-from"
            )
            date_to = gr.Textbox(label="Datum bis", placeholder="TT.MM.JJJJ oder JJJJ", elem_id="filter-to")
    return paper_types, body, originator, date_from, date_to


def build_layout(banner: str, sign_out: Callable[[Any], None]) -> Layout:
    """Create the components inside the current gr.Blocks.

    ``sign_out`` gets the session key when Gradio drops a browser session's state.
    """
    session = gr.State(None, delete_callback=sign_out)
    turns, results, result_query, page, pending_doc = (
        gr.State([]),
        gr.State([]),
        gr.State(""),
        gr.State(0),
        gr.State(""),
    )
    gr.HTML(HEADER, elem_id="app-header")
    gr.HTML(banner, elem_id="mode-banner", visible=bool(banner))

    with gr.Column(elem_id="sign-in-form") as sign_in_panel:
        gr.Markdown(SIGN_IN_HELP)
        name = gr.Textbox(label="Benutzername", max_length=64, autofocus=True, elem_id="sign-in-name")
        secret = gr.Textbox(
            label="Passwort oder Token",
            type="password",
            max_length=MAX_SECRET_CHARS,
            elem_id="sign-in-secret",
        )
        sign_in_button = gr.Button("Anmelden", variant="primary", elem_id="sign-in-button")
        sign_in_message = gr.HTML("", elem_id="sign-in-message", elem_classes="sign-in-message")

    with gr.Column(visible=False, elem_id="workspace") as workspace:
        with gr.Row():
            who = gr.HTML("", elem_id="who", elem_classes="who")
            sign_out_button = gr.Button(
                "Abmelden", size="sm", scale=0, min_width=120, elem_id="sign-out-button"
            )
        with gr.Tabs(selected="chat", elem_id="tabs") as tabs:
            with gr.Tab("Fragen", id="chat", elem_id="tab-chat"):
                conversation = gr.HTML("", elem_id="conversation", js_on_load=link_script("conversation"))
                question = gr.Textbox(
                    label="Ihre Frage",
                    placeholder="Frage eingeben und mit Enter absenden",
                    max_length=MAX_QUERY_CHARS,
                    elem_id="question",
                )
                with gr.Row():
                    ask_button = gr.Button("Fragen", variant="primary", elem_id="ask-button")
                    new_chat_button = gr.Button("Neues Gespräch", elem_id="new-chat-button")
            with gr.Tab("Suchen", id="search", elem_id="tab-search"):
                with gr.Row(equal_height=True):
                    query = gr.Textbox(
                        label="Suchbegriffe", max_length=MAX_QUERY_CHARS, scale=4, elem_id="search-query"
                    )
                    search_button = gr.Button("Suchen", variant="primary", scale=1, elem_id="search-button")
                paper_types, body, originator, date_from, date_to = _filters()
                summary = gr.HTML("", elem_id="result-count")
                result_list = gr.HTML("", elem_id="results", js_on_load=link_script("results"))
                with gr.Row():
                    previous_button = gr.Button("← Zurück", interactive=False, elem_id="previous-page")
                    next_button = gr.Button("Weiter →", interactive=False, elem_id="next-page")
                    export = gr.DownloadButton("Trefferliste als CSV", visible=False, elem_id="export-csv")
                saving = save_search_controls()
            with gr.Tab("Dokument", id="document", elem_id="tab-document"):
                with gr.Row(equal_height=True):
                    wanted = gr.Textbox(label="Aktenzeichen oder Dokument-ID", scale=4, elem_id="document-id")
                    open_button = gr.Button("Öffnen", scale=1, elem_id="open-document")
                following = follow_controls()
                document_view = gr.HTML(
                    EMPTY, elem_id="document-view", js_on_load=document_script("document-view")
                )
            with gr.Tab("Sitzungen", id="meetings", elem_id="tab-meetings"):
                with gr.Row():
                    meeting_body = gr.Dropdown(
                        label="Gremium", choices=[("Alle Gremien", ALL)], value=ALL, elem_id="meeting-body"
                    )
                    meeting_from = gr.Textbox(label="Von", placeholder="TT.MM.JJJJ", elem_id="meeting-from")
                    meeting_to = gr.Textbox(label="Bis", placeholder="TT.MM.JJJJ", elem_id="meeting-to")
                meetings_button = gr.Button(
                    "Sitzungen anzeigen", variant="primary", elem_id="meetings-button"
                )
                meeting_list = gr.HTML(
                    MEETING_HINT, elem_id="meeting-list", js_on_load=link_script("meeting-list")
                )
                meeting_view = gr.HTML("", elem_id="meeting-view", js_on_load=link_script("meeting-view"))
            news = alerts_tab()

    return Layout(
        session=session,
        turns=turns,
        results=results,
        result_query=result_query,
        page=page,
        pending_doc=pending_doc,
        sign_in_panel=sign_in_panel,
        name=name,
        secret=secret,
        sign_in_button=sign_in_button,
        sign_in_message=sign_in_message,
        workspace=workspace,
        who=who,
        sign_out_button=sign_out_button,
        tabs=tabs,
        conversation=conversation,
        question=question,
        ask_button=ask_button,
        new_chat_button=new_chat_button,
        query=query,
        search_button=search_button,
        paper_types=paper_types,
        body=body,
        originator=originator,
        date_from=date_from,
        date_to=date_to,
        summary=summary,
        result_list=result_list,
        previous_button=previous_button,
        next_button=next_button,
        export=export,
        wanted=wanted,
        open_button=open_button,
        document_view=document_view,
        alerts=AlertsLayout(saving, following, news),
        meeting_body=meeting_body,
        meeting_from=meeting_from,
        meeting_to=meeting_to,
        meetings_button=meetings_button,
        meeting_list=meeting_list,
        meeting_view=meeting_view,
    )
