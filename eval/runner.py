"""Drives the assistant's own services as users do: search and ask per question, timed and judged.

For every question the runner searches (top ``k`` passages, for the ranking metrics) and asks
(the answer as a user gets it), both through the service layer (assistant/service) as the
question's user, with interface "eval": the access rule, the opening of a bare reference and the
audit record are those of every user, so the evaluation measures what a user gets. It then judges
each answer sentence against the passages it cites (ALCE), each reference claim against the
answer, and checks both results for passages the user may not see. One untimed warm-up query
loads the indexes first, so that p95 latency measures answering, not loading.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from assistant.answering.judging.base import Judge, Verdict
from assistant.errors import RatsinfoError
from assistant.schemas import AskResponse
from assistant.service import Caller
from assistant.services import Services
from eval.dataset import QAItem, resolve_relevant
from eval.grounding import AnswerGrounding, claim_recall, ground_answer
from eval.leakage import LeakDetector, Leaks
from eval.metrics import first_hits, ndcg_at_k, recall_at_k, reciprocal_rank
from eval.process_checks import ProcessCheck, check_answer
from eval.users import UserDirectory

K = 10
T = TypeVar("T")
INTERFACE = "eval"  # the interface the audit records of an evaluation name


@dataclass(frozen=True, slots=True)
class RetrievedPassage:
    doc_id: str
    reference: str
    title: str
    source: str
    page: int
    score: float
    relevant: bool


@dataclass(slots=True)
class QuestionResult:
    item: QAItem
    user: str
    retrieved: list[RetrievedPassage] = field(default_factory=list)
    entries: list[frozenset[str]] = field(default_factory=list)  # per relevant entry: doc ids
    unresolved: list[str] = field(default_factory=list)
    first_hits: list[int | None] = field(default_factory=list)
    recall: dict[int, float] = field(default_factory=dict)  # k → recall@k (answerable only)
    reciprocal_rank: float = 0.0
    ndcg: float = 0.0
    response: AskResponse | None = None
    grounding: AnswerGrounding = field(default_factory=AnswerGrounding)
    claims: list[tuple[str, Verdict]] = field(default_factory=list)
    leaks: Leaks = field(default_factory=Leaks)
    process: ProcessCheck | None = None  # a process question's checks (eval/process_checks.py)
    search_ms: float = 0.0
    ask_ms: float = 0.0
    error: str = ""

    @property
    def abstained(self) -> bool:
        return self.response is None or self.response.abstained

    @property
    def has_ranking_target(self) -> bool:
        """Ranking metrics count for answerable questions that name relevant documents."""
        return self.item.answerable and bool(self.entries)

    @property
    def cites_expected(self) -> bool:
        """The answer cites a document the question names as relevant (an abstention does not)."""
        if self.abstained or self.response is None or not self.entries:
            return False
        relevant = set().union(*self.entries)
        return any(citation.doc_id in relevant for citation in self.response.citations)

    @property
    def correctness(self) -> float | None:
        """Share of reference claims found in the answer; None without claims; 0 when abstained."""
        if not self.item.answerable or not self.item.claims:
            return None
        if self.abstained:
            return 0.0
        return sum(1 for _, verdict in self.claims if verdict.supported) / len(self.claims)


def _cited_passages(response: AskResponse) -> dict[int, str]:
    """Citation number → the text the judge reads: title, then passage, as ALCE formats documents."""
    texts = {}
    for citation in response.citations:
        title = citation.title.strip()
        # A full stop after the title keeps the sentence splitter from gluing it to the passage.
        heading = f"{title}\n" if title.endswith((".", "!", "?", ":")) else f"{title}.\n" if title else ""
        texts[citation.n] = heading + citation.text
    return texts


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = call()
    return value, (time.perf_counter() - started) * 1000


def evaluate(
    services: Services,
    items: Sequence[QAItem],
    judge: Judge,
    users: UserDirectory,
    *,
    k: int = K,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[QuestionResult]:
    """Run every question through the service's search and ask and judge the results."""
    service = services.service
    # The store is read for the ground truth only: which documents exist and who may see them.
    documents = services.store.documents()
    detector = LeakDetector(services.store)
    principals = {item.id: users.principal(item.user) for item in items}  # unknown users fail early
    if items:
        warm = Caller(principals[items[0].id], INTERFACE)
        service.search(warm, items[0].question, None, k)
        service.ask(warm, items[0].question, explain=True)

    results: list[QuestionResult] = []
    for position, item in enumerate(items, start=1):
        principal = principals[item.id]
        caller = Caller(principal, INTERFACE)
        result = QuestionResult(item=item, user=principal.name)
        result.entries, result.unresolved = resolve_relevant(item, documents)
        try:
            found, result.search_ms = _timed(partial(service.search, caller, item.question, None, k))
            response, result.ask_ms = _timed(partial(service.ask, caller, item.question, explain=True))
        except RatsinfoError as error:
            result.error = str(error)
            results.append(result)
            continue
        result.response = response
        if item.expected is not None:
            result.process = check_answer(item.expected, item.question, response)
        hits = found.results
        ranking = [hit.doc_id for hit in hits]
        relevant_docs = set().union(*result.entries) if result.entries else set()
        result.retrieved = [
            RetrievedPassage(
                doc_id=hit.doc_id,
                reference=hit.reference,
                title=hit.title,
                source=hit.source,
                page=hit.page,
                score=hit.score,
                relevant=hit.doc_id in relevant_docs,
            )
            for hit in hits
        ]
        if result.has_ranking_target:
            result.first_hits = first_hits(ranking, result.entries)
            result.recall = {
                cutoff: recall_at_k(ranking, result.entries, cutoff) for cutoff in range(1, k + 1)
            }
            result.reciprocal_rank = reciprocal_rank(ranking, result.entries, k)
            result.ndcg = ndcg_at_k(ranking, result.entries, k)
        if not response.abstained:
            result.grounding = ground_answer(response.answer, _cited_passages(response), judge)
            result.claims = list(
                zip(item.claims, claim_recall(item.claims, response.answer, judge), strict=True)
            )
        result.leaks = detector.check(principal, ranking, response, services.store.documents())
        results.append(result)
        if on_progress:
            on_progress(position, len(items))
    return results
