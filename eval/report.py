"""The run's record: metrics.json (flat metrics plus context), questions.json and report.html."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.runner import QuestionResult
from eval.summary import COUNT_METRICS, LATENCY_METRICS, QUALITY_METRICS


def build_metrics_document(
    metrics: Mapping[str, Any],
    curve: Mapping[int, float],
    *,
    dataset: str,
    judge: str,
    validation: Mapping[str, Any] | None,
    settings: Mapping[str, Any],
    deltas: Mapping[str, Any] | None = None,
    compared_with: str = "",
    gate_failures: Sequence[str] | None = None,
    gate_file: str = "",
) -> dict[str, Any]:
    """metrics.json: every metric at the top level (``jq '."recall@10".value'``), then the context."""
    document: dict[str, Any] = dict(metrics)
    document["recall_curve"] = {str(k): v for k, v in sorted(curve.items())}
    document["meta"] = {
        "dataset": dataset,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "judge": judge,
        "settings": dict(settings),
        "quality_metrics": list(QUALITY_METRICS),
        "count_metrics": list(COUNT_METRICS),
        "latency_metrics": list(LATENCY_METRICS),
    }
    if validation is not None:
        document["judge_validation"] = {key: value for key, value in validation.items() if key != "errors"}
    if deltas is not None:
        document["compare"] = {"previous": compared_with, "deltas": dict(deltas)}
    if gate_failures is not None:
        document["gate"] = {
            "thresholds": gate_file,
            "passed": not gate_failures,
            "failures": list(gate_failures),
        }
    return document


def question_record(result: QuestionResult) -> dict[str, Any]:
    """Everything the drill-down shows about one question, JSON-ready."""
    response = result.response
    return {
        "id": result.item.id,
        "question": result.item.question,
        "user": result.user,
        "answerable": result.item.answerable,
        "relevant": list(result.item.relevant),
        "unresolved": result.unresolved,
        "note": result.item.note,
        "process": result.process.to_dict() if result.process else None,
        "error": result.error,
        "abstained": result.abstained,
        "answer": response.answer if response else "",
        "citations": [
            {
                "n": c.n,
                "reference": c.reference,
                "title": c.title,
                "source": c.source,
                "page": c.page,
                "text": c.text,
            }
            for c in (response.citations if response else [])
        ],
        "sentences": [
            {
                "text": s.text,
                "citations": list(s.citations),
                "supported": s.supported,
                "score": s.verdict.score,
                "reason": s.verdict.reason,
                "precise": list(s.precise),
            }
            for s in result.grounding.sentences
        ],
        "citation_recall": round(result.grounding.citation_recall, 4) if not result.abstained else None,
        "citation_precision": round(result.grounding.citation_precision, 4) if not result.abstained else None,
        "claims": [
            {"claim": claim, "supported": verdict.supported, "reason": verdict.reason}
            for claim, verdict in result.claims
        ],
        "correctness": result.correctness,
        "tags": list(result.item.tags),
        "trace": response.trace.model_dump() if response and response.trace else None,
        "retrieved": [
            {
                "reference": p.reference,
                "title": p.title,
                "source": p.source,
                "page": p.page,
                "score": p.score,
                "relevant": p.relevant,
            }
            for p in result.retrieved
        ],
        "first_hits": result.first_hits,
        "recall@10": result.recall.get(10),
        "reciprocal_rank": round(result.reciprocal_rank, 4),
        "leaks": result.leaks.to_dict(),
        "search_ms": round(result.search_ms, 2),
        "ask_ms": round(result.ask_ms, 2),
    }


def write_report(
    directory: Path,
    document: Mapping[str, Any],
    results: Sequence[QuestionResult],
    validation: Mapping[str, Any] | None,
    previous_curve: Mapping[int, float] | None = None,
) -> Path:
    """Write metrics.json, questions.json and report.html into ``directory``; returns the HTML path."""
    from eval.html_report import render_html

    directory.mkdir(parents=True, exist_ok=True)
    records = [question_record(result) for result in results]
    (directory / "metrics.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (directory / "questions.json").write_text(
        json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    html = render_html(
        document,
        records,
        validation,
        search_ms=[r.search_ms for r in results if not r.error],
        ask_ms=[r.ask_ms for r in results if not r.error],
        previous_curve=previous_curve,
    )
    path = directory / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
