"""When a new document matches a saved search's query: the relevance rule of alerts.

The query runs through the same hybrid retrieval as the search tab, restricted to the run's
documents. Retrieval ranks, it does not decide: dense retrieval always finds something. So a
document matches only when it states at least ``MIN_COVERAGE`` of the query's key terms, each
weighted by its rarity in the whole store (BM25 idf; a term the store lacks weighs like one found
once): a term in the document's title, subject or reference counts fully, a term in its best
passages half per occurrence (a passing mention is half, two are a theme). Stop words are no key
terms, so a document that shares only "der" or "und" with the query covers nothing, and a query
of stop words alone cannot be saved. A term of five letters or more also counts inside a longer
compound ("Radweg" in "Radwegenetz"), never the other way round ("Haushalt" does not cover
"Bürgerhaushalt").

``MIN_COVERAGE`` is calibrated on ``eval/data/alert_queries.jsonl`` (30 topics over the sample
corpus, 6 of them absent from it, with the documents a council member wants to hear of;
``python -m eval.alert_calibration`` prints the grid): at 0.55, precision 0.964 and recall
0.869 (F1 0.914; the best F1, 0.916 at 0.45, pays for 0.016 of recall with 8 false alarms
instead of 2). At 0.50 and below, one passing mention of a one-word topic would match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.models import Passage
from assistant.store.bm25_index import Bm25Index
from ingest.text.identifiers import identifiers
from ingest.text.words import analyze, search_terms

MIN_COVERAGE = 0.55  # calibrated: see the module docstring
PASSAGES_PER_DOCUMENT = 3
_MIN_PART = 5  # letters of a term that also counts inside a longer compound
_STEM = re.compile(r"\w+")  # what analyze() makes; identifiers hold "/", "-", "." or blanks
_BODY_CREDIT = 0.5  # of a term's weight per occurrence in the passages (a passing mention is half)


@dataclass(frozen=True, slots=True)
class Match:
    """A document that matched: its coverage of the query and its best passage."""

    doc_id: str
    coverage: float
    chunk_id: str


def key_terms(query: str) -> list[str]:
    """The query's terms that count: stems of content words and whole identifiers."""
    return list(dict.fromkeys(search_terms(query)))


def term_weights(query: str, index: Bm25Index) -> dict[str, float]:
    """Each key term of ``query`` weighted by its idf in the store."""
    weights: dict[str, float] = {}
    for term in key_terms(query):
        idf = index.idf(term)
        weights[term] = idf if idf is not None else index.unseen_idf()
    return weights


class Terms:
    """The terms of texts, analysed once per matching run (many searches read the same passages).

    Identifiers ("2025/0190") are only looked for when a query has one: they cost more to find
    than the stems, and a query without them cannot count them.
    """

    def __init__(self) -> None:
        self._stems: dict[str, list[str]] = {}
        self._identifiers: dict[str, list[str]] = {}

    def of(self, key: str, text: str, with_identifiers: bool) -> list[str]:
        stems = self._stems.get(key)
        if stems is None:
            stems = self._stems[key] = analyze(text)
        if not with_identifiers:
            return stems
        found = self._identifiers.get(key)
        if found is None:
            found = self._identifiers[key] = identifiers(text)
        return stems + found


def _occurrences(term: str, words: list[str]) -> int:
    """How often ``term`` occurs in ``words``, also as the start or part of a longer compound."""
    return sum(1 for word in words if word == term or (len(term) >= _MIN_PART and term in word))


def coverage(weights: dict[str, float], head: list[str], body: list[str]) -> float:
    """Share of the weighted key terms the document states: a term in the terms of its ``head``
    (title, subject, reference) counts fully, one in its passages' ``body`` half per occurrence."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    found = 0.0
    for term, weight in weights.items():
        if _occurrences(term, head):
            found += weight
        else:
            found += weight * min(1.0, _BODY_CREDIT * _occurrences(term, body))
    return found / total


def matching_documents(
    passages: Sequence[Passage],
    weights: dict[str, float],
    threshold: float = MIN_COVERAGE,
    terms: Terms | None = None,
) -> list[Match]:
    """The documents among ``passages`` (ranked) whose best passages cover the query, best first."""
    terms = terms or Terms()
    with_identifiers = any(not _STEM.fullmatch(term) for term in weights)  # "2025/0190", "top 5"
    grouped: dict[str, list[Passage]] = {}
    for passage in passages:
        grouped.setdefault(passage.document.doc_id, []).append(passage)
    matches = []
    for doc_id, found in grouped.items():
        best = found[:PASSAGES_PER_DOCUMENT]
        document = best[0].document
        heading = " ".join((document.title, document.subject, document.reference))
        head = terms.of(doc_id, heading, with_identifiers)
        body = [term for p in best for term in terms.of(p.chunk.chunk_id, p.chunk.text, with_identifiers)]
        share = coverage(weights, head, body)
        if share >= threshold:
            matches.append(Match(doc_id, round(share, 3), best[0].chunk.chunk_id))
    return matches
