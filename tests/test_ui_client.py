"""The UI's named endpoints through gradio_client, and the guards around the mounted UI."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.ui_server import UiServer, running_ui, sample_questions


@pytest.fixture(scope="module")
def ui(sample_services: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    with running_ui(sample_services, tmp_path_factory.mktemp("ui-client-users")) as server:
        yield server


@pytest.fixture
def client(ui: UiServer) -> Iterator[Callable[[], Any]]:
    """gradio_client sessions (each its own Gradio session), closed after the test."""
    from gradio_client import Client

    opened: list[Any] = []

    def connect() -> Any:
        opened.append(Client(ui.ui_url, verbose=False, download_files=False))
        return opened[-1]

    yield connect
    for session in opened:
        session.close()


def test_named_endpoints_are_the_documented_ones(client: Callable[[], Any]) -> None:
    endpoints = client().view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {
        "/sign_in", "/sign_out", "/chat", "/search", "/document", "/meetings", "/save_search", "/follow",
    }  # fmt: skip


def test_chat_endpoint_answers_like_the_answerer_after_sign_in_and_refuses_before(
    ui: UiServer, client: Callable[[], Any]
) -> None:
    from gradio_client.exceptions import AppError

    question = str(next(q for q in sample_questions() if q["id"] == "q001")["question"])
    session = client()
    with pytest.raises(AppError, match="melden Sie sich"):
        session.predict(question, api_name="/chat")
    session.predict("bernd", ui.passwords["bernd"], api_name="/sign_in")
    conversation = session.predict(question, api_name="/chat")[0]
    # The same services answer the UI and the API: the cards show the answerer's citations.
    expected = ui.services.answerer.ask(question, ui.security.users.active_user("bernd").principal())
    assert expected.citations and not expected.abstained
    cards = re.findall(r'<li class="citation" id="cite-0-(\d+)"', conversation)
    assert cards == [str(c.n) for c in sorted(expected.citations, key=lambda c: c.n)]
    assert all(html.escape(c.title) in conversation for c in expected.citations)
    assert len(re.findall(r'<sup class="fn">', conversation)) >= len(expected.citations)
    records = [r for r in ui.security.audit.records() if r.interface == "ui" and r.action == "ask"]
    assert records[-1].user == "bernd" and records[-1].cited
    assert any(r.status == "denied" and r.user == "-" for r in records)  # the refused call is on record


def test_the_session_key_never_leaves_the_server(ui: UiServer, client: Callable[[], Any]) -> None:
    session = client()
    first = len(ui.sent)
    session.predict("anna", ui.passwords["anna"], api_name="/sign_in")
    session.predict("Radweg", [], "", "", "", "", api_name="/search")
    keys = list(ui.app.state.ui_sessions._sessions)
    sent = b"".join(ui.sent[first:])
    assert keys and b"Angemeldet als" in sent  # the sign-in's answer was recorded ...
    assert not any(key.encode() in sent for key in keys)  # ... without the key of any session


def test_search_endpoint_applies_filters_and_groups(ui: UiServer, client: Callable[[], Any]) -> None:
    anna, bernd = client(), client()
    anna.predict("anna", ui.tokens["anna"], api_name="/sign_in")  # name + token works like a password
    bernd.predict("bernd", ui.passwords["bernd"], api_name="/sign_in")
    secret = next(doc for doc in ui.restricted_documents() if doc.reference == "BV/2025/071")
    query = " ".join(secret.title.split()[:6])
    for session, sees in ((anna, True), (bernd, False)):
        summary, results, *_ = session.predict(
            query, ["Beschlussvorlage"], "", "", "", "", api_name="/search"
        )
        shown = re.findall(r'<div class="result-meta">([^<·]+?) · ([^ <]+) ·', results)
        references = {reference for _, reference in shown}
        assert shown and {paper_type for paper_type, _ in shown} == {"Beschlussvorlage"}
        assert (secret.reference in references) is sees
        assert "Dokumente gefunden" in summary or "Dokument gefunden" in summary


def test_document_endpoint_hides_what_the_user_may_not_see(ui: UiServer, client: Callable[[], Any]) -> None:
    secret = next(doc for doc in ui.restricted_documents() if doc.reference == "BV/2025/071")
    bernd, anna = client(), client()
    bernd.predict("bernd", ui.passwords["bernd"], api_name="/sign_in")
    anna.predict("anna", ui.passwords["anna"], api_name="/sign_in")
    for wanted in (secret.doc_id, secret.reference):
        assert "Dokument nicht gefunden" in bernd.predict(wanted, api_name="/document")[0]
        assert secret.title in anna.predict(wanted, api_name="/document")[0]
    anna.predict(api_name="/sign_out")
    with pytest.raises(Exception, match="melden Sie sich"):
        anna.predict(secret.doc_id, api_name="/document")


def test_revoking_a_user_ends_their_ui_session_at_once(ui: UiServer, client: Callable[[], Any]) -> None:
    ui.security.users.add("carla", ["fraktion-gruen"], password="Passwort-carla-42")
    session = client()
    session.predict("carla", "Passwort-carla-42", api_name="/sign_in")
    session.predict("Radweg", [], "", "", "", "", api_name="/search")
    ui.security.users.revoke("carla")
    with pytest.raises(Exception, match="melden Sie sich"):
        session.predict("Radweg", [], "", "", "", "", api_name="/search")
    wrong = client().predict("carla", "Passwort-carla-42", api_name="/sign_in")
    assert "Anmeldung fehlgeschlagen" in str(wrong)


def test_root_redirects_and_the_page_gets_a_locked_down_cookie_and_policy(ui: UiServer) -> None:
    root = httpx.get(ui.base_url + "/", follow_redirects=False)
    assert root.status_code in (302, 307) and root.headers["location"] == "/ui/"
    page = httpx.get(ui.ui_url)
    assert page.status_code == 200
    cookie = page.headers["set-cookie"].lower()
    assert "ratsinfo_ui=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "fonts.googleapis" not in page.text and "cdn." not in page.text


@pytest.mark.parametrize(
    "path",
    [
        "gradio_api/file=https://example.com/x.png",  # the server would fetch this for anyone
        "gradio_api/file=//example.com/x.png",
        "gradio_api/proxy=https://example.hf.space/x",
        "gradio_api/run-history/buckets",
        "gradio_api/upload",
    ],
)
def test_routes_that_would_reach_other_hosts_or_take_uploads_are_refused(ui: UiServer, path: str) -> None:
    assert httpx.get(ui.ui_url + path).status_code == 404


def test_the_data_dir_is_never_served(ui: UiServer) -> None:
    catalog = ui.services.settings.catalog_path
    assert catalog.exists()
    response = httpx.get(f"{ui.ui_url}gradio_api/file={catalog}")
    assert response.status_code in (403, 404)
    assert b"SQLite" not in response.content


def test_a_bare_reference_opens_its_paper_from_search_and_chat_only_for_those_who_may_see_it(
    ui: UiServer, client: Callable[[], Any]
) -> None:
    secret = next(doc for doc in ui.restricted_documents() if doc.reference == "BV/2025/071")
    anna, bernd = client(), client()
    anna.predict("anna", ui.passwords["anna"], api_name="/sign_in")
    bernd.predict("bernd", ui.passwords["bernd"], api_name="/sign_in")
    view = f'<article class="document" data-doc-id="{secret.doc_id}"'
    searched = anna.predict(f"Drucksache {secret.reference}", [], "", "", "", "", api_name="/search")
    assert any(view in str(output) for output in searched)
    asked = anna.predict(secret.reference, api_name="/chat")
    assert any(view in str(output) for output in asked)
    assert f"Drucksache {secret.reference} ist im Reiter „Dokument“ geöffnet" in asked[0]
    for outputs in (
        bernd.predict(f"Drucksache {secret.reference}", [], "", "", "", "", api_name="/search"),
        bernd.predict(secret.reference, api_name="/chat"),
    ):
        shown = " ".join(str(output) for output in outputs)
        assert secret.doc_id not in shown and html.escape(secret.title) not in shown
