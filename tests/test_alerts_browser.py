"""Alerts in a real browser (Debian's Chromium driven by Playwright) against the real app: save
a search, follow a paper, and see "Neu für Sie" after an ingest run brought news for both."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.services import Services
from tests.test_ui_browser import CHROMIUM, browser, field, open_page, search, sign_in
from tests.ui_server import UiServer, running_ui

__all__ = ["browser", "open_page"]  # the fixtures, shared with test_ui_browser.py
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install -y chromium)"
    ),
]
RADWEG = "a-2025-014-radweg-weserpromenade.txt"
AMENDMENT = "a-2025-019-aenderungsantrag-radweg-weserpromenade.txt"
NEW_STEP = "Stadtrat                               29.04.2025   öffentlich   Entscheidung\n"


@pytest.fixture
def ui(make_services: Callable[..., Services], sample_corpus: Path, tmp_path: Path) -> Iterator[UiServer]:
    services = make_services()
    folder = tmp_path / "docs"
    shutil.copytree(sample_corpus / "public", folder, ignore=shutil.ignore_patterns(AMENDMENT))
    text = (sample_corpus / "public" / RADWEG).read_text(encoding="utf-8")
    (folder / RADWEG).write_text(text.replace(NEW_STEP, ""), encoding="utf-8")  # not yet for the Stadtrat
    services.ingestor.ingest([str(folder)])
    with running_ui(services, services.settings.data_dir) as server:  # one users file for UI and alerts
        server.folder = folder  # type: ignore[attr-defined]
        server.full_text = text  # type: ignore[attr-defined]
        yield server


def _run(ui: UiServer, corpus: Path) -> None:
    """An ingest run that brings news: the amendment, and the Stadtrat's consultation of the paper."""
    folder: Path = ui.folder  # type: ignore[attr-defined]
    shutil.copy(corpus / "public" / AMENDMENT, folder / AMENDMENT)
    (folder / RADWEG).write_text(ui.full_text, encoding="utf-8")  # type: ignore[attr-defined]
    services = ui.services
    with services.store.writing("ingest"):
        report = services.ingestor.ingest([str(folder)])
        matched = services.alerts.after_run(report.changes)
    assert matched.alerts == 3 and matched.users == 1, matched  # search: 019 new, 014 changed; follow: 014


def test_member_saves_a_search_follows_a_paper_and_sees_the_news_after_a_run(
    ui: UiServer, open_page: Any, sample_corpus: Path
) -> None:
    recorded = open_page()
    page = recorded.page
    sign_in(page, ui.ui_url, "anna", ui.passwords["anna"])

    search(page, "Radweg Weserpromenade")
    field(page, "save-search-name").fill("Radweg")
    page.locator("#save-search").click()
    page.locator("#save-search-message").get_by_text("Suche „Radweg“ gespeichert").wait_for()

    page.locator("#results a[data-doc]").first.click()
    page.locator("#document-view article.document").wait_for()
    page.locator("#follow-paper").click()
    page.locator("#follow-message").get_by_text("Sie folgen A/2025/014").wait_for()
    recorded.shot("alerts-01-follow", full_page=False)

    page.get_by_role("tab", name="Neu für Sie").click()
    page.locator("#alerts-list").get_by_text("nichts Neues").wait_for()

    _run(ui, sample_corpus)
    page.locator("#alerts-refresh").click()
    items = page.locator("#alerts-list .alert-item")
    items.first.wait_for()
    assert items.count() == 3
    listing = page.locator("#alerts-list").inner_text()
    assert "Suche „Radweg“" in listing and "A/2025/019" in listing
    assert "Vorgang, dem Sie folgen" in listing and "Beratung im Stadtrat am 29.04.2025" in listing
    recorded.shot("alerts-02-new")

    page.locator("#alerts-list a[data-doc]", has_text="Radverkehr an der Weserpromenade").click()
    page.locator("#document-view article.document").get_by_text("Änderungsantrag").first.wait_for()

    records = ui.security.audit.records(user="anna")
    shown = [r for r in records if r.action == "alerts-new" and r.interface == "ui"]
    documents = ui.services.store.documents()
    assert {documents[d].reference for d in shown[-1].returned} == {"A/2025/014", "A/2025/019"}
    actions = {r.action for r in records}
    assert {"alerts-add", "alerts-follow"} <= actions

    # The next visit starts after what this one has seen.
    second = open_page()
    sign_in(second.page, ui.ui_url, "anna", ui.passwords["anna"])
    second.page.get_by_role("tab", name="Neu für Sie").click()
    second.page.locator("#alerts-list").get_by_text("nichts Neues").wait_for()
