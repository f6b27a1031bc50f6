"""Pure metric functions: ranking quality, abstention, agreement, percentiles, bootstrap intervals.

Ranking metrics take ``ranking`` (the doc id of each retrieved passage, best first; a document
may appear several times) and ``entries`` (per relevant entry of the question, the doc ids that
satisfy it). An entry counts once, at the first passage from one of its documents, so a question
that names two documents needs both for full recall, and a second passage of a document already
found earns nothing (in nDCG too).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

BOOTSTRAP_SEED = 20250701
BOOTSTRAP_RESAMPLES = 1000


def first_hits(ranking: Sequence[str], entries: Sequence[Collection[str]]) -> list[int | None]:
    """For each entry, the 1-based rank at which it is first satisfied (None: never)."""
    hits: list[int | None] = []
    for entry in entries:
        rank = next((position for position, doc in enumerate(ranking, start=1) if doc in entry), None)
        hits.append(rank)
    return hits


def recall_at_k(ranking: Sequence[str], entries: Sequence[Collection[str]], k: int) -> float:
    """Share of the relevant entries satisfied within the top ``k`` passages."""
    if not entries:
        raise ValueError("recall is undefined for a question without relevant entries")
    hits = first_hits(ranking, entries)
    return sum(1 for rank in hits if rank is not None and rank <= k) / len(entries)


def reciprocal_rank(ranking: Sequence[str], entries: Sequence[Collection[str]], k: int = 10) -> float:
    """1 / rank of the first passage that satisfies any entry, within the top ``k`` (else 0)."""
    ranks = [rank for rank in first_hits(ranking, entries) if rank is not None and rank <= k]
    return 1.0 / min(ranks) if ranks else 0.0


def ndcg_at_k(ranking: Sequence[str], entries: Sequence[Collection[str]], k: int = 10) -> float:
    """Binary-gain nDCG: gain 1 at the rank where an entry is first satisfied, ideal = all at the top."""
    if not entries:
        raise ValueError("nDCG is undefined for a question without relevant entries")
    dcg = 0.0
    satisfied = [False] * len(entries)
    for rank, doc in enumerate(ranking[:k], start=1):
        # One passage may satisfy several entries (a reference and a path naming the same file).
        new = [i for i, entry in enumerate(entries) if not satisfied[i] and doc in entry]
        for i in new:
            satisfied[i] = True
        if new:
            dcg += len(new) / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(entries), k) + 1))
    return dcg / ideal


def abstention_precision(abstained: Sequence[bool], answerable: Sequence[bool]) -> float:
    """Of the questions the system abstained on, the share that had no answer in the documents.

    With no abstention at all there is no wrong abstention: 1.0 (recall then shows the failure).
    """
    pairs = list(zip(abstained, answerable, strict=True))
    abstentions = [answer for abstain, answer in pairs if abstain]
    if not abstentions:
        return 1.0
    return sum(1 for answer in abstentions if not answer) / len(abstentions)


def abstention_recall(abstained: Sequence[bool], answerable: Sequence[bool]) -> float:
    """Of the unanswerable questions, the share the system abstained on (1.0 if there are none)."""
    pairs = list(zip(abstained, answerable, strict=True))
    unanswerable = [abstain for abstain, answer in pairs if not answer]
    if not unanswerable:
        return 1.0
    return sum(1 for abstain in unanswerable if abstain) / len(unanswerable)


def accuracy(labels: Sequence[bool], predictions: Sequence[bool]) -> float:
    pairs = list(zip(labels, predictions, strict=True))
    if not pairs:
        raise ValueError("accuracy of an empty set")
    return sum(1 for label, prediction in pairs if label == prediction) / len(pairs)


def cohen_kappa(labels: Sequence[bool], predictions: Sequence[bool]) -> float:
    """Agreement beyond chance between two binary raters (Cohen 1960); 0 = chance, 1 = perfect."""
    pairs = list(zip(labels, predictions, strict=True))
    if not pairs:
        raise ValueError("kappa of an empty set")
    n = len(pairs)
    observed = sum(1 for label, prediction in pairs if label == prediction) / n
    label_yes = sum(1 for label, _ in pairs if label) / n
    prediction_yes = sum(1 for _, prediction in pairs if prediction) / n
    expected = label_yes * prediction_yes + (1 - label_yes) * (1 - prediction_yes)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    return float(np.percentile(np.asarray(values, dtype=float), q))


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def bootstrap_ci(
    rows: Sequence[T],
    statistic: Callable[[Sequence[T]], float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    level: float = 0.95,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over ``rows`` (resampled with replacement).

    A fixed seed makes the interval reproducible run to run. Rows are whole questions, so
    paired quantities (abstained, answerable) stay together.
    """
    if not rows:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    n = len(rows)
    estimates = np.empty(resamples)
    for i in range(resamples):
        indices = rng.integers(0, n, size=n)
        estimates[i] = statistic([rows[j] for j in indices])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(estimates, [tail, 100 - tail])
    return (float(low), float(high))


def estimate(
    rows: Sequence[T],
    statistic: Callable[[Sequence[T]], float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, float]:
    """``{"value", "ci_low", "ci_high", "n"}`` for a statistic over per-question rows."""
    value = statistic(rows) if rows else 0.0
    low, high = bootstrap_ci(rows, statistic, resamples=resamples, seed=seed)
    return {"value": round(value, 4), "ci_low": round(low, 4), "ci_high": round(high, 4), "n": len(rows)}


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a share (95 % by default): unlike the bootstrap it stays inside
    [0, 1] and is not degenerate at 0 or n successes, which small groups of questions often hit."""
    if n == 0:
        return (0.0, 0.0)
    share = successes / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    spread = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - spread), min(1.0, centre + spread))


def share_estimate(flags: Sequence[bool]) -> dict[str, float]:
    """``{"value", "ci_low", "ci_high", "n", "k"}`` of a share of questions, Wilson interval."""
    hits = sum(1 for flag in flags if flag)
    low, high = wilson_interval(hits, len(flags))
    value = hits / len(flags) if flags else 0.0
    return {
        "value": round(value, 4),
        "ci_low": round(low, 4),
        "ci_high": round(high, 4),
        "n": len(flags),
        "k": hits,
    }
