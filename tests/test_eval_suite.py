"""The evaluation end to end on the sample corpus: an honest run, a run fed deliberately wrong
answers (each fault caught by its metric), the regression gate, and the `ratsinfo eval` command."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.access import LOCAL_OPERATOR, Principal
from assistant.answering.events import AnswerStream, complete_events
from assistant.answering.judging import LexicalJudge
from assistant.audit import AuditLog
from assistant.models import Passage, SearchFilters
from assistant.schemas import AskResponse, Citation
from assistant.service import AssistantService, AuditRecorder
from eval.dataset import QAItem, load_dataset
from eval.gate import Thresholds, check_gate, load_thresholds
from eval.runner import evaluate
from eval.suite import run_suite
from eval.summary import summarize
from eval.users import UserDirectory
from eval.workspace import SAMPLE_DATASET
from tests.conftest import REPO

THRESHOLDS = REPO / "eval" / "thresholds.json"
USERS = UserDirectory(explicit={"anna": frozenset({"fraktion-gruen"}), "bernd": frozenset({"fraktion-spd"})})
REQUIRED = (
    "recall@5", "recall@10", "mrr@10", "ndcg@10", "citation_recall", "citation_precision",
    "abstention_precision", "abstention_recall", "expected_cited", "unanswerable_declined",
)  # fmt: skip


@pytest.fixture(scope="module")
def honest_run(sample_services: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The whole sample QA set through the real services, report written."""
    report = tmp_path_factory.mktemp("report")
    items = load_dataset(SAMPLE_DATASET)
    users = UserDirectory.for_dataset(SAMPLE_DATASET, None, None)
    outcome = run_suite(
        sample_services,
        items,
        LexicalJudge(),
        users,
        dataset="sample",
        report_dir=report,
        gate=THRESHOLDS,
        resamples=300,
    )
    return outcome, report


def test_an_honest_run_writes_metrics_with_intervals_and_a_report(honest_run: tuple[Any, Path]) -> None:
    outcome, report = honest_run
    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    for name in REQUIRED:
        entry = metrics[name]
        assert set(entry) >= {"value", "ci_low", "ci_high"}, name
        assert 0.0 <= entry["ci_low"] <= entry["value"] <= entry["ci_high"] <= 1.0, name
    for name in ("leaked_passages", "search_p50_ms", "search_p95_ms", "ask_p50_ms", "ask_p95_ms"):
        assert isinstance(metrics[name], int | float), name
    assert metrics["search_p50_ms"] <= metrics["search_p95_ms"]
    assert metrics["questions"] == len(outcome.results) >= 60
    assert metrics["errors"] == 0 and metrics["unresolved_relevant"] == 0
    assert metrics["judge_validation"]["pairs"] >= 150
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "Cohens κ" in html
    assert all(f"id='{result.item.id}'" in html for result in outcome.results)  # a drill-down per question
    assert len(json.loads((report / "questions.json").read_text(encoding="utf-8"))) == metrics["questions"]


def test_the_shares_count_cited_documents_and_declines_and_the_report_shows_the_trace(
    honest_run: tuple[Any, Path],
) -> None:
    outcome, report = honest_run
    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    ranked = [r for r in outcome.results if r.has_ranking_target]
    cited = metrics["expected_cited"]
    assert (cited["n"], cited["k"]) == (len(ranked), sum(r.cites_expected for r in ranked))
    assert all(not r.cites_expected for r in ranked if r.abstained)  # an abstention cites nothing
    declined = metrics["unanswerable_declined"]
    assert declined["n"] == metrics["unanswerable"] and declined["value"] == pytest.approx(
        metrics["abstention_recall"]["value"], abs=1e-4
    )
    records = json.loads((report / "questions.json").read_text(encoding="utf-8"))
    answered = next(r for r in records if not r["abstained"] and r["trace"])
    quoted = [s for s in answered["trace"]["sentences"] if s["quoted"]]
    others = [s for s in answered["trace"]["sentences"] if not s["quoted"]]
    assert quoted and others and all(s["reason"] for s in others)  # every sentence left out says why
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "Antwortspur" in html and escape(others[0]["reason"]) in html


def test_tagged_questions_are_reported_apart(honest_run: tuple[Any, Path]) -> None:
    outcome, _ = honest_run
    tagged = [
        dataclasses.replace(r, item=dataclasses.replace(r.item, tags=("paraphrase",) if i % 3 == 0 else ()))
        for i, r in enumerate(outcome.results)
    ]
    groups = summarize(tagged, resamples=50)["by_tag"]
    assert set(groups) == {"paraphrase", "untagged"}
    assert groups["paraphrase"]["questions"] + groups["untagged"]["questions"] == len(tagged)
    apart = [r for r in tagged if r.item.tags and r.has_ranking_target]
    assert groups["paraphrase"]["expected_cited"]["k"] == sum(r.cites_expected for r in apart)


def test_no_restricted_passage_reaches_a_user_outside_its_group(honest_run: tuple[Any, Path]) -> None:
    outcome, _ = honest_run
    assert outcome.document["leaked_passages"] == 0
    outsiders = [r for r in outcome.results if r.user == "bernd"]
    assert outsiders and all(
        not r.retrieved or "FG/" not in " ".join(p.reference for p in r.retrieved) for r in outsiders
    )
    # anna is in the group: her restricted questions do find the restricted documents.
    insiders = [r for r in outcome.results if r.user == "anna" and r.has_ranking_target]
    assert insiders and any(r.recall.get(10) == 1.0 for r in insiders)


def test_the_evaluation_asks_through_the_service_as_the_datasets_users(
    honest_run: tuple[Any, Path], sample_services: Any
) -> None:
    outcome, _ = honest_run
    records = AuditLog(sample_services.settings.audit_path).records(interface="eval")
    # One search and one answer per question (and the warm-up's), each on record as its user.
    assert len(records) >= 2 * len(outcome.results)
    assert {r.action for r in records} == {"search", "ask"}
    assert {"anna", "bernd"} <= {r.user for r in records}
    bernd = UserDirectory.for_dataset(SAMPLE_DATASET, None, None).principal("bernd")
    hidden = {d.doc_id for d in sample_services.store.documents().values() if not bernd.can_see(d.access)}
    assert hidden and all(not hidden & set(r.returned) for r in records if r.user == "bernd")


def test_the_shipped_thresholds_hold_and_a_raised_one_fails(honest_run: tuple[Any, Path]) -> None:
    outcome, _ = honest_run
    assert outcome.gate_failures == [], outcome.gate_failures
    measured = outcome.document["recall@10"]["value"]
    raised = Thresholds(floors={"recall@10": measured + 0.01, "mrr@10": 0.0}, ceilings={"leaked_passages": 0})
    failures = check_gate(outcome.document, raised)
    assert len(failures) == 1 and failures[0].startswith("recall@10:")
    missing = check_gate(outcome.document, Thresholds(floors={"recall@20": 0.5}, ceilings={}))
    assert missing == ["recall@20: fehlt im Ergebnis (Untergrenze 0.5)"]


# -- the suite can fail: deliberately wrong answers, each caught by the right metric ---------------


class ScriptedAnswerer:
    """Test double of the answerer the service calls: streams prepared answers by question (the
    faults under test)."""

    mode = "scripted"

    def __init__(self, answers: dict[str, AskResponse]) -> None:
        self._answers = answers

    def stream(
        self,
        question: str,
        principal: Principal,
        filters: SearchFilters | None = None,
        history: Sequence[Any] = (),
        mode: str | None = None,
        explain: bool = False,
    ) -> AnswerStream:
        response = self._answers[question]
        return AnswerStream(question, question, [], lambda: complete_events(response))


class LeakyRetriever:
    """Wraps the real retriever and slips a restricted passage into one question's results."""

    def __init__(self, inner: Any, question: str, leaked: Passage) -> None:
        self._inner, self._question, self._leaked = inner, question, leaked

    def __getattr__(self, name: str) -> Any:  # everything but search: the real retriever's
        return getattr(self._inner, name)

    def search(
        self, query: str, principal: Principal, filters: SearchFilters | None = None, k: int | None = None
    ) -> list[Passage]:
        found = self._inner.search(query, principal, filters, k)
        return [self._leaked, *found] if query == self._question else found


def _passage(services: Any, reference: str, needle: str) -> Passage:
    documents = services.store.documents()
    document = next(d for d in documents.values() if d.reference == reference)
    chunk = next(c for c in services.store.catalog.chunks_of(document.doc_id) if needle in c.text)
    return Passage(chunk=chunk, document=document, score=1.0)


def _sentence(passage: Passage, needle: str) -> str:
    from ingest.text.sentences import split_sentences

    text = passage.chunk.text
    return next(" ".join(text[s:e].split()) for s, e in split_sentences(text) if needle in text[s:e])


def _citation(n: int, passage: Passage) -> Citation:
    document, chunk = passage.document, passage.chunk
    return Citation(
        n=n, doc_id=document.doc_id, reference=document.reference, title=document.title,
        paper_type=document.paper_type, paper_family=document.paper_family, date=document.date,
        source=document.source, url=document.url,
        page=chunk.page, text=chunk.text, start=chunk.start, end=chunk.end, score=1.0,
    )  # fmt: skip


def _answer(question: str, answer: str, passages: Sequence[Passage]) -> AskResponse:
    return AskResponse(
        question=question, answer=answer, abstained=False, mode="scripted",
        citations=[_citation(n, p) for n, p in enumerate(passages, start=1)],
    )  # fmt: skip


def test_deliberately_wrong_answers_are_each_caught_by_the_right_metric(
    sample_services: Any, tmp_path: Path
) -> None:
    radweg = _passage(sample_services, "A/2025/014", "1,2 Kilometer")
    kita = _passage(sample_services, "BV/2025/042", "110")
    secret = _passage(sample_services, "FG/2025/001", "Projekt Eisvogel")
    true_sentence = _sentence(radweg, "1,2 Kilometer")
    changed = true_sentence.replace("1,2 Kilometer", "2,1 Kilometer")
    assert changed != true_sentence
    secret_sentence = _sentence(secret, "Projekt Eisvogel")

    def item(key: str, user: str = "", claims: tuple[str, ...] = ()) -> QAItem:
        return QAItem(
            id=key,
            question=f"Frage {key}: Radweg Weserpromenade",
            relevant=("A/2025/014",),
            answerable=True,
            claims=claims,
            user=user,
        )

    items = [
        item("correct", claims=("rund 1,2 Kilometer",)),
        item("uncited"),
        item("wrong-citation"),
        item("changed-number", claims=("rund 1,2 Kilometer",)),
        item("overcited"),
        item("leak", user="bernd"),
    ]
    answers = {
        "correct": _answer(items[0].question, f"{true_sentence} [1]", [radweg]),
        "uncited": _answer(items[1].question, f"{true_sentence}", [radweg]),
        "wrong-citation": _answer(items[2].question, f"{true_sentence} [1]", [kita]),
        "changed-number": _answer(items[3].question, f"{changed} [1]", [radweg]),
        "overcited": _answer(items[4].question, f"{true_sentence} [1][2]", [radweg, kita]),
        "leak": _answer(items[5].question, f"{secret_sentence} [1]", [secret]),
    }
    # The faults plug in where the service takes its parts; the evaluation calls the service.
    service = AssistantService(
        sample_services.store,
        LeakyRetriever(sample_services.retriever, items[5].question, secret),
        ScriptedAnswerer({items[i].question: answers[items[i].id] for i in range(len(items))}),
        sample_services.embedder,
        AuditRecorder.to(AuditLog(tmp_path / "audit.sqlite3")),
    )
    sabotaged = dataclasses.replace(sample_services, service=service)
    results = {r.item.id: r for r in evaluate(sabotaged, items, LexicalJudge(), USERS)}

    assert results["correct"].grounding.citation_recall == 1.0
    assert results["correct"].grounding.citation_precision == 1.0
    assert results["correct"].correctness == 1.0
    assert results["uncited"].grounding.citation_recall == 0.0
    assert results["uncited"].grounding.sentences[0].verdict.reason == "keine Quelle angegeben"
    assert results["wrong-citation"].grounding.citation_recall == 0.0
    assert results["changed-number"].grounding.citation_recall == 0.0
    assert "Zahl 2.1" in results["changed-number"].grounding.sentences[0].verdict.reason
    assert results["changed-number"].correctness == 0.0
    assert results["overcited"].grounding.citation_recall == 1.0
    assert results["overcited"].grounding.citation_precision == 0.5  # the Kita passage is not needed
    leak = results["leak"].leaks
    assert leak.retrieved == [secret.document.doc_id]
    assert leak.cited == [secret.document.doc_id]
    assert leak.quoted == [secret_sentence]
    for key in ("correct", "uncited", "wrong-citation", "changed-number", "overcited"):
        assert results[key].leaks.total == 0, key

    metrics = summarize(list(results.values()), resamples=100)
    assert metrics["leaked_passages"] == 3
    failures = check_gate(metrics, load_thresholds(THRESHOLDS))
    failed = {line.split(":")[0] for line in failures}
    assert {"leaked_passages", "citation_recall", "citation_precision"} <= failed


def test_the_same_wrong_answer_from_the_local_operator_is_no_leak(sample_services: Any) -> None:
    secret = _passage(sample_services, "FG/2025/001", "Projekt Eisvogel")
    from eval.leakage import LeakDetector

    response = _answer("x", f"{_sentence(secret, 'Projekt Eisvogel')} [1]", [secret])
    documents = sample_services.store.documents()
    detector = LeakDetector(sample_services.store)
    retrieved = [secret.document.doc_id]
    assert detector.check(LOCAL_OPERATOR, retrieved, response, documents).total == 0
    assert (
        detector.check(
            Principal(name="anna", groups=frozenset({"fraktion-gruen"})), retrieved, response, documents
        ).total
        == 0
    )
    assert detector.check(Principal(name="gast"), retrieved, response, documents).total == 3


# -- the command ---------------------------------------------------------------------------------


def test_ratsinfo_eval_on_a_fresh_data_dir_ingests_the_sample_and_gates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.cli import app

    monkeypatch.setenv("RATSINFO_DATA_DIR", str(tmp_path / "empty"))
    gate = tmp_path / "gate.json"
    gate.write_text(
        json.dumps({"floors": {"recall@10": 1.01}, "ceilings": {"leaked_passages": 0}}), encoding="utf-8"
    )
    report = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--dataset",
            str(SAMPLE_DATASET),
            "--limit",
            "8",
            "--report",
            str(report),
            "--gate",
            str(gate),
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output
    metrics = json.loads(result.stdout)
    assert metrics["questions"] == 8 and (report / "report.html").is_file()
    assert "recall@10:" in result.stderr and "Untergrenze 1.01" in result.stderr
    assert not (tmp_path / "empty").exists()  # the operator's data dir stays untouched

    again = CliRunner().invoke(
        app, ["eval", "--dataset", str(SAMPLE_DATASET), "--limit", "3", "--compare", str(report), "--json"]
    )
    assert again.exit_code == 0, again.output
    assert "recall@10" in json.loads(again.stdout)["compare"]["deltas"]


def test_ratsinfo_eval_puts_the_default_model_and_hashing_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models_dir: Path
) -> None:
    from assistant.cli import app

    monkeypatch.setenv("RATSINFO_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("RATSINFO_MODELS_DIR", str(models_dir))  # the session's converted model
    report = tmp_path / "both"
    arguments = ["eval", "--dataset", str(SAMPLE_DATASET), "--limit", "4", "--models", "default,hashing"]
    result = CliRunner().invoke(app, [*arguments, "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "default" in result.stdout and "hashing" in result.stdout and "expected_cited" in result.stdout
    both = json.loads((report / "side-by-side.json").read_text(encoding="utf-8"))
    models = {name: document["meta"]["settings"]["embed_model"] for name, document in both.items()}
    assert models == {"default": "multilingual-e5-small", "hashing": "hashing"}
    assert (report / "default" / "report.html").is_file() and (report / "hashing" / "report.html").is_file()
    assert "hashing/report.html" in (report / "side-by-side.html").read_text(encoding="utf-8")

    mine = tmp_path / "mine.jsonl"
    mine.write_text(SAMPLE_DATASET.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    elsewhere = CliRunner().invoke(app, ["eval", "--dataset", str(mine), "--models", "hashing"])
    assert elsewhere.exit_code == 2 and "--ingest" in elsewhere.stderr


def test_ratsinfo_eval_reports_a_malformed_dataset_and_validates_the_judge(tmp_path: Path) -> None:
    from assistant.cli import app

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "question": "?", "relevant": [], "answerable": "yes"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--dataset", str(broken)])
    assert result.exit_code == 2
    assert "line 1: field 'answerable': must be true or false" in result.stderr

    validated = CliRunner().invoke(app, ["eval", "--validate-judge", "--json"])
    assert validated.exit_code == 0, validated.output
    assert json.loads(validated.stdout)["accuracy"] >= 0.93
