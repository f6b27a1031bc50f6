"""Questions on the council process answered from its data, over the whole Karlsruhe crawl.

Through the service as users ask (``ask``, the stream, the API, the CLI): what became of a
paper, when it is discussed, a meeting's agenda, lists exactly from data, earlier papers in a
conversation; with record citations for the data and passage citations for the minutes. The
expectations are read from the server's JSON or from the history service, never from the answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from assistant.access import Principal
from assistant.answering.answerer import Answerer
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.generative import GenerativeAnswerer
from assistant.answering.grounding import default_judge
from assistant.answering.llm import ChatLLM
from assistant.answering.prompt import Turn
from assistant.api.app import create_app
from assistant.audit import AuditLog
from assistant.auth.users import UserStore
from assistant.cli import app as cli_app
from assistant.models import SearchFilters
from assistant.schemas import AskResponse
from assistant.service import AuditRecorder, Caller, ProcessService
from assistant.service.process_answers import ProcessAnswers
from eval.process_checks import ProcessExpectation, check_answer
from ingest.metadata.references import REF
from tests.karlsruhe_crawl import Crawled
from tests.llm_double import MODEL, LLMDouble, Reply, build_app, source_with
from tests.servers import serve_in_thread

EVA = Principal("eva")  # no groups: what the public sees
CALLER = Caller(EVA, "cli")


@pytest.fixture(scope="module")
def crawled(karlsruhe_crawl: Crawled) -> Crawled:
    return karlsruhe_crawl


def ask(crawled: Crawled, question: str, history: list[Turn] | None = None) -> AskResponse:
    return crawled.services.service.ask(CALLER, question, history=history or [])


def answers_on(
    crawled: Crawled, today: date, tmp_path: Path, answerer: Answerer | None = None
) -> ProcessAnswers:
    """Process answers as of ``today`` (the state of a paper and "the next meeting" depend on it)."""
    services = crawled.services
    recorder = AuditRecorder(lambda: AuditLog(tmp_path / "audit.sqlite3"))
    process = ProcessService(services.store, services.retriever, recorder, today=lambda: today)
    return ProcessAnswers(process, services.retriever, answerer or services.answerer)


def cited_references(response: AskResponse) -> list[str]:
    cited = {citation.reference for citation in response.citations}
    return [ref for ref in dict.fromkeys(REF.findall(response.answer)) if ref in cited]


def test_what_became_of_the_seebuehne_motion_names_every_step_and_cites_data_and_minutes(
    crawled: Crawled,
) -> None:
    response = ask(crawled, "Was wurde aus dem Antrag zur Seebühne?")
    history = crawled.services.process.history(CALLER, "2024/0884/1")
    assert response.process == "ergebnis" and not response.abstained
    assert response.answer.startswith("Antrag 2024/0884/1 „Seebühne stärker nutzen“: erledigt am 25.07.2025")
    assert (
        "Am 29.04.2025 im Gemeinderat (Entscheidung, TOP 14): „verwiesen in Fachausschuss“" in response.answer
    )
    # Every result the answer quotes is one the data holds, for every consultation, in order.
    quoted = re.findall(r"\): „([^“]+)“ \[", response.answer)
    assert quoted == [step.result for step in history.steps]
    records = [c for c in response.citations if c.kind == "record"]
    assert records[0].record is not None and records[0].record.what == "Verlauf"
    steps = [c.record for c in records if c.record is not None and c.record.what == "Beratung"]
    assert [(r.date, r.body, r.result) for r in steps] == [(s.date, s.body, s.result) for s in history.steps]
    assert all(c.doc_id == history.doc_id and c.page == 0 for c in records if c.record.what != "Vorlage")  # type: ignore[union-attr]
    minutes = [c for c in response.citations if c.kind == "passage"]
    assert minutes, "the minutes of the Gemeinderat's meeting are indexed"
    page = crawled.services.store.catalog.pages(minutes[0].doc_id)[minutes[0].page - 1]
    assert page.text[minutes[0].start : minutes[0].end] == minutes[0].text
    assert "Seebühne stärker nutzen" in minutes[0].text


def test_a_reference_question_states_the_decision_in_the_councils_words(crawled: Crawled) -> None:
    response = ask(crawled, "Wurde 2025/1264/1 beschlossen?")
    assert response.answer.startswith("Beschlussvorlage 2025/1264/1")
    assert "zur Kenntnis genommen am 11.03.2026 im Schulausschuss" in response.answer  # where it stands
    assert (
        "Am 27.01.2026 im Gemeinderat (Entscheidung, TOP 8.2): „mehrheitlich beschlossen“" in response.answer
    )


def test_papers_without_any_result_are_never_given_one(crawled: Crawled) -> None:
    items = crawled.items()
    without = sorted(
        paper["reference"]
        for paper in crawled.live_papers()
        if paper.get("consultation")
        and not paper.get("superordinatedPaper")
        and not paper.get("subordinatedPaper")
        and not any(items.get(c.get("agendaItem", ""), {}).get("result") for c in paper["consultation"])
    )
    assert len(without) > 100
    expected = ProcessExpectation(kind="ergebnis", no_result=True)
    for reference in without[::8]:
        question = f"Was wurde aus {reference}?"
        response = ask(crawled, question)
        check = check_answer(expected, question, response)
        assert check.kind_ok and check.invented is False, response.answer
        assert "kein Ergebnis" in response.answer or "vorgesehen" in response.answer, response.answer


def test_several_papers_that_fit_are_named_rather_than_guessed(crawled: Crawled) -> None:
    response = ask(crawled, "Was wurde aus der Vorlage zur Seebühne?")
    assert "bitte nennen Sie das Aktenzeichen" in response.answer
    assert {"2024/0884/1", "2024/0884/2", "2024/0884/3"} <= set(cited_references(response))


def test_a_reference_nobody_may_see_is_not_echoed(crawled: Crawled) -> None:
    response = ask(crawled, "Was wurde aus 2099/9999?")
    assert response.abstained and response.process == "ergebnis" and not response.citations
    assert "nicht bekannt" in response.answer and "2099/9999" not in response.answer


def test_when_a_body_discusses_a_paper_lists_that_bodys_consultations(crawled: Crawled) -> None:
    response = ask(crawled, "Wann wurde der Antrag „Kein Werben fürs Sterben!“ im Gemeinderat beraten?")
    history = crawled.services.process.history(CALLER, "2025/0389")
    council = [step for step in history.steps if step.body == "Gemeinderat"]
    others = [step for step in history.steps if step.body != "Gemeinderat"]
    assert response.process == "termin" and council and others
    assert all(f"{step.date:%d.%m.%Y}" in response.answer for step in council)
    assert not any(f"{step.date:%d.%m.%Y} im {step.body}" in response.answer for step in others)


def test_the_agenda_of_a_meeting_day_lists_each_item_with_its_paper_and_result(crawled: Crawled) -> None:
    council = next(o["id"] for o in crawled.objects.values() if o.get("name") == "Gemeinderat")
    meeting = next(
        m for m in crawled.meetings() if m["start"][:10] == "2025-11-25" and council in m["organization"]
    )
    papers = {c["id"]: p for p in crawled.live_papers() for c in p.get("consultation", [])}
    response = ask(crawled, "Welche Punkte standen am 25.11.2025 im Gemeinderat auf der Tagesordnung?")
    assert response.process == "tagesordnung"
    expected = [
        papers[item["consultation"]]["reference"]
        for item in meeting["agendaItem"]
        if item.get("consultation") in papers
    ]
    assert cited_references(response) == list(dict.fromkeys(expected))
    for item in meeting["agendaItem"]:
        if item.get("number") and item.get("result"):
            assert (
                f"TOP {item['number']} „" in response.answer
                and f"„{' '.join(item['result'].split())}“" in response.answer
            )


def test_the_next_agenda_is_shown_or_the_last_one_saying_which(crawled: Crawled, tmp_path: Path) -> None:
    question = "Was steht auf der nächsten Tagesordnung des Bauausschusses?"
    before = answers_on(crawled, date(2026, 6, 20), tmp_path).stream(EVA, question)
    assert before is not None
    text = before.result().answer
    assert text.startswith("Nächste Sitzung: Bauausschuss am 02.07.2026, 4 Tagesordnungspunkte")
    between = answers_on(crawled, date(2026, 8, 1), tmp_path).stream(EVA, question)
    assert between is not None
    assert between.result().answer.startswith(
        "Nächste Sitzung am 17.09.2026 noch ohne Tagesordnung; letzte Sitzung mit Tagesordnung: "
        "Bauausschuss am 02.07.2026"
    )
    after = answers_on(crawled, date(2027, 1, 10), tmp_path).stream(EVA, question)
    assert after is not None
    assert after.result().answer.startswith(
        "Keine kommende Sitzung im Bauausschuss verzeichnet; letzte Sitzung"
    )
    assert all(ref in after.result().answer for ref in ("2026/0303", "2026/0378", "2026/0444", "2026/0146"))


def test_rejected_motions_of_a_faction_are_listed_exactly_from_data(crawled: Crawled) -> None:
    response = ask(crawled, "Welche Anträge der AfD wurden 2025 abgelehnt?")
    process = crawled.services.process
    expected = []
    for row in process.papers_of(EVA, SearchFilters(paper_types=("Antrag",), originator="AfD")):
        decided = [step for step in process.history(CALLER, row.doc_id).steps if step.outcome]
        if (
            decided
            and decided[-1].outcome == "abgelehnt"
            and decided[-1].date
            and decided[-1].date.year == 2025
        ):
            expected.append(row.reference)
    assert response.process == "liste" and len(expected) >= 3
    assert sorted(cited_references(response)) == sorted(expected)
    assert response.answer.startswith(
        f"{len(expected)} Anträge (Art: Antrag; Einreicher: AfD; Ergebnis: abgelehnt"
    )


def test_a_conversation_about_a_paper_goes_on_with_dazu_and_darueber(crawled: Crawled) -> None:
    first = ask(crawled, "Was wurde aus 2024/0884/2?")
    history = [Turn(first.question, first.answer)]
    earlier = ask(crawled, "Gab es dazu schon Anträge?", history)
    assert earlier.process == "frühere" and "2024/0884/1" in cited_references(earlier)
    when = ask(crawled, "Und wann wurde darüber im Gemeinderat entschieden?", history)
    assert when.answer.startswith("Änderungs-/Ergänzungsantrag 2024/0884/2")
    assert "Am 29.04.2025 im Gemeinderat" in when.answer and "Kulturausschuss (Beratung" not in when.answer


def test_questions_about_content_keep_the_answer_from_the_documents(crawled: Crawled) -> None:
    response = ask(crawled, "Welche Ziele verfolgt das Konzept zur Bespielung der Seebühne?")
    assert response.process == "" and all(c.kind == "passage" for c in response.citations)


@pytest.fixture(scope="module")
def double() -> Iterator[tuple[LLMDouble, str]]:
    llm = LLMDouble()
    with serve_in_thread(build_app(llm)) as url:
        yield llm, url


def test_in_llm_mode_the_history_is_a_source_and_an_invented_result_is_removed(
    crawled: Crawled, double: tuple[LLMDouble, str], tmp_path: Path
) -> None:
    llm, url = double
    services = crawled.services
    settings = services.settings.model_copy(
        update={"llm_url": f"{url}/v1", "llm_model": MODEL, "llm_timeout_s": 5}
    )
    extractive = ExtractiveAnswerer(services.embedder, services.store, settings)
    chat = ChatLLM(settings)
    answerer = Answerer(
        services.retriever, extractive, GenerativeAnswerer(extractive, chat, default_judge()), chat, settings
    )

    def script(request: dict[str, Any]) -> Reply:
        settled, referred = (
            source_with(request, "Stand: erledigt"),
            source_with(request, "verwiesen in Fachausschuss"),
        )
        return Reply(
            f"Der Antrag 2024/0884/1 wurde am 25.07.2025 im Kulturausschuss erledigt [{settled}].\n"
            f"Der Gemeinderat hat den Antrag am 29.04.2025 abgelehnt [{referred}]."
        )

    llm.reset(script)
    stream = answers_on(crawled, date(2026, 12, 7), tmp_path, answerer).stream(
        EVA, "Was wurde aus 2024/0884/1?", mode="llm"
    )
    assert stream is not None
    events = list(stream)
    response = stream.result()
    assert response.mode == "llm" and response.process == "ergebnis"
    assert response.answer.endswith("im Kulturausschuss erledigt. [1]") and "abgelehnt" not in response.answer
    assert [r.text for r in response.removed] == ["Der Gemeinderat hat den Antrag am 29.04.2025 abgelehnt."]
    assert response.citations[0].kind == "record" and response.citations[0].reference == "2024/0884/1"
    assert events[0]["process"] == "ergebnis"

    llm.reset(lambda request: Reply(status=500))  # the LLM fails: the answer composed from data
    fallback = answers_on(crawled, date(2026, 12, 7), tmp_path, answerer).stream(
        EVA, "Was wurde aus 2024/0884/1?", mode="llm"
    )
    assert fallback is not None
    result = fallback.result()
    assert result.mode == "extractive" and "Sitzungsdaten" in result.notice
    assert result.answer.startswith("Antrag 2024/0884/1 „Seebühne stärker nutzen“: erledigt")


def test_api_stream_and_cli_carry_record_citations(crawled: Crawled) -> None:
    settings = crawled.services.settings
    token = UserStore(settings.users_path).add("rita")[1]
    headers = {"Authorization": f"Bearer {token}"}
    question = {"question": "Was ist aus 2025/0518 geworden?"}
    with serve_in_thread(create_app(settings, services=crawled.services, ui=False)) as base:
        asked = httpx.post(f"{base}/api/v1/ask", json=question, headers=headers, timeout=60).json()
        streamed = httpx.post(f"{base}/api/v1/ask/stream", json=question, headers=headers, timeout=60)
    assert asked["process"] == "ergebnis" and asked["citations"][0]["kind"] == "record"
    assert asked["citations"][0]["record"]["what"] == "Verlauf"
    steps = [c["record"] for c in asked["citations"] if c["record"] and c["record"]["what"] == "Beratung"]
    assert ("2025-09-30", "Gemeinderat", "mehrheitlich abgelehnt") in {
        (r["date"], r["body"], r["result"]) for r in steps
    }
    events = [json.loads(line) for line in streamed.text.splitlines()]
    assert events[0]["event"] == "citations" and events[0]["process"] == "ergebnis"
    assert events[-1]["response"]["answer"] == asked["answer"]
    assert "".join(e["text"] for e in events if e["event"] == "answer") == asked["answer"]
    env = {"RATSINFO_DATA_DIR": str(settings.data_dir)}
    printed = CliRunner().invoke(cli_app, ["ask", "Was ist aus 2025/0518 geworden?"], env=env)
    assert printed.exit_code == 0, printed.output
    assert "Sitzungsdaten (Beratung: 30.09.2025, Gemeinderat, TOP 25) – Antrag 2025/0518" in printed.stdout
    streams = [r for r in AuditLog(settings.audit_path).records(user="rita") if r.action == "ask-stream"]
    assert streams and streams[-1].returned and "" not in streams[-1].returned  # the paper, no empty id
