"""What the retrieved passages offer as an answer: documents and candidate sentences, with features.

For a question and its retrieved passages this module measures, without deciding anything:

* per document: how close its best passage is to the question in meaning (cosine of the question
  vector with the passage's stored vector), and how much of the question's key-word weight its
  passages and metadata hold (lexical; words weighted by BM25 idf, so "Brinkhausen" counts more
  than "Stadt");
* per candidate sentence: its lexical share of the question, whether it states a new fact of the
  kind each question part asks for (``answer_types.states_new``), and its passage's and
  document's semantic closeness. The semantic closeness of the sentence itself is added later,
  for the few candidates worth embedding (``selection.py``).

Candidates come from the retrieved passages and, for the best documents, the chunks next to them:
the sentence that answers often stands one chunk after the one that matched the question's words.
An Anfrage (a question paper) whose answer (a Stellungnahme naming it) was retrieved as well does
not contribute sentences: it asks what the other document answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.answer_types import AnswerKind, QuestionPart, question_facts, states_new
from assistant.answering.judging.facts import Facts
from assistant.answering.quotes import Quote, Unquotable, quotes_of
from assistant.models import Passage
from assistant.store.store import Store
from ingest.records import DocumentInfo
from ingest.text.words import analyze

# Neighbouring chunks are read for this many of the best documents.
_NEIGHBOUR_DOCUMENTS = 2
_QUESTION_PAPER = re.compile(r"anfrage", re.IGNORECASE)
_ASKS_ABOUT_THE_QUESTION = re.compile(r"\b(?:welche fragen|was fragt|gefragt|anfrage gestellt)\b", re.I)


@dataclass(slots=True)
class QuestionTerms:
    """The question's key words (stems) weighted by their rarity in the corpus."""

    weights: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def share(self, terms: set[str]) -> float:
        """Share of the question's key-word weight found among ``terms``."""
        total = self.total
        if total == 0:
            return 0.0
        return sum(weight for term, weight in self.weights.items() if term in terms) / total

    def missing_numbers(self, terms: set[str]) -> list[str]:
        """Numbers the question names (years, counts) that ``terms`` lack."""
        return [term for term in self.weights if term.isdigit() and term not in terms]


@dataclass(slots=True)
class DocumentEvidence:
    """One retrieved document and how close it is to the question."""

    document: DocumentInfo
    ranks: list[int]  # retrieval ranks of its passages (0-based)
    semantic: float  # best question–passage cosine
    lexical: float  # share of the question's key-word weight in its passages and metadata
    missing: list[str]  # numbers of the question it lacks
    answered_by: str = ""  # reference or title of a retrieved document that answers this Anfrage
    off_subject: str = ""  # why no sentence of it is quoted (empty: on the subject)

    @property
    def doc_id(self) -> str:
        return self.document.doc_id


@dataclass(slots=True, eq=False)  # compared by identity
class Candidate:
    """A quotable sentence with its features; ``reason`` says why it was not quoted."""

    passage: Passage
    quote: Quote
    document: DocumentEvidence
    retrieved: bool  # in a retrieved passage (else in a neighbouring chunk)
    passage_semantic: float
    lexical: float
    states: tuple[bool, ...]  # per question part: states a new fact of the asked kind
    semantic: float | None = None
    score: float = 0.0
    reason: str = ""

    @property
    def stated_share(self) -> float:
        return sum(self.states) / len(self.states) if self.states else 1.0


@dataclass(slots=True)
class Evidence:
    """Everything the answerer knows about a question before it decides."""

    question: str
    parts: list[QuestionPart]
    terms: QuestionTerms
    query_vector: np.ndarray
    documents: list[DocumentEvidence]  # best (semantic) first
    candidates: list[Candidate] = field(default_factory=list)
    unquotable: list[tuple[DocumentEvidence, Unquotable]] = field(default_factory=list)

    @property
    def best_semantic(self) -> float:
        return max((d.semantic for d in self.documents), default=0.0)


def _context_terms(document: DocumentInfo) -> set[str]:
    """Words of the document's metadata: title, originator, city, type, bodies."""
    return set(
        analyze(
            f"{document.title} {document.originator} {document.municipality} {document.paper_type} "
            f"{' '.join(document.bodies)}"
        )
    )


def _answered_by(document: DocumentInfo, others: list[DocumentInfo], texts: dict[str, str]) -> str:
    """The retrieved document that answers this Anfrage (names its reference or has its title)."""
    if not _QUESTION_PAPER.search(document.paper_type):
        return ""
    title = document.title.strip().casefold()
    for other in others:
        if other.doc_id == document.doc_id or _QUESTION_PAPER.search(other.paper_type):
            continue
        if document.reference and other.reference == document.reference:
            continue  # another file of the same paper (OParl): its parts compete on their own
        names_it = bool(document.reference) and document.reference in f"{other.title} {texts[other.doc_id]}"
        if names_it or (title and other.title.strip().casefold() == title):
            return other.reference or other.title
    return ""


class EvidenceGatherer:
    """Builds the :class:`Evidence` of a question from its passages and the store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def terms(self, question: str) -> QuestionTerms:
        index = self._store.bm25()
        weights: dict[str, float] = {}
        for term in analyze(question):
            idf = index.idf(term)
            weights[term] = idf if idf is not None else index.unseen_idf()
        return QuestionTerms(weights)

    def gather(
        self, question: str, parts: list[QuestionPart], query_vector: np.ndarray, passages: list[Passage]
    ) -> Evidence:
        terms = self.terms(question)
        vectors = self._store.vectors.embeddings([p.chunk.chunk_id for p in passages]) if passages else {}
        passage_semantic = [
            float(vectors[p.chunk.chunk_id] @ query_vector) if p.chunk.chunk_id in vectors else 0.0
            for p in passages
        ]
        documents = self._documents(terms, passages, passage_semantic)
        evidence = Evidence(question, parts, terms, query_vector, documents)
        facts = question_facts(question)
        by_id = {d.doc_id: d for d in documents}
        seen: set[str] = set()
        for rank, passage in enumerate(passages):
            if passage.chunk.chunk_id not in seen:
                seen.add(passage.chunk.chunk_id)
                self._add(
                    evidence, passage, by_id[passage.document.doc_id], True, passage_semantic[rank], facts
                )
        for passage, semantic in self._neighbours(passages, documents, seen, query_vector):
            self._add(evidence, passage, by_id[passage.document.doc_id], False, semantic, facts)
        return evidence

    def _documents(
        self, terms: QuestionTerms, passages: list[Passage], semantic: list[float]
    ) -> list[DocumentEvidence]:
        grouped: dict[str, list[int]] = {}
        for rank, passage in enumerate(passages):
            grouped.setdefault(passage.document.doc_id, []).append(rank)
        texts = {
            doc_id: " ".join(passages[rank].chunk.text for rank in ranks) for doc_id, ranks in grouped.items()
        }
        found = [passages[ranks[0]].document for ranks in grouped.values()]
        documents = []
        for doc_id, ranks in grouped.items():
            document = passages[ranks[0]].document
            words = set(analyze(texts[doc_id])) | _context_terms(document)
            documents.append(
                DocumentEvidence(
                    document=document,
                    ranks=ranks,
                    semantic=max(semantic[rank] for rank in ranks),
                    lexical=terms.share(words),
                    missing=terms.missing_numbers(words),
                    answered_by=_answered_by(document, found, texts),
                )
            )
        return sorted(documents, key=lambda d: (-d.semantic, d.ranks[0]))

    def _neighbours(
        self,
        passages: list[Passage],
        documents: list[DocumentEvidence],
        seen: set[str],
        query_vector: np.ndarray,
    ) -> list[tuple[Passage, float]]:
        """The chunks next to the retrieved ones of the best documents, with their cosines."""
        wanted: list[str] = []
        for evidence in documents[:_NEIGHBOUR_DOCUMENTS]:
            for rank in evidence.ranks:
                index = passages[rank].chunk.index
                for neighbour in (index - 1, index + 1):
                    chunk_id = f"{evidence.doc_id}:{neighbour}"
                    if neighbour >= 0 and chunk_id not in seen and chunk_id not in wanted:
                        wanted.append(chunk_id)
        if not wanted:
            return []
        chunks = self._store.catalog.chunks(wanted)
        vectors = self._store.vectors.embeddings(list(chunks))
        documents_by_id = {d.doc_id: d.document for d in documents}
        found = []
        for chunk_id in wanted:
            chunk = chunks.get(chunk_id)
            if chunk is None:
                continue
            semantic = float(vectors[chunk_id] @ query_vector) if chunk_id in vectors else 0.0
            found.append((Passage(chunk=chunk, document=documents_by_id[chunk.doc_id], score=0.0), semantic))
        return found

    @staticmethod
    def _add(
        evidence: Evidence,
        passage: Passage,
        document: DocumentEvidence,
        retrieved: bool,
        semantic: float,
        facts: Facts,
    ) -> None:
        quotes, dropped = quotes_of(passage.chunk.text)
        evidence.unquotable.extend((document, item) for item in dropped)
        context = _context_terms(document.document)
        for quote in quotes:
            words = set(analyze(quote.text))
            lexical = evidence.terms.share(words) + 0.5 * evidence.terms.share(context - words)
            states = tuple(states_new(part.kind, quote.text, facts) for part in evidence.parts)
            evidence.candidates.append(
                Candidate(passage, quote, document, retrieved, semantic, lexical, states)
            )


def asks_about_the_question_paper(parts: list[QuestionPart], question: str) -> bool:
    """Questions an Anfrage itself answers: who asked, when, and what was asked."""
    return any(part.kind is AnswerKind.ACTOR for part in parts) or bool(
        _ASKS_ABOUT_THE_QUESTION.search(question)
    )
