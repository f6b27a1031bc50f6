"""Answers without an LLM: quote the sentences of the top passages that best answer the question.

Abstention: the question's key words are weighted by their rarity in the corpus (BM25 idf; a
word the corpus lacks gets the highest weight). If the best passages cover less than
``abstain_threshold`` of that weight, there is no answer in the documents, and quoting the
nearest noise would mislead, so the composer abstains. The threshold is calibrated on the
sample QA set (see eval/calibrate.py and the README).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from assistant.answering.answer_types import answer_kind, can_state
from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.models import Passage
from assistant.schemas import AskResponse, Citation
from assistant.store.store import Store
from ingest.text.sentences import split_sentences
from ingest.text.words import analyze

ABSTENTION = "Dazu habe ich in den Dokumenten, auf die Sie Zugriff haben, keine belastbare Antwort gefunden."
_WHITESPACE = re.compile(r"\s+")
# "Technolo-\ngie" → "Technologie", but "Bau- und Planungsausschuss" stays.
_HYPHENATED = re.compile(r"(\w)-[ \t]*\n[ \t]*(?!(?:und|oder|bzw|sowie|bis)\b)([a-zäöüß])")
_LIST_MARKER = re.compile(r"^(?:[-•*]|\d{1,2}[.)]|[a-z][.)])\s+")
_MIN_SENTENCE_CHARS = 25
# How many of the top passages must jointly cover the question's key words.
_COVERAGE_PASSAGES = 3


@dataclass(frozen=True, slots=True)
class _Candidate:
    passage_rank: int
    start: int  # offsets in the chunk text
    end: int
    text: str
    support: float  # share of the question's weighted key words the sentence states
    score: float  # support plus tie-breakers


def _clean(sentence: str) -> str:
    """Readable quote: one line, no list marker or markdown, hyphenation across lines undone."""
    text = _HYPHENATED.sub(r"\1\2", sentence)
    text = _WHITESPACE.sub(" ", text).strip()
    text = _LIST_MARKER.sub("", text)
    text = text.replace("**", "").strip()
    return text if text[-1:] in ".!?:;" else text + "."


class ExtractiveAnswerer:
    mode = "extractive"

    def __init__(self, embedder: Embedder, store: Store, settings: Settings) -> None:
        self._embedder = embedder
        self._store = store
        self._settings = settings

    def answer_from(self, question: str, passages: list[Passage]) -> AskResponse:
        """The extractive answer from passages already retrieved (also the LLM mode's fallback)."""
        weights = self._term_weights(question)
        if not passages or self.coverage(weights, passages) < self._settings.abstain_threshold:
            return AskResponse(
                question=question, answer=ABSTENTION, abstained=True, mode=self.mode, citations=[]
            )
        chosen = self._choose_sentences(question, weights, passages)
        if not chosen or max(c.support for c in chosen) < self._settings.answer_min_support:
            return AskResponse(
                question=question, answer=ABSTENTION, abstained=True, mode=self.mode, citations=[]
            )
        return self._compose(question, chosen, passages)

    # -- abstention --------------------------------------------------------------------------

    def covers(self, question: str, passages: list[Passage]) -> bool:
        """Do the passages cover enough of the question's key words to answer at all?"""
        return bool(passages) and (
            self.coverage(self._term_weights(question), passages) >= self._settings.abstain_threshold
        )

    def _term_weights(self, question: str) -> dict[str, float]:
        index = self._store.bm25()
        weights: dict[str, float] = {}
        for term in analyze(question):
            idf = index.idf(term)
            weights[term] = idf if idf is not None else index.unseen_idf()
        return weights

    @staticmethod
    def coverage(weights: dict[str, float], passages: list[Passage]) -> float:
        """Share of the question's weighted key words found in the best passages."""
        total = sum(weights.values())
        if total == 0:
            return 0.0
        present: set[str] = set()
        for passage in passages[:_COVERAGE_PASSAGES]:
            present.update(analyze(passage.chunk.text))
            present.update(analyze(passage.document.title))
        return sum(weight for term, weight in weights.items() if term in present) / total

    # -- sentence selection --------------------------------------------------------------------

    def _choose_sentences(
        self, question: str, weights: dict[str, float], passages: list[Passage]
    ) -> list[_Candidate]:
        """The best answering sentence of each of the top passages, in rank order."""
        candidates = self._candidates(question, weights, passages)
        if not candidates:
            return []
        question_vector = self._embedder.embed_query(question)
        similarity = self._embedder.embed_passages([c.text for c in candidates]) @ question_vector
        best_of_passage: dict[int, _Candidate] = {}
        for candidate, sim in zip(candidates, similarity, strict=True):
            # Support (key words, answer kind) dominates; dense similarity and rank break ties.
            score = candidate.support + 0.3 * float(np.clip(sim, 0, 1)) + 0.15 / (1 + candidate.passage_rank)
            scored = replace(candidate, score=score)
            current = best_of_passage.get(candidate.passage_rank)
            if current is None or scored.score > current.score:
                best_of_passage[candidate.passage_rank] = scored
        best = max(c.score for c in best_of_passage.values())
        chosen: list[_Candidate] = []
        seen_texts: set[str] = set()
        for rank in sorted(best_of_passage):
            candidate = best_of_passage[rank]
            key = _WHITESPACE.sub(" ", candidate.text.lower()).strip()
            if candidate.score < 0.6 * best or key in seen_texts:
                continue
            seen_texts.add(key)
            chosen.append(candidate)
            if len(chosen) == self._settings.answer_max_sentences:
                break
        return chosen

    @staticmethod
    def _candidates(question: str, weights: dict[str, float], passages: list[Passage]) -> list[_Candidate]:
        """Sentences of the passages that share key words with the question, with their support."""
        total_weight = sum(weights.values()) or 1.0
        kind = answer_kind(question)
        candidates: list[_Candidate] = []
        for rank, passage in enumerate(passages):
            # Words of the document's metadata (city, originator, title) count at half weight:
            # "Was beantragt die Fraktion in Dresden …" should prefer sentences of Dresden's papers.
            document = passage.document
            context = set(
                analyze(
                    f"{document.title} {document.originator} {document.municipality} {document.paper_type}"
                )
            )
            for start, end in split_sentences(passage.chunk.text):
                text = passage.chunk.text[start:end]
                # Too short to say anything, or a question (an Anfrage asks, it does not answer).
                if len(text.strip()) < _MIN_SENTENCE_CHARS or text.rstrip().endswith("?"):
                    continue
                terms = set(analyze(text))
                in_sentence = sum(weight for term, weight in weights.items() if term in terms)
                if in_sentence == 0:
                    continue
                in_context = sum(
                    weight for term, weight in weights.items() if term in context and term not in terms
                )
                support = (in_sentence + 0.5 * in_context) / total_weight
                if not can_state(kind, text):
                    support *= 0.5
                candidates.append(_Candidate(rank, start, end, text, support, support))
        return candidates

    def _compose(self, question: str, chosen: list[_Candidate], passages: list[Passage]) -> AskResponse:
        numbers: dict[int, int] = {}  # passage rank → citation number
        highlights: dict[int, list[tuple[int, int]]] = {}
        sentences = []
        for candidate in chosen:
            number = numbers.setdefault(candidate.passage_rank, len(numbers) + 1)
            offset = passages[candidate.passage_rank].chunk.start
            highlights.setdefault(candidate.passage_rank, []).append(
                (offset + candidate.start, offset + candidate.end)
            )
            sentences.append(f"{_clean(candidate.text)} [{number}]")
        citations = [
            citation_of(number, passages[rank], highlights[rank]) for rank, number in numbers.items()
        ]
        return AskResponse(
            question=question,
            answer=" ".join(sentences),
            abstained=False,
            mode=self.mode,
            citations=sorted(citations, key=lambda c: c.n),
        )


def citation_of(number: int, passage: Passage, highlights: list[tuple[int, int]]) -> Citation:
    """The response's record of ``passage`` cited as ``[number]`` (a record of the council
    process, when the passage is one)."""
    document, chunk = passage.document, passage.chunk
    return Citation(
        n=number,
        kind="record" if passage.record is not None else "passage",
        record=passage.record,
        doc_id=document.doc_id,
        reference=document.reference,
        title=document.title,
        paper_type=document.paper_type,
        paper_family=document.paper_family,
        date=document.date,
        source=document.source,
        url=document.url,
        page=chunk.page,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        highlights=highlights if passage.record is None else [],
        score=round(passage.score, 6),
    )
