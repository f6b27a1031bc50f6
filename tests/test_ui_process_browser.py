# ruff: noqa: F811 - the browser fixtures come from test_ui_browser.py
"""The council process in the web UI, in a real browser (Debian's Chromium driven by Playwright).

Over the session's whole Karlsruhe crawl: the "Verlauf" in the document view, the "Sitzungen"
tab with a meeting's agenda, and a process question in the chat with its record citations.
Over a small crawl in which one agenda item (with a result) is non-public and mapped to anna's
group: bernd sees it in none of these views, anna in all of them. Every request of the page
must go to 127.0.0.1 (the ``open_page`` fixture checks).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.access import Principal
from assistant.config import Settings
from assistant.indexing.oparl_sync import OParlSync
from assistant.service import Caller
from assistant.services import build_services
from ingest.sources.oparl.mapping import oparl_doc_id
from tests.conftest import SHARED, shared_path
from tests.karlsruhe_crawl import Crawled
from tests.oparl_server import Json, OParlTestServer, hide_a_meeting_and_an_item, karlsruhe

# The browser fixtures and helpers of the UI's other browser tests.
from tests.test_ui_browser import CHROMIUM, ask, browser, field, open_page, sign_in  # noqa: F401
from tests.ui_server import UiServer, running_ui

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: apt-get install -y chromium"
    ),
]


@pytest.fixture(scope="module")
def ui(karlsruhe_crawl: Crawled, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    with running_ui(karlsruhe_crawl.services, tmp_path_factory.mktemp("ui-process-users")) as server:
        yield server


def principal_of(ui: UiServer, name: str) -> Principal:
    user = ui.security.users.get(name)
    assert user is not None
    return user.principal()


def open_meetings(page: Any, body: str, day: str) -> None:
    page.get_by_role("tab", name="Sitzungen").click()
    field(page, "meeting-body").click()
    page.get_by_role("option", name=body, exact=True).click()
    field(page, "meeting-from").fill(day)
    field(page, "meeting-to").fill(day)
    page.locator("#meetings-button").click()
    page.locator("#meeting-list .meeting").first.wait_for()


def test_the_document_view_shows_the_verlauf_with_results_minutes_and_linked_papers(
    ui: UiServer, open_page: Any
) -> None:
    history = ui.services.process.history(Caller(principal_of(ui, "anna"), "cli"), "2024/0884/1")
    recorded = open_page()
    page = recorded.page
    sign_in(page, f"{ui.ui_url}?doc={history.doc_id}", "anna", ui.passwords["anna"])
    timeline = page.locator("#document-view .timeline")
    timeline.wait_for()
    assert "Stand: erledigt am 25.07.2025 im Kulturausschuss" in timeline.locator(".state").inner_text()
    steps = timeline.locator(".step")
    assert steps.count() == len(history.steps) == 3
    for number, step in enumerate(history.steps):
        text = steps.nth(number).inner_text()
        assert f"{step.date:%d.%m.%Y}" in text and step.body in text and f"„{step.result}“" in text
        assert f"TOP {step.agenda_item}" in text and step.outcome in text  # the badge
    assert "2024/0884/2" in timeline.locator(".linked").inner_text()
    assert page.locator("#document-view .consultations").count() == 0  # the timeline replaces the table
    recorded.shot("11-verlauf", full_page=False)

    minutes = next(step.minutes for step in history.steps if step.minutes is not None)
    timeline.get_by_role("link", name="Niederschrift zu diesem Punkt").first.click()
    page.locator(f'#document-view article[data-doc-id="{minutes.doc_id}"]').wait_for()
    assert page.locator(f"#p{minutes.page}-{minutes.start}").count() == 1  # scrolled to the passage


def test_the_meetings_tab_opens_an_agenda_with_papers_results_and_links(ui: UiServer, open_page: Any) -> None:
    recorded = open_page()
    page = recorded.page
    sign_in(page, ui.ui_url, "anna", ui.passwords["anna"])
    open_meetings(page, "Gemeinderat", "25.11.2025")
    meetings = page.locator("#meeting-list .meeting")
    assert meetings.count() == 1 and "Gemeinderat am 25.11.2025" in meetings.inner_text()
    meetings.locator("a[data-meeting]").click()
    agenda = page.locator("#meeting-view .agenda")
    agenda.wait_for()
    key = page.locator("#meeting-view article").get_attribute("data-meeting-id")
    expected = ui.services.process.meeting(Caller(principal_of(ui, "anna"), "cli"), str(key)).agenda
    assert agenda.locator("tbody tr").count() == len(expected)
    row = agenda.locator("tr", has_text="Konzept zur Bespielung der Seebühne")
    assert "einstimmig beschlossen" in row.inner_text() and "Beschlussvorlage 2024/0884/3" in row.inner_text()
    recorded.shot("12-agenda", full_page=False)
    row.get_by_role("link", name="Beschlussvorlage 2024/0884/3").click()
    page.locator("#document-view .timeline").wait_for()
    assert "beschlossen am 25.11.2025 im Gemeinderat" in page.locator("#document-view .state").inner_text()
    actions = {r.action for r in ui.security.audit.records(user="anna") if r.interface == "ui"}
    assert {"meetings", "meeting", "document", "history", "related"} <= actions


def test_a_process_question_in_the_chat_shows_its_records_and_opens_the_agenda(
    ui: UiServer, open_page: Any
) -> None:
    recorded = open_page()
    page = recorded.page
    sign_in(page, ui.ui_url, "anna", ui.passwords["anna"])
    turn = ask(page, "Was wurde aus dem Antrag zur Seebühne?", 0)
    assert "erledigt am 25.07.2025 im Kulturausschuss" in turn.locator(".answer").inner_text()
    records = turn.locator(".citation.record")
    assert records.count() >= 4 and "Sitzungsdaten: Beratung" in records.nth(1).inner_text()
    assert turn.locator(".citation:not(.record)").count() >= 1  # the minutes, a passage
    recorded.shot("13-process-chat", full_page=False)
    card = records.filter(has_text="Sitzungsdaten: Beratung").filter(has_text="29.04.2025").first
    card.get_by_role("link", name="Tagesordnung ansehen").click()
    page.locator("#meeting-view .agenda").wait_for()
    assert "Gemeinderat am 29.04.2025" in page.locator("#meeting-view h2").inner_text()
    assert "Seebühne stärker nutzen" in page.locator("#meeting-view .agenda").inner_text()


# -- a non-public result -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UiServer, Json, Json, str]]:
    """A small crawl whose one non-public agenda item maps to anna's group (fraktion-gruen)."""
    shared_path("data", "oparl-karlsruhe")
    data = karlsruhe(SHARED, limit=50, pdf_every=1000)
    _, meeting, _, paper = hide_a_meeting_and_an_item(data)
    server = OParlTestServer(copy.deepcopy(data))
    with server.running():
        body = server.local(meeting["organization"][0])
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("ui-secret"),
            oparl_rate_per_second=2000,
            body_groups={body: ["fraktion-gruen"]},
        )
        services = build_services(settings)
        with OParlSync(services.ingestor, services.store, settings) as sync:
            sync.ingest([server.system_url])
        with running_ui(services, tmp_path_factory.mktemp("ui-secret-users")) as ui_server:
            yield ui_server, meeting, paper, oparl_doc_id(server.local(paper["id"]))
    services.close()


def test_a_non_public_result_reaches_only_the_mapped_group_in_every_view(
    secret: tuple[UiServer, Json, Json, str], open_page: Any
) -> None:
    ui, meeting, paper, doc_id = secret
    day = meeting["start"][:10]
    dotted = f"{day[8:10]}.{day[5:7]}.{day[:4]}"
    for user, sees in (("bernd", False), ("anna", True)):
        page = open_page().page
        sign_in(page, f"{ui.ui_url}?doc={doc_id}", user, ui.passwords[user])
        page.locator("#document-view article.document").wait_for()
        assert ("Seerosenteich" in page.locator("#document-view").inner_text()) is sees, user
        open_meetings(page, _body_of(ui, meeting), dotted)
        page.locator("#meeting-list a[data-meeting]").first.click()
        page.locator("#meeting-view article").wait_for()
        assert ("Seerosenteich" in page.locator("#meeting-view").inner_text()) is sees, user
        page.get_by_role("tab", name="Fragen").click()
        answer = ask(page, f"Was wurde aus {paper['reference']}?", 0)
        assert ("Seerosenteich" in answer.inner_text()) is sees, user
        assert re.search(r"Sitzungsdaten", answer.inner_text())
        assert ("Seerosenteich" in page.content()) is sees, user


def _body_of(ui: UiServer, meeting: Json) -> str:
    meetings = ui.services.process.meetings_of(principal_of(ui, "anna")).meetings
    day = meeting["start"][:10]
    return next(m.bodies[0] for m in meetings if m.start[:10] == day and m.bodies)
