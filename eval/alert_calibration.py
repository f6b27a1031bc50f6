"""Calibrates the relevance rule of saved-search alerts on eval/data/alert_queries.jsonl.

Each line is a topic a council member might save ("Radweg Weserpromenade"), the documents of
the sample corpus that such a member wants to hear about (``relevant``: its papers, answers and
the minutes that treat it) and those that merely touch it (``acceptable``: neither rewarded nor
counted as false alarms). Queries without relevant documents are topics the corpus lacks: every
match is a false alarm.

The whole corpus plays the run's new documents: each query runs through the hybrid retrieval
restricted to them, as ``alert_matching`` does, and every retrieved document's coverage
(``alert_relevance``) is judged against the labels for each threshold of a grid.

    python -m eval.alert_calibration [--json]
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.access import LOCAL_OPERATOR
from assistant.config import Settings
from assistant.models import SearchFilters
from assistant.service.alert_relevance import matching_documents, term_weights
from assistant.services import Services, build_services
from eval.workspace import ingest_sample_corpus

QUERIES = Path(__file__).resolve().parent / "data" / "alert_queries.jsonl"
GRID = tuple(round(0.30 + 0.05 * step, 2) for step in range(14))  # 0.30 … 0.95


@dataclass(frozen=True, slots=True)
class Judged:
    query: str
    reference: str
    coverage: float
    relevant: bool


def load_queries(path: Path = QUERIES) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def judge(services: Services, queries: list[dict[str, object]]) -> tuple[list[Judged], int]:
    """Every retrieved, labelled document with its coverage; and how many relevant ones exist."""
    documents = services.store.documents()
    everything = SearchFilters(doc_ids=frozenset(documents))
    judged: list[Judged] = []
    wanted = 0
    for entry in queries:
        query = str(entry["query"])
        relevant = set(entry.get("relevant", []))  # type: ignore[call-overload]
        acceptable = set(entry.get("acceptable", []))  # type: ignore[call-overload]
        wanted += len(relevant)
        passages = services.retriever.search(query, LOCAL_OPERATOR, everything, 3 * len(documents))
        weights = term_weights(query, services.store.bm25())
        for match in matching_documents(passages, weights, threshold=0.0):
            reference = documents[match.doc_id].reference
            if reference in acceptable:
                continue
            judged.append(Judged(query, reference, match.coverage, reference in relevant))
    return judged, wanted


def grid(judged: list[Judged], wanted: int) -> list[dict[str, float]]:
    """Precision, recall and F1 of the matches at each threshold of ``GRID``."""
    rows = []
    for threshold in GRID:
        matched = [item for item in judged if item.coverage >= threshold]
        hits = sum(item.relevant for item in matched)
        precision = hits / len(matched) if matched else 1.0
        recall = hits / wanted if wanted else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {
                "threshold": threshold,
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "f1": round(f1, 3),
                "false_alarms": len(matched) - hits,
            }
        )
    return rows


def calibrate() -> list[dict[str, float]]:
    """The grid over the sample corpus, ingested into a temporary data dir."""
    with tempfile.TemporaryDirectory(prefix="ratsinfo-alert-calibration-") as folder:
        services = build_services(Settings(data_dir=Path(folder) / "data"))
        try:
            ingest_sample_corpus(services, Path(folder))
            return grid(*judge(services, load_queries()))
        finally:
            services.close()


def main() -> None:
    rows = calibrate()
    if "--json" in sys.argv:
        print(json.dumps(rows, indent=2))
        return
    print("threshold  precision  recall     f1  false alarms")
    for row in rows:
        print(
            f"{row['threshold']:>9.2f}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  "
            f"{row['f1']:>5.3f}  {row['false_alarms']:>12}"
        )


if __name__ == "__main__":
    main()
