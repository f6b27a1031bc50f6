"""The evaluation's metric functions on small examples computed by hand."""

from __future__ import annotations

import math

import pytest

from eval.metrics import (
    abstention_precision,
    abstention_recall,
    accuracy,
    bootstrap_ci,
    cohen_kappa,
    estimate,
    first_hits,
    mean,
    ndcg_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank,
    share_estimate,
    wilson_interval,
)

# Passages of documents a, b, c, a, d (a appears twice: two chunks of one document).
RANKING = ["a", "b", "c", "a", "d"]


def test_recall_counts_each_relevant_entry_once_at_its_first_document() -> None:
    entries = [{"c"}, {"d", "x"}]  # c at rank 3; the second entry is satisfied by d at rank 5
    assert first_hits(RANKING, entries) == [3, 5]
    assert recall_at_k(RANKING, entries, 1) == 0.0
    assert recall_at_k(RANKING, entries, 3) == 0.5
    assert recall_at_k(RANKING, entries, 5) == 1.0


def test_recall_of_an_entry_no_document_satisfies_stays_below_one() -> None:
    assert recall_at_k(RANKING, [{"b"}, {"missing"}], 10) == 0.5


def test_reciprocal_rank_is_one_over_the_first_relevant_rank_within_k() -> None:
    assert reciprocal_rank(RANKING, [{"c"}, {"d"}]) == pytest.approx(1 / 3)
    assert reciprocal_rank(RANKING, [{"d"}], k=4) == 0.0


def test_ndcg_by_hand() -> None:
    # Relevant: b (rank 2) and d (rank 5). DCG = 1/log2(3) + 1/log2(6); ideal = 1 + 1/log2(3).
    expected = (1 / math.log2(3) + 1 / math.log2(6)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(RANKING, [{"b"}, {"d"}]) == pytest.approx(expected)
    # The second chunk of document a (rank 4) earns nothing: only a first hit has gain.
    assert ndcg_at_k(RANKING, [{"a"}]) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], [{"a"}]) == pytest.approx(1 / math.log2(3))


def test_ranking_metrics_refuse_a_question_without_relevant_entries() -> None:
    with pytest.raises(ValueError, match="undefined"):
        recall_at_k(RANKING, [], 5)
    with pytest.raises(ValueError, match="undefined"):
        ndcg_at_k(RANKING, [])


def test_abstention_precision_and_recall_by_hand() -> None:
    abstained = [True, True, False, True, False]
    answerable = [False, True, False, False, True]
    # Abstained on 3, of which 2 were unanswerable; 3 unanswerable, of which 2 abstained on.
    assert abstention_precision(abstained, answerable) == pytest.approx(2 / 3)
    assert abstention_recall(abstained, answerable) == pytest.approx(2 / 3)
    # No abstention: nothing abstained wrongly (precision 1), but every unanswerable missed.
    assert abstention_precision([False, False], [False, True]) == 1.0
    assert abstention_recall([False, False], [False, True]) == 0.0


def test_cohen_kappa_by_hand() -> None:
    labels = [True, True, True, False, False, False, True, False]
    predictions = [True, True, False, False, False, True, True, False]
    # observed 6/8; both raters say yes half the time: expected 0.5 → kappa (0.75-0.5)/0.5
    assert accuracy(labels, predictions) == 0.75
    assert cohen_kappa(labels, predictions) == pytest.approx(0.5)
    assert cohen_kappa(labels, labels) == 1.0
    assert cohen_kappa(labels, [not x for x in labels]) == pytest.approx(-1.0)


def test_percentile_interpolates_linearly() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.5)
    assert percentile([], 95) == 0.0


def test_bootstrap_interval_is_reproducible_and_brackets_the_mean() -> None:
    values = [1.0] * 30 + [0.0] * 10
    first = bootstrap_ci(values, mean)
    assert first == bootstrap_ci(values, mean)  # fixed seed
    low, high = first
    assert low < mean(values) < high
    assert low > 0.55 and high < 0.9  # a sample of 40 at 0.75 cannot be pinned closer than that
    assert bootstrap_ci([1.0] * 20, mean) == (1.0, 1.0)


def test_estimate_has_value_interval_and_count() -> None:
    result = estimate([0.0, 1.0, 1.0, 1.0], mean, resamples=200)
    assert result["value"] == 0.75 and result["n"] == 4
    assert result["ci_low"] <= 0.75 <= result["ci_high"]


def test_wilson_interval_by_hand_and_at_the_edges() -> None:
    low, high = wilson_interval(8, 10)  # the textbook example: 0.490 – 0.943
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 5)[0] == 0.0 and 0.0 < wilson_interval(0, 5)[1] < 0.5  # not degenerate
    assert wilson_interval(5, 5)[1] == 1.0 and 0.5 < wilson_interval(5, 5)[0] < 1.0
    assert wilson_interval(0, 0) == (0.0, 0.0)


def test_share_estimate_counts_hits_and_brackets_the_share() -> None:
    result = share_estimate([True, True, False, True])
    assert (result["k"], result["n"], result["value"]) == (3, 4, 0.75)
    assert result["ci_low"] < 0.75 < result["ci_high"]
