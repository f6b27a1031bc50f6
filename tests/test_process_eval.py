"""The process QA set (eval/data/process_qa.jsonl) evaluated over the real Karlsruhe data.

Over the session's crawl (tests/karlsruhe_crawl.py): the stated result and date are right for at
least 95 % of the questions, no paper without a result is given one, lists are named with their
references. ``ratsinfo eval --oparl-mirror`` serves a saved OParl folder itself and crawls it
(here a small folder cut from the Karlsruhe data into a temporary directory). Expectations in
the dataset are malformed in every way a writer could get them wrong: each is refused by line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.answering.judging import LexicalJudge
from assistant.cli import app as cli_app
from eval.dataset import DatasetError, load_dataset, parse_lines
from eval.suite import run_suite
from eval.users import UserDirectory
from tests.conftest import REPO, SHARED, shared_path
from tests.karlsruhe_crawl import Crawled

PROCESS_QA = REPO / "eval" / "data" / "process_qa.jsonl"


@pytest.mark.slow
def test_the_process_set_states_results_and_dates_right_and_invents_none(karlsruhe_crawl: Crawled) -> None:
    items = load_dataset(PROCESS_QA)
    assert len(items) >= 30 and all(item.expected is not None for item in items)
    assert sum(1 for item in items if item.expected and item.expected.no_result) >= 5
    outcome = run_suite(
        karlsruhe_crawl.services,
        items,
        LexicalJudge(),
        UserDirectory(),
        dataset="process",
        validate=False,
        resamples=300,
    )
    metrics = outcome.document
    failed = [
        r.item.id
        for r in outcome.results
        if r.process and not (r.process.result_ok is not False and r.process.dates_ok is not False)
    ]
    assert metrics["process_result_accuracy"]["value"] >= 0.95, failed
    assert metrics["process_date_accuracy"]["value"] >= 0.95, failed
    assert metrics["process_answered"]["value"] >= 0.95
    assert metrics["process_invented_results"] == 0
    assert metrics["process_list_precision"]["value"] >= 0.9
    assert metrics["process_list_recall"]["value"] >= 0.8
    assert metrics["leaked_passages"] == 0
    figures = {key: value for key, value in metrics.items() if key.startswith("process")}
    print(f"\nprocess eval: {json.dumps(figures)}; ask p50 {metrics['ask_p50_ms']} ms")


def _cut_folder(destination: Path, references: set[str]) -> None:
    """A saved OParl folder holding only the papers with ``references`` and their meetings."""
    root = shared_path("data", "oparl-karlsruhe")
    (destination / "papers").mkdir(parents=True)
    (destination / "meetings").mkdir()
    (destination / "file-contents").mkdir()
    shutil.copy(root / "organizations.json", destination)
    meetings: set[str] = set()
    for path in (root / "papers").glob("*.json"):
        paper = json.loads(path.read_text(encoding="utf-8"))
        if paper.get("reference") not in references:
            continue
        shutil.copy(path, destination / "papers")
        meetings |= {c["meeting"] for c in paper.get("consultation", []) if c.get("meeting")}
        for file in paper.get("auxiliaryFile", []):
            text = root / "file-contents" / f"{file['id'].rsplit('/', 1)[-1]}.txt"
            if text.exists():
                shutil.copy(text, destination / "file-contents")
    for path in (root / "meetings").glob("*.json"):
        if json.loads(path.read_text(encoding="utf-8"))["id"] in meetings:
            shutil.copy(path, destination / "meetings")


@pytest.mark.slow
def test_ratsinfo_eval_serves_a_saved_oparl_folder_and_crawls_it(tmp_path: Path) -> None:
    folder = tmp_path / "oparl"
    _cut_folder(folder, {"2024/0884/1", "2024/0884/2", "2025/0014"})
    dataset = tmp_path / "process.jsonl"
    lines = [
        line
        for line in PROCESS_QA.read_text(encoding="utf-8").splitlines()
        if '"p11"' in line or '"p17"' in line
    ]
    dataset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {"RATSINFO_DATA_DIR": str(tmp_path / "unused")}
    result = CliRunner().invoke(
        cli_app, ["eval", "--dataset", str(dataset), "--oparl-mirror", str(folder), "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["questions"] == 2 and metrics["process_questions"] == 2
    assert metrics["process_result_accuracy"]["value"] == 1.0 and metrics["process_invented_results"] == 0
    assert "OParl-Abzug" in metrics["meta"]["settings"]["store"]
    assert not (tmp_path / "unused").exists()  # the operator's data dir is never written
    wrong = CliRunner().invoke(
        cli_app, ["eval", "--dataset", str(dataset), "--oparl-mirror", str(tmp_path)], env=env
    )
    assert wrong.exit_code == 2 and "OParl" in wrong.output


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ('"erledigt"', "must be an object"),
        ('{"kind": "vielleicht"}', "'kind' must be one of"),
        ('{"kind": "ergebnis", "dates": ["25.07.2025"]}', "'dates'"),
        ('{"kind": "ergebnis", "result": "erledigt", "no_result": true}', "'no_result'"),
        ('{"kind": "liste", "references": "2025/0518"}', "'references'"),
        ('{"kind": "ergebnis", "resut": "erledigt"}', "unknown key(s) 'resut'"),
    ],
)
def test_a_malformed_expectation_is_refused_naming_line_and_field(expected: str, message: str) -> None:
    head = '{"id": "x", "question": "Was wurde aus 2025/0518?", "relevant": ["2025/0518"], "answerable": true'
    line = f'{head}, "expected": {expected}}}'
    with pytest.raises(DatasetError) as raised:
        parse_lines(["", line], source="process.jsonl")
    assert raised.value.line == 2 and raised.value.field == "expected" and message in str(raised.value)


def test_the_process_set_names_real_papers_of_the_karlsruhe_data() -> None:
    """Every paper the set names exists in the saved data (no invented references)."""
    shared_path("data", "oparl-karlsruhe")
    known: set[Any] = set()
    for path in (SHARED / "data" / "oparl-karlsruhe" / "papers").glob("*.json"):
        known.add(json.loads(path.read_text(encoding="utf-8")).get("reference"))
    for item in load_dataset(PROCESS_QA):
        assert set(item.relevant) <= known, item.id
        assert item.expected is not None and set(item.expected.references or ()) <= known, item.id
