"""LLM mode end to end: scripted replies of an OpenAI-compatible server, through the real client.

The server is a test double (tests/llm_double.py), so that each case is deterministic; a real
LLM (llama.cpp with SmolLM2-135M) runs in test_llm_real.py. Everything else
is real: the sample corpus in a persistent store, retrieval, llama-index's ``OpenAILike`` over
HTTP with streaming, the citation parser and the evaluation suite's judge.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from assistant.access import Principal
from assistant.answering.extractive import ABSTENTION
from assistant.answering.llm import ChatLLM, LLMUnavailableError
from assistant.answering.prompt import SYSTEM_PROMPT, Turn
from assistant.config import Settings
from assistant.services import Services, build_services
from tests.llm_double import MODEL, LLMDouble, Reply, build_app, is_condense_request, source_with, sources
from tests.servers import free_port, serve_in_thread

CITIZEN = Principal(name="buerger")  # no groups: public documents only
RADWEG = "Wie breit soll der neue Radweg an der Weserpromenade werden und was kostet er?"
WIDTH = "Breite von 2,50 Metern"
PROPOSAL = "Der Antrag sieht einen Zweirichtungsradweg mit einer Breite von 2,50 Metern vor"
COST = "780.000"
TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def double() -> Iterator[tuple[LLMDouble, str]]:
    llm = LLMDouble()
    with serve_in_thread(build_app(llm)) as url:
        yield llm, url


@pytest.fixture(scope="module")
def services(
    sample_corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
    double: tuple[LLMDouble, str],
    semantic_settings: dict[str, Any],
) -> Iterator[Services]:
    # The default model: the LLM mode's coverage check is the extractive answerer's abstention.
    settings = Settings(
        **semantic_settings,
        data_dir=tmp_path_factory.mktemp("llm-data"),
        llm_url=double[1] + "/v1",
        llm_model=MODEL,
        llm_timeout_s=TIMEOUT_S,
    )
    built = build_services(settings)
    built.ingestor.ingest([str(sample_corpus / "public")])
    for group in sorted((sample_corpus / "restricted").iterdir()):
        built.ingestor.ingest([str(group)], access=frozenset({group.name}))
    yield built
    built.close()


def _not_containing(request: dict[str, Any], needle: str) -> int:
    return next(number for number, text in sources(request).items() if needle not in text)


def _markers(answer: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", answer)]


def test_a_well_cited_reply_becomes_the_answer_with_citations_renumbered(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double

    def script(request: dict[str, Any]) -> Reply:
        width, cost = source_with(request, WIDTH), source_with(request, COST)
        return Reply(
            f"{PROPOSAL} [{width}]. Eine erste Grobkostenschätzung nannte Kosten von rund {COST} € [{cost}]."
        )

    llm.reset(script)
    response = services.answerer.ask(RADWEG, CITIZEN)

    assert response.mode == "llm" and not response.abstained and not response.notice
    assert [s.supported for s in response.sentences] == [True, True] and not response.removed
    assert WIDTH in response.answer and COST in response.answer
    # Citations are numbered 1.. in order of use, whatever numbers the prompt showed.
    assert sorted({c.n for c in response.citations}) == list(range(1, len(response.citations) + 1))
    assert _markers(response.answer)[0] == 1
    by_number = {c.n: c for c in response.citations}
    for sentence in response.sentences:
        fact = WIDTH if WIDTH in sentence.text else COST
        assert all(fact in by_number[n].text for n in sentence.citations)
        assert all(by_number[n].highlights for n in sentence.citations)
    # What went over the wire: a streamed chat request with the fenced sources and the rules.
    request = llm.requests[-1]
    assert request["stream"] is True and request["model"] == MODEL
    assert request["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert len(sources(request)) == services.settings.top_k


def test_badly_cited_sentences_are_removed_and_the_supported_one_kept(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double

    def script(request: dict[str, Any]) -> Reply:
        width, elsewhere = source_with(request, WIDTH), _not_containing(request, "195.000")
        return Reply(
            f"{PROPOSAL} [{width}]. "
            f"Der städtische Eigenanteil läge bei etwa 195.000 € [{elsewhere}]. "
            "Der Radweg wird von allen Fraktionen unterstützt. "
            f"Die Planung soll bis zum 30.09.2025 vorliegen [{len(sources(request)) + 3}]."
        )

    llm.reset(script)
    response = services.answerer.ask(RADWEG, CITIZEN)

    assert response.mode == "llm"
    assert [s.supported for s in response.sentences] == [True, False, False, False]
    assert (
        response.answer.startswith("Der Antrag sieht einen Zweirichtungsradweg")
        and "195.000" not in response.answer
    )
    reasons = [r.reason for r in response.removed]
    assert "nicht durch" in reasons[0] and reasons[1] == "ohne Quellenangabe"
    assert "keine gezeigte Quelle" in reasons[2]
    assert [c.n for c in response.citations] == [1]  # only the source the kept sentence uses


def test_a_changed_number_is_removed_and_nothing_usable_falls_back_to_quotes(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double
    llm.reset(
        lambda request: Reply(
            f"Der Radweg soll eine Breite von 3,50 Metern bekommen [{source_with(request, WIDTH)}]."
        )
    )
    response = services.answerer.ask(RADWEG, CITIZEN)

    assert response.mode == "extractive" and "Kein Satz" in response.notice
    assert "3,50" not in response.answer and response.citations
    assert response.removed[0].text.startswith("Der Radweg soll eine Breite von 3,50")
    assert "Zahl" in response.removed[0].reason or "nicht durch" in response.removed[0].reason


def test_a_slow_llm_times_out_into_the_extractive_answer_with_a_notice(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double
    llm.reset(lambda request: Reply("Zu spät [1].", delay_s=3 * TIMEOUT_S))
    started = time.monotonic()
    response = services.answerer.ask(RADWEG, CITIZEN)
    elapsed = time.monotonic() - started

    assert response.mode == "extractive" and "nicht innerhalb von 1 s" in response.notice
    assert elapsed < 2.5 * TIMEOUT_S, "no retries before the fallback"
    expected = services.answerer.ask(RADWEG, CITIZEN, mode="extractive")
    assert response.answer == expected.answer and response.citations == expected.citations


def test_an_llm_error_falls_back_and_says_so(services: Services, double: tuple[LLMDouble, str]) -> None:
    llm, _ = double
    llm.reset(lambda request: Reply(status=500))
    response = services.answerer.ask(RADWEG, CITIZEN)
    assert response.mode == "extractive" and "HTTP 500" in response.notice and response.citations

    events = list(services.answerer.stream(RADWEG, CITIZEN))
    kinds = [event["event"] for event in events]
    assert kinds[:3] == ["citations", "reset", "citations"] and kinds[-1] == "done"
    assert events[0]["mode"] == "llm" and events[2]["mode"] == "extractive"


def test_an_unreachable_llm_is_reported_in_german() -> None:
    client = ChatLLM(Settings(llm_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="x", llm_timeout_s=2))
    with pytest.raises(LLMUnavailableError, match="nicht erreichbar"):
        list(client.stream([("user", "Hallo")]))


def test_the_model_saying_it_cannot_answer_is_an_abstention(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double
    llm.reset(lambda request: Reply("KEINE ANTWORT IN DEN QUELLEN"))
    response = services.answerer.ask(RADWEG, CITIZEN)
    assert response.abstained and response.mode == "llm"
    assert response.answer == ABSTENTION and not response.citations and not response.removed


def test_no_coverage_abstains_without_asking_the_llm(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double
    llm.reset(lambda request: Reply("Partnerstadt ist Lindenau-Nord [1]."))
    response = services.answerer.ask("Welche Partnerstädte hat Lindenau an der Weser?", CITIZEN)
    assert response.abstained and response.mode == "llm" and llm.requests == []


def test_sentences_stream_as_soon_as_they_are_checked(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double
    first = f"{PROPOSAL} [{{width}}]. "

    def script(request: dict[str, Any]) -> Reply:
        text = first.format(width=source_with(request, WIDTH))
        second = (
            f"Eine erste Grobkostenschätzung nannte Kosten von rund {COST} € [{source_with(request, COST)}]."
        )
        return Reply(text + second, stall_after=len(text) + 9, stall_s=0.6)

    llm.reset(script)
    stream = services.answerer.stream(RADWEG, CITIZEN)
    arrivals = [(time.monotonic(), event) for event in stream]

    events = [event["event"] for _, event in arrivals]
    assert events[0] == "citations" and events[-1] == "done"
    assert events.index("citation") < events.index("answer")  # a source before the text citing it
    first_answer_at = next(at for at, event in arrivals if event["event"] == "answer")
    cost_sent_at = next(at for at, piece in llm.sent_at if COST[:3] in piece or "Grobk" in piece)
    assert first_answer_at < cost_sent_at, "the first sentence arrived before the model wrote the second"
    final = arrivals[-1][1]["response"]
    assert "".join(e["text"] for _, e in arrivals if e["event"] == "answer") == final["answer"]
    assert stream.response is not None and stream.response.answer == final["answer"]
    assert set(stream.doc_ids) >= {c["doc_id"] for c in final["citations"]}


def test_a_stall_after_the_first_sentence_resets_to_the_extractive_answer(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double

    def script(request: dict[str, Any]) -> Reply:
        text = f"{PROPOSAL} [{source_with(request, WIDTH)}]. "
        return Reply(text + "Und weiter geht es.", stall_after=len(text) + 9, stall_s=3 * TIMEOUT_S)

    llm.reset(script)
    events = list(services.answerer.stream(RADWEG, CITIZEN))
    kinds = [event["event"] for event in events]
    reset = kinds.index("reset")
    assert "answer" in kinds[:reset] and kinds[reset + 1] == "citations"
    final = events[-1]["response"]
    assert final["mode"] == "extractive" and "nicht innerhalb" in final["notice"]
    after_reset = "".join(e["text"] for e in events[reset:] if e["event"] == "answer")
    assert after_reset == final["answer"]


def test_follow_up_questions_are_condensed_by_the_llm(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double
    standalone = "Was kostet der Radweg an der Weserpromenade?"

    def script(request: dict[str, Any]) -> Reply:
        if is_condense_request(request):
            return Reply(f"Eigenständige Frage: {standalone}")
        return Reply(
            f"Eine erste Grobkostenschätzung nannte Kosten von rund {COST} € [{source_with(request, COST)}]."
        )

    llm.reset(script)
    history = [Turn("Wie breit soll der Radweg an der Weserpromenade werden?", "2,50 Meter [1].")]
    response = services.answerer.ask("Und was kostet er?", CITIZEN, history=history)

    assert response.standalone_question == standalone and response.question == "Und was kostet er?"
    assert COST in response.answer
    assert f"Frage: {standalone}" in llm.requests[-1]["messages"][-1]["content"]


def test_without_a_working_llm_follow_ups_carry_the_earlier_key_terms(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    llm, _ = double
    llm.reset(lambda request: Reply(status=503))
    history = [Turn("Wie breit soll der Radweg an der Weserpromenade werden?", "")]
    response = services.answerer.ask("Und was kostet er?", CITIZEN, history=history)
    assert "Weserpromenade" in response.standalone_question and "Radweg" in response.standalone_question
    assert response.mode == "extractive" and any("Weserpromenade" in c.title for c in response.citations)


def test_the_api_returns_checked_sentences_and_streams_ndjson(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    condensed = "Wie breit wird der Radweg an der Weserpromenade?"
    from assistant.api.app import create_app
    from assistant.auth.users import UserStore

    llm, _ = double

    def script(request: dict[str, Any]) -> Reply:
        if is_condense_request(request):
            return Reply(condensed)
        return Reply(f"{PROPOSAL} [{source_with(request, WIDTH)}]. Alle Fraktionen sind dafür.")

    llm.reset(script)
    token = UserStore(services.settings.users_path).add(f"llm-test-{secrets.token_hex(3)}")[1]
    app = create_app(services.settings, services=services)
    with (
        serve_in_thread(app) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api,
    ):
        history = [{"question": "Worum geht es beim Radweg an der Weserpromenade?", "answer": "…"}]
        body = api.post("/api/v1/ask", json={"question": RADWEG, "history": history}).json()
        assert body["mode"] == "llm" and WIDTH in body["answer"] and body["standalone_question"] == condensed
        assert body["removed"] == [{"text": "Alle Fraktionen sind dafür.", "reason": "ohne Quellenangabe"}]
        assert [s["supported"] for s in body["sentences"]] == [True, False]

        with api.stream("POST", "/api/v1/ask/stream", json={"question": RADWEG}) as streamed:
            assert streamed.headers["content-type"].startswith("application/x-ndjson")
            lines = [json.loads(line) for line in streamed.iter_lines() if line]
        assert lines[0]["event"] == "citations" and lines[-1]["event"] == "done"
        assert {
            "event": "removed",
            "text": "Alle Fraktionen sind dafür.",
            "reason": "ohne Quellenangabe",
        } in lines
        assert lines[-1]["response"]["answer"] == body["answer"]

        too_long = [{"question": "Frage?", "answer": "Antwort."}] * 11
        assert api.post("/api/v1/ask", json={"question": RADWEG, "history": too_long}).status_code == 422
        extractive = api.post("/api/v1/ask", json={"question": RADWEG, "mode": "extractive"}).json()
        assert extractive["mode"] == "extractive" and not extractive["sentences"]


def test_the_cli_asks_in_the_mode_it_is_told(services: Services, double: tuple[LLMDouble, str]) -> None:
    from assistant.cli import app

    llm, url = double
    llm.reset(lambda request: Reply(f"{PROPOSAL} [{source_with(request, WIDTH)}]."))
    data_dir = str(services.settings.data_dir)
    runner = CliRunner()
    store = {"RATSINFO_DATA_DIR": data_dir, "RATSINFO_EMBED_MODEL": ""}  # the store's recorded model
    with_llm = {**store, "RATSINFO_LLM_URL": url + "/v1", "RATSINFO_LLM_MODEL": MODEL}
    result = runner.invoke(app, ["ask", RADWEG, "--mode", "llm", "--json"], env=with_llm)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mode"] == "llm"

    auto_without_llm = runner.invoke(app, ["ask", RADWEG, "--json"], env=store)
    assert json.loads(auto_without_llm.stdout)["mode"] == "extractive"
    refused = runner.invoke(app, ["ask", RADWEG, "--mode", "llm"], env=store)
    assert refused.exit_code == 2 and "RATSINFO_LLM_URL" in refused.stderr


def test_the_evaluation_finds_full_citation_precision_and_recall_after_the_check(
    services: Services, double: tuple[LLMDouble, str]
) -> None:
    """ALCE citation recall/precision (eval/grounding.py) of the scripted replies, before and after."""
    from assistant.answering.judging import LexicalJudge
    from eval.grounding import ground_answer

    llm, _ = double
    judge = LexicalJudge()
    cost = f"Eine erste Grobkostenschätzung nannte Kosten von rund {COST} €"
    replies = {
        "well cited": lambda r: f"{PROPOSAL} [{source_with(r, WIDTH)}]. {cost} [{source_with(r, COST)}].",
        "extra citation": lambda r: f"{PROPOSAL} [{source_with(r, WIDTH)}][{_not_containing(r, WIDTH)}].",
        "badly cited": lambda r: (
            f"{PROPOSAL} [{_not_containing(r, WIDTH)}]. {cost} [{source_with(r, COST)}]."
        ),
        "hallucinated": lambda r: (
            f"{PROPOSAL.replace('2,50', '3,50')} [{source_with(r, WIDTH)}]. {cost} [{source_with(r, COST)}]."
        ),
        "no markers": lambda r: f"{PROPOSAL}. {cost} [{source_with(r, COST)}].",
    }
    report = []
    for name, make in replies.items():
        written: list[str] = []

        def script(request: dict[str, Any], make: Any = make, written: list[str] = written) -> Reply:
            written.append(make(request))
            return Reply(written[-1])

        llm.reset(script)
        response = services.answerer.ask(RADWEG, CITIZEN)
        shown = sources(llm.requests[-1])
        before = ground_answer(written[-1], shown, judge)
        premises = {
            c.n: next(text for text in shown.values() if c.text.strip() in text) for c in response.citations
        }
        after = ground_answer(response.answer, premises, judge)
        report.append((name, before, after, len(response.removed)))
        assert response.mode == "llm"
        assert after.citation_recall == 1.0 and after.citation_precision == 1.0, name
    print("\nscripted reply    recall before → after    precision before → after    removed")
    for name, before, after, removed in report:
        recall = f"{before.citation_recall:.2f} → {after.citation_recall:.2f}"
        precision = f"{before.citation_precision:.2f} → {after.citation_precision:.2f}"
        print(f"{name:<17} {recall:<24} {precision:<27} {removed}")
    assert [removed for *_, removed in report] == [0, 0, 1, 1, 1]
    flawed = [(before.citation_recall, before.citation_precision) for name, before, *_ in report[1:]]
    assert all(min(scores) < 1.0 for scores in flawed)
