"""The web UI in a real browser (Debian's Chromium driven by Playwright) against the real app.

Every test records each request the page makes and asserts that all of them go to 127.0.0.1.
Screenshots land in the test's tmp folder and, for a look by eye, in /tmp/ui-shots/.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.ui_server import UiServer, running_ui, sample_questions

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/ui-shots")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is absent: install it with `apt-get install -y chromium` (as .ci/run does)",
    ),
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def ui(sample_services: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    with running_ui(sample_services, tmp_path_factory.mktemp("ui-users")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


class Recorded:
    """A page and every URL it requested."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page = page
        self.urls: list[str] = []
        self.shots = shots
        page.on("request", lambda request: self.urls.append(request.url))

    def shot(self, name: str, full_page: bool = True) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / path.name)
        return path

    def outside_requests(self) -> list[str]:
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
        ]


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """Open pages in fresh browser contexts (no shared cookies); all their requests must stay local."""
    recorded: list[Recorded] = []

    def opener(width: int = 1280, height: int = 900) -> Recorded:
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
        context.set_default_timeout(TIMEOUT_MS)
        page = Recorded(context.new_page(), tmp_path)
        recorded.append(page)
        return page

    yield opener
    for page in recorded:
        page.page.context.close()
    outside = [url for page in recorded for url in page.outside_requests()]
    assert not outside, f"the page contacted other hosts: {outside}"
    assert all(page.urls for page in recorded)


def audited(ui: UiServer, user: str, action: str) -> list[Any]:
    return [r for r in ui.security.audit.records(user=user) if r.action == action and r.interface == "ui"]


def wait_until(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the server"
        time.sleep(0.05)


def field(page: Any, elem_id: str) -> Any:
    return page.locator(f"#{elem_id} input, #{elem_id} textarea").first


def sign_in(page: Any, url: str, name: str, secret: str) -> None:
    page.goto(url)
    field(page, "sign-in-name").fill(name)
    field(page, "sign-in-secret").fill(secret)
    page.locator("#sign-in-button").click()
    page.locator("#who").get_by_text(f"Angemeldet als {name}" if name else "Angemeldet als").wait_for()


def ask(page: Any, question: str, turn: int) -> Any:
    box = field(page, "question")
    box.fill(question)
    box.press("Enter")
    article = page.locator(f"#conversation #turn-{turn}")
    article.locator(".answer:not(.pending)").wait_for()
    page.wait_for_function(
        f"() => !document.querySelector('#conversation #turn-{turn} .typing')", timeout=TIMEOUT_MS
    )
    return article


def search(page: Any, query: str) -> None:
    page.get_by_role("tab", name="Suchen").click()
    field(page, "search-query").fill(query)
    page.locator("#search-button").click()
    page.locator("#result-count .result-count").wait_for()


def test_member_asks_a_sample_question_and_follows_a_footnote_to_the_passage(
    ui: UiServer, open_page: Any
) -> None:
    item = next(q for q in sample_questions() if q["answerable"] and q["id"] == "q001")
    recorded = open_page()
    page = recorded.page
    sign_in(page, ui.ui_url, "anna", ui.passwords["anna"])
    assert page.locator("#conversation .example").count() >= 1  # example questions on the start screen
    recorded.shot("01-start")

    turn = ask(page, str(item["question"]), 0)
    answer = turn.locator(".answer").inner_text()
    assert "Keine belegte Antwort" not in answer and len(answer) > 40
    cards = turn.locator(".citation")
    assert cards.count() >= 1
    assert any(ref in turn.locator(".citations").inner_text() for ref in item["relevant"])  # type: ignore[attr-defined]

    footnote = turn.locator("sup.fn a").first
    target_id = footnote.get_attribute("href").removeprefix("#")
    footnote.click()
    card = page.locator(f"#{target_id}")
    page.wait_for_function(
        f"() => document.getElementById('{target_id}').classList.contains('active-citation')"
    )
    box = card.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the cited card is scrolled into view"
    quoted = card.locator("mark.quote").first.inner_text().strip()
    # The highlighted passage is the very sentence the answer quotes.
    assert quoted and " ".join(quoted.split())[:60] in " ".join(answer.split())
    recorded.shot("02-footnote", full_page=False)

    # A follow-up question is answered within the conversation (the first turn stays).
    follow_up = ask(page, "Und was würde das kosten?", 1)
    assert page.locator("#conversation .turn").count() == 2
    assert any(ref in follow_up.inner_text() for ref in item["relevant"])  # type: ignore[attr-defined]

    # The card's link opens the document view with the cited passage marked.
    card.locator("a[data-doc]").click()
    view = page.locator("#document-view article.document")
    view.wait_for()
    assert view.locator("mark.cited, mark.quote").count() >= 1
    assert "Beratungsfolge" in view.inner_text()
    recorded.shot("03-document", full_page=False)

    actions = [(r.action, r.interface) for r in ui.security.audit.records(user="anna")]
    assert ("sign-in", "ui") in actions and ("ask", "ui") in actions and ("document", "ui") in actions
    follow = [r for r in ui.security.audit.records(user="anna") if r.action == "ask"][-1]
    assert follow.query == "Und was würde das kosten?" and "Folgefrage" in follow.detail


def test_search_with_a_type_filter_shows_only_that_type_pages_and_exports_csv(
    ui: UiServer, open_page: Any
) -> None:
    recorded = open_page()
    page = recorded.page
    sign_in(page, ui.ui_url, "", ui.tokens["bernd"])  # a token alone signs in, too
    page.get_by_role("tab", name="Suchen").click()
    field(page, "filter-type").click()
    page.get_by_role("option", name=re.compile(r"^Antrag \(\d+\)$")).click()
    page.keyboard.press("Escape")
    search(page, "Radweg Weserpromenade")
    summary = page.locator("#result-count").inner_text()
    total = int(re.search(r"(\d+) Dokumente? gefunden", summary).group(1))  # type: ignore[union-attr]
    metas = page.locator("#results .result-meta").all_inner_texts()
    assert metas and all(meta.startswith("Antrag ·") for meta in metas), metas
    expected = {d.doc_id for d in ui.services.store.documents().values() if d.paper_type == "Antrag"}
    shown = set(page.locator("#results a[data-doc]").evaluate_all("els => els.map(e => e.dataset.doc)"))
    assert shown <= expected
    assert page.locator("#results mark.term").count() >= 1
    recorded.shot("04-search")

    if total > 10:
        page.locator("#next-page").click()
        page.wait_for_function("() => document.querySelector('#result-count').innerText.includes('Seite 2')")
        assert page.locator("#results .result").count() == min(10, total - 10)

    with page.expect_download() as download:
        page.locator("#export-csv").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig")), delimiter=";")
    )
    assert len(rows) == total and {row["Art"] for row in rows} == {"Antrag"}

    search_records = [r for r in ui.security.audit.records(user="bernd") if r.action == "search"]
    assert search_records[-1].filters["paper_types"] == ["Antrag"] and search_records[-1].interface == "ui"


def test_user_of_another_group_never_sees_a_restricted_document(ui: UiServer, open_page: Any) -> None:
    secret = next(doc for doc in ui.restricted_documents() if doc.reference == "FG/2025/001")
    # A question from the sample QA set about that very document.
    question = next(q for q in sample_questions() if secret.reference in q["relevant"])["question"]  # type: ignore[operator]
    title_words = " ".join(secret.title.split()[:4])

    recorded = open_page()
    page = recorded.page
    sign_in(page, ui.ui_url, "bernd", ui.passwords["bernd"])
    ask(page, str(question), 0)
    search(page, title_words)
    page.goto(f"{ui.ui_url}?doc={secret.doc_id}")  # a guessed document id
    sign_in(page, f"{ui.ui_url}?doc={secret.doc_id}", "bernd", ui.passwords["bernd"])
    page.locator("#document-view .not-found").wait_for()
    not_found = page.locator("#document-view .not-found").inner_html()
    for wanted in (secret.reference, "0" * len(secret.doc_id)):  # its reference; an id that never existed
        before = len(audited(ui, "bernd", "document"))
        field(page, "document-id").fill(wanted)
        page.locator("#open-document").click()
        page.wait_for_function(
            "() => document.querySelector('#document-view .not-found') !== null", timeout=TIMEOUT_MS
        )
        wait_until(lambda seen=before: len(audited(ui, "bernd", "document")) > seen)
        # Not allowed reads exactly like missing.
        assert page.locator("#document-view .not-found").inner_html() == not_found
        assert audited(ui, "bernd", "document")[-1].returned == []
    for restricted in ui.restricted_documents():
        assert restricted.doc_id not in page.content()
    recorded.shot("05-other-group")

    # The same steps as a member of the group do show it (the test can fail).
    member = open_page().page
    sign_in(member, f"{ui.ui_url}?doc={secret.doc_id}", "anna", ui.passwords["anna"])
    member.locator("#document-view article.document").wait_for()
    assert secret.title in member.locator("#document-view").inner_text()
    member.get_by_role("tab", name="Fragen").click()
    assert secret.reference in ask(member, str(question), 0).inner_text()


def test_phone_width_keyboard_only_session_and_sign_out(ui: UiServer, open_page: Any) -> None:
    recorded = open_page(width=390, height=844)
    page = recorded.page
    page.goto(ui.ui_url)
    field(page, "sign-in-name").wait_for()
    field(page, "sign-in-name").focus()
    page.keyboard.type("anna")
    page.keyboard.press("Tab")
    page.keyboard.type(ui.passwords["anna"])
    page.keyboard.press("Enter")
    page.locator("#who").get_by_text("Angemeldet als anna").wait_for()
    turn = ask(page, "Wie lang ist die Lücke im Fahrradwegenetz an der Weserpromenade?", 0)
    assert turn.locator(".citation").count() >= 1
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a phone screen"
    recorded.shot("06-phone")

    page.locator("#sign-out-button").click()
    field(page, "sign-in-name").wait_for()
    assert not page.locator("#workspace").is_visible()
    assert "Wie lang ist die Lücke" not in page.locator("body").inner_text()
    assert ("sign-out", "ui") in [(r.action, r.interface) for r in ui.security.audit.records(user="anna")]


def test_the_demo_questions_get_answers_that_answer(ui: UiServer, open_page: Any) -> None:
    """The questions a new user tries first, on the sample corpus with the default semantic model:
    the faction and the width are named, the gym's cost is quoted without the bus stops, and the
    number word "zwanzig" answers "Wie viele"."""
    page = open_page().page
    sign_in(page, ui.ui_url, "anna", ui.passwords["anna"])

    radwege = ask(page, "Welche Fraktion will mehr Radwege und wie breit sollen sie werden?", 0)
    answer = " ".join(radwege.locator(".answer").inner_text().split())
    assert "Bündnis 90/Die Grünen" in answer, answer
    assert re.search(r"\b\d+(?:,\d+)?\s*Met(?:er|ern)\b", answer), answer  # a width, in metres
    assert "A/2025/014" in radwege.locator(".citations").inner_text()  # the motion that asks for it

    turnhalle = ask(page, "Was kostet die Sanierung der Turnhalle?", 1)
    answer = " ".join(turnhalle.locator(".answer").inner_text().split())
    first = answer.split("[1]")[0]
    assert re.search(r"\d[\d.,]*\s*(?:€|Euro|Mio\.)", first) and "Sporthalle" in first, answer
    assert not re.search(r"Haltestelle|Buslinie", answer), answer  # nothing about the bus stops

    stadtpark = ask(page, "Wie viele Sitzbänke sollen im Stadtpark aufgestellt werden?", 2)
    answer = stadtpark.locator(".answer").inner_text()
    assert "zwanzig" in answer and "Keine belegte Antwort" not in answer, answer
    assert "IV/2026/005" in stadtpark.locator(".citations").inner_text()
