"""The real-data QA set over ../shared: its documents exist, its claims stand in them, and a run
over exactly those documents resolves every relevant entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.judging import LexicalJudge
from assistant.config import Settings
from eval.dataset import QAItem, load_dataset
from eval.runner import evaluate
from eval.summary import summarize
from eval.users import UserDirectory
from tests.conftest import REPO, shared_path

REAL_QA = REPO / "eval" / "data" / "real_qa.jsonl"


def _documents_of(item: QAItem, seeds: Path, karlsruhe: Path) -> list[Path]:
    """The files an entry names: a path suffix, or a seed whose header states the reference."""
    found = []
    for entry in item.relevant:
        if entry.startswith("file-contents/"):
            found.append(karlsruhe / entry)
        elif entry.startswith("seeds/"):
            found.append(seeds.parent / entry)
        else:
            found.extend(
                path
                for path in sorted(seeds.glob("*.txt"))
                if entry in path.read_text(encoding="utf-8")[:600]
            )
    return found


@pytest.fixture(scope="module")
def real_items() -> list[QAItem]:
    return load_dataset(REAL_QA)


def test_every_relevant_entry_names_an_existing_document_and_every_claim_stands_in_it(
    real_items: list[QAItem],
) -> None:
    seeds, karlsruhe = shared_path("seeds"), shared_path("data", "oparl-karlsruhe")
    judge = LexicalJudge()
    unsupported = []
    for item in real_items:
        files = _documents_of(item, seeds, karlsruhe)
        assert len(files) >= len(item.relevant) and all(path.is_file() for path in files), item.id
        texts = [path.read_text(encoding="utf-8") for path in files]
        unsupported += [(item.id, claim) for claim in item.claims if not judge.judge(claim, texts).supported]
    assert not unsupported
    assert sum(1 for item in real_items if not item.answerable) >= 8
    assert sum(1 for item in real_items if any(e.startswith("file-contents/") for e in item.relevant)) >= 35


@pytest.fixture(scope="module")
def real_subset_services(real_items: list[QAItem], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Only the documents the QA set names, ingested from ../shared (the full set takes a minute)."""
    from assistant.services import build_services

    seeds, karlsruhe = shared_path("seeds"), shared_path("data", "oparl-karlsruhe")
    files = sorted({str(path) for item in real_items for path in _documents_of(item, seeds, karlsruhe)})
    services = build_services(Settings.model_validate({"data_dir": tmp_path_factory.mktemp("real-data")}))
    report = services.ingestor.ingest([str(seeds), *files])
    assert not report.failed, report.failed
    yield services
    services.close()


def test_a_run_over_the_named_documents_resolves_every_entry(
    real_items: list[QAItem], real_subset_services: Any
) -> None:
    results = evaluate(real_subset_services, real_items, LexicalJudge(), UserDirectory())
    metrics = summarize(results, resamples=100)
    assert metrics["errors"] == 0
    assert metrics["unresolved_relevant"] == 0  # references of the seeds and paths of the Karlsruhe files
    assert metrics["recall@10"]["value"] >= 0.9  # 40-odd documents: the right one is near the top
    assert metrics["leaked_passages"] == 0
