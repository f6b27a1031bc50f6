"""One evaluation run end to end: questions → results → metrics → comparison, gate and report.

The CLI (``ratsinfo eval``) and the tests call :func:`run_suite` with services they built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering.judging.base import Judge
from assistant.services import Services
from eval.dataset import QAItem
from eval.gate import check_gate, compare, load_previous, load_thresholds
from eval.judges.validation import JUDGE_PAIRS, load_pairs, validate_judge
from eval.report import build_metrics_document, write_report
from eval.runner import QuestionResult, evaluate
from eval.summary import COUNT_METRICS, LATENCY_METRICS, QUALITY_METRICS, recall_curve, summarize
from eval.users import UserDirectory


@dataclass(slots=True)
class SuiteOutcome:
    document: dict[str, Any]
    results: list[QuestionResult]
    gate_failures: list[str] = field(default_factory=list)
    report: Path | None = None


def run_suite(
    services: Services,
    items: Sequence[QAItem],
    judge: Judge,
    users: UserDirectory,
    *,
    dataset: str,
    report_dir: Path | None = None,
    compare_with: Path | None = None,
    gate: Path | None = None,
    validate: bool = True,
    judge_pairs: Path = JUDGE_PAIRS,
    resamples: int = 1000,
    store: str = "",
    on_progress: Callable[[int, int], None] | None = None,
) -> SuiteOutcome:
    """Evaluate ``items`` against ``services``; write the report when ``report_dir`` is given."""
    # Read the inputs that can be wrong before spending minutes on the questions.
    previous = load_previous(compare_with) if compare_with else None
    thresholds = load_thresholds(gate) if gate else None

    results = evaluate(services, items, judge, users, on_progress=on_progress)
    metrics = summarize(results, resamples=resamples)
    curve = recall_curve(results)
    validation = validate_judge(judge, load_pairs(judge_pairs)) if validate else None

    deltas = None
    previous_curve = None
    if previous is not None:
        deltas = compare(metrics, previous, [*QUALITY_METRICS, *COUNT_METRICS, *LATENCY_METRICS])
        previous_curve = {int(k): float(v) for k, v in previous.get("recall_curve", {}).items()}
    failures = check_gate(metrics, thresholds) if thresholds is not None else None

    settings = services.settings
    document = build_metrics_document(
        metrics,
        curve,
        dataset=dataset,
        judge=judge.name,
        validation=validation,
        settings={
            "embed_model": settings.embed_model,
            "top_k": settings.top_k,
            "candidate_k": settings.candidate_k,
            "answer_min_evidence": settings.answer_min_evidence,
            "answer_mode": services.service.answer_mode(),
            "store": store or str(settings.data_dir),
        },
        deltas=deltas,
        compared_with=str(compare_with or ""),
        gate_failures=failures,
        gate_file=str(gate or ""),
    )
    report = write_report(report_dir, document, results, validation, previous_curve) if report_dir else None
    return SuiteOutcome(document=document, results=results, gate_failures=failures or [], report=report)
