"""The UI's components for alerts: "Suche speichern" in the search tab, "Vorgang folgen" in the
document view, and the tab "Neu für Sie" with the user's subscriptions, e-mail and feed."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ui.render_alerts import NOTHING_NEW
from ui.theme import link_script


@dataclass(frozen=True, slots=True)
class SaveSearchControls:
    name: gr.Textbox
    button: gr.Button
    message: gr.HTML


@dataclass(frozen=True, slots=True)
class FollowControls:
    button: gr.Button
    message: gr.HTML


@dataclass(frozen=True, slots=True)
class AlertsTab:
    since: gr.State  # the last alert seen before this visit began
    tab: gr.Tab
    alerts: gr.HTML
    refresh_button: gr.Button
    subscriptions: gr.HTML
    remove_name: gr.Textbox
    remove_button: gr.Button
    unfollow_button: gr.Button
    mail_address: gr.Textbox
    mail_digest: gr.Radio
    mail_button: gr.Button
    feed_button: gr.Button
    message: gr.HTML


@dataclass(frozen=True, slots=True)
class AlertsLayout:
    save: SaveSearchControls
    follow: FollowControls
    tab: AlertsTab


def save_search_controls() -> SaveSearchControls:
    """Inside the search tab: save the query and filters as they stand."""
    with gr.Row(equal_height=True):
        name = gr.Textbox(
            label="Name der Suche",
            placeholder="z. B. Radverkehr",
            max_length=100,
            scale=3,
            elem_id="save-search-name",
        )
        button = gr.Button("Suche speichern", scale=1, elem_id="save-search")
    message = gr.HTML("", elem_id="save-search-message")
    return SaveSearchControls(name, button, message)


def follow_controls() -> FollowControls:
    """Inside the document tab: follow the paper shown."""
    with gr.Row():
        button = gr.Button("Vorgang folgen", size="sm", scale=0, min_width=160, elem_id="follow-paper")
        message = gr.HTML("", elem_id="follow-message")
    return FollowControls(button, message)


def alerts_tab() -> AlertsTab:
    """The tab "Neu für Sie" (call inside ``gr.Tabs``)."""
    with gr.Tab("Neu für Sie", id="alerts", elem_id="tab-alerts") as tab:
        since = gr.State(None)  # inside the tab: a bare child of gr.Tabs would become a tab itself
        refresh_button = gr.Button(
            "Aktualisieren", size="sm", scale=0, min_width=140, elem_id="alerts-refresh"
        )
        alerts = gr.HTML(NOTHING_NEW, elem_id="alerts-list", js_on_load=link_script("alerts-list"))
        with gr.Accordion("Ihre Benachrichtigungen", open=False, elem_id="alerts-settings"):
            subscriptions = gr.HTML(
                "", elem_id="alerts-subscriptions", js_on_load=link_script("alerts-subscriptions")
            )
            with gr.Row(equal_height=True):
                remove_name = gr.Textbox(
                    label="Suche (Name) oder Vorgang (Aktenzeichen)",
                    max_length=200,
                    scale=3,
                    elem_id="alerts-remove-name",
                )
                remove_button = gr.Button("Suche entfernen", scale=1, elem_id="alerts-remove")
                unfollow_button = gr.Button("Nicht mehr folgen", scale=1, elem_id="alerts-unfollow")
            with gr.Row(equal_height=True):
                mail_address = gr.Textbox(
                    label="E-Mail-Adresse", max_length=254, scale=3, elem_id="alerts-mail"
                )
                mail_digest = gr.Radio(
                    [("sofort", "immediate"), ("täglich", "daily"), ("keine E-Mails", "off")],
                    value="off",
                    label="E-Mails",
                    scale=2,
                    elem_id="alerts-digest",
                )
                mail_button = gr.Button("Speichern", scale=1, elem_id="alerts-mail-save")
            feed_button = gr.Button("Neue Feed-Adresse erzeugen", size="sm", elem_id="alerts-feed")
            message = gr.HTML("", elem_id="alerts-message")
    return AlertsTab(
        since,
        tab,
        alerts,
        refresh_button,
        subscriptions,
        remove_name,
        remove_button,
        unfollow_button,
        mail_address,
        mail_digest,
        mail_button,
        feed_button,
        message,
    )
