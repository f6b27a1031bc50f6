"""Aggregates per-question results into the metrics of metrics.json, with bootstrap intervals.

Which questions count where:

* ranking (recall@k, MRR@10, nDCG@10): answerable questions that name relevant documents;
* citation recall and precision: questions the system answered (did not abstain on);
* answer correctness: answerable questions with reference claims (an abstention scores 0);
* abstention precision and recall: all questions;
* expected document cited: answerable questions that name relevant documents (an abstention
  counts as a miss); unanswerable declined: unanswerable questions; both shares with a Wilson
  interval, also per tag (``by_tag``: e.g. the paraphrased questions apart from the others);
* leakage and latency: all questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.metrics import (
    abstention_precision,
    abstention_recall,
    estimate,
    mean,
    percentile,
    share_estimate,
)
from eval.process_checks import process_metrics
from eval.runner import K, QuestionResult

QUALITY_METRICS = (
    "recall@1",
    "recall@3",
    "recall@5",
    "recall@10",
    "mrr@10",
    "ndcg@10",
    "citation_recall",
    "citation_precision",
    "answer_correctness",
    "abstention_precision",
    "abstention_recall",
    "expected_cited",
    "unanswerable_declined",
)
COUNT_METRICS = ("leaked_passages", "leaked_retrieved", "leaked_cited", "leaked_quoted")
LATENCY_METRICS = ("search_p50_ms", "search_p95_ms", "ask_p50_ms", "ask_p95_ms")
# What `ratsinfo eval` prints without --json.
HEADLINE_METRICS = (*QUALITY_METRICS[2:], "leaked_passages", *LATENCY_METRICS)


def _abstention_precision(rows: Sequence[QuestionResult]) -> float:
    return abstention_precision([r.abstained for r in rows], [r.item.answerable for r in rows])


def _abstention_recall(rows: Sequence[QuestionResult]) -> float:
    return abstention_recall([r.abstained for r in rows], [r.item.answerable for r in rows])


def summarize(results: Sequence[QuestionResult], *, resamples: int = 1000) -> dict[str, Any]:
    """All metrics: quality ones as ``{"value", "ci_low", "ci_high", "n"}``, counts and latencies plain."""
    ranked = [r for r in results if r.has_ranking_target and not r.error]
    answered = [r for r in results if not r.abstained and not r.error]
    with_claims = [r.correctness for r in results if r.correctness is not None and not r.error]
    judged = [r for r in results if not r.error]

    metrics: dict[str, Any] = {}
    for cutoff in (1, 3, 5, K):
        metrics[f"recall@{cutoff}"] = estimate([r.recall[cutoff] for r in ranked], mean, resamples=resamples)
    metrics["mrr@10"] = estimate([r.reciprocal_rank for r in ranked], mean, resamples=resamples)
    metrics["ndcg@10"] = estimate([r.ndcg for r in ranked], mean, resamples=resamples)
    metrics["citation_recall"] = estimate(
        [r.grounding.citation_recall for r in answered], mean, resamples=resamples
    )
    metrics["citation_precision"] = estimate(
        [r.grounding.citation_precision for r in answered], mean, resamples=resamples
    )
    metrics["answer_correctness"] = estimate(
        [c for c in with_claims if c is not None], mean, resamples=resamples
    )
    metrics["abstention_precision"] = estimate(judged, _abstention_precision, resamples=resamples)
    metrics["abstention_recall"] = estimate(judged, _abstention_recall, resamples=resamples)

    metrics.update(_shares(results))
    metrics["by_tag"] = by_tag(results, resamples=resamples)

    metrics["leaked_retrieved"] = sum(len(r.leaks.retrieved) for r in results)
    metrics["leaked_cited"] = sum(len(r.leaks.cited) for r in results)
    metrics["leaked_quoted"] = sum(len(r.leaks.quoted) for r in results)
    metrics["leaked_passages"] = (
        metrics["leaked_retrieved"] + metrics["leaked_cited"] + metrics["leaked_quoted"]
    )

    search = [r.search_ms for r in judged]
    ask = [r.ask_ms for r in judged]
    metrics["search_p50_ms"] = round(percentile(search, 50), 2)
    metrics["search_p95_ms"] = round(percentile(search, 95), 2)
    metrics["ask_p50_ms"] = round(percentile(ask, 50), 2)
    metrics["ask_p95_ms"] = round(percentile(ask, 95), 2)

    metrics.update(process_metrics([r.process for r in results], resamples=resamples))

    metrics["questions"] = len(results)
    metrics["answerable"] = sum(1 for r in results if r.item.answerable)
    metrics["unanswerable"] = sum(1 for r in results if not r.item.answerable)
    metrics["abstained"] = sum(1 for r in judged if r.abstained)
    metrics["errors"] = sum(1 for r in results if r.error)
    metrics["unresolved_relevant"] = sum(len(r.unresolved) for r in results)
    return metrics


def _shares(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The two shares the answers are judged by: expected document cited, unanswerable declined."""
    judged = [r for r in results if not r.error]
    return {
        "expected_cited": share_estimate([r.cites_expected for r in judged if r.has_ranking_target]),
        "unanswerable_declined": share_estimate([r.abstained for r in judged if not r.item.answerable]),
    }


def by_tag(results: Sequence[QuestionResult], *, resamples: int = 1000) -> dict[str, Any]:
    """Per tag of the dataset (and ``untagged``): the shares, answer correctness and recall@5 of
    its questions, so that a group such as the paraphrased questions is reported apart."""
    groups: dict[str, list[QuestionResult]] = {}
    for result in results:
        for tag in result.item.tags or ("untagged",):
            groups.setdefault(tag, []).append(result)
    if set(groups) == {"untagged"}:
        return {}
    report: dict[str, Any] = {}
    for tag, rows in sorted(groups.items()):
        judged = [r for r in rows if not r.error]
        claims = [r.correctness for r in judged if r.correctness is not None]
        ranked = [r.recall[5] for r in judged if r.has_ranking_target]
        report[tag] = {
            "questions": len(rows),
            **_shares(rows),
            "answer_correctness": estimate([c for c in claims if c is not None], mean, resamples=resamples),
            "recall@5": estimate(ranked, mean, resamples=resamples),
        }
    return report


def recall_curve(results: Sequence[QuestionResult]) -> dict[int, float]:
    """Mean recall@k for k = 1 … 10 over the ranked questions."""
    ranked = [r for r in results if r.has_ranking_target and not r.error]
    return {cutoff: round(mean([r.recall[cutoff] for r in ranked]), 4) for cutoff in range(1, K + 1)}
