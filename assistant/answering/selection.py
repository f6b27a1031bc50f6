"""Which sentences answer the question: score the candidates, then pick a coherent answer.

1. Documents off the subject are set aside (their best passage is far below the best document's
   in meaning, or they are an Anfrage whose answer was retrieved too): none of their sentences
   is quoted.
2. Every remaining candidate gets a cheap score from its words (share of the question's weighted
   key words, metadata at half weight), the kind of fact it states (an amount for "Was kostet",
   a new number for "Wie viele", …) and the meaning of its passage and document. The best
   ``budget`` of them are compared with the question in meaning (sentence vectors, cached), and
   that closeness is added.
3. The answer starts with the best sentence. Its document gives more sentences for the question
   parts still open and for what is nearly as good; another document contributes only a part the
   first lacks, or a sentence as good as the best (then the documents disagree or complement
   each other, and the reader sees both).

Every candidate that is not quoted keeps the reason why, for the answer's trace.
"""

from __future__ import annotations

from assistant.answering.answer_types import AnswerKind, can_state
from assistant.answering.calibration import Calibration
from assistant.answering.evidence import Candidate, Evidence, asks_about_the_question_paper
from assistant.answering.sentence_vectors import SentenceVectors

OFF_SUBJECT = "Dokument nicht zum Thema der Frage"
ANSWERED_ELSEWHERE = "Anfrage; die Antwort darauf wurde ebenfalls gefunden"
NOT_EMBEDDED = "Vorauswahl: zu wenig Übereinstimmung"
WEAKER = "schwächer als die gewählten Sätze"
DUPLICATE = "doppelt"
NO_FACT = "nennt keine Angabe der gefragten Art"
OTHER_DOCUMENT = "aus einem weiteren Dokument, das nichts Fehlendes ergänzt"


def mark_off_subject(evidence: Evidence, calibration: Calibration) -> None:
    """Set aside documents off the subject and Anfragen answered by another retrieved document."""
    best = evidence.best_semantic
    own_paper = asks_about_the_question_paper(evidence.parts, evidence.question)
    for document in evidence.documents:
        if document.answered_by and not own_paper:
            document.off_subject = f"{ANSWERED_ELSEWHERE} ({document.answered_by})"
        elif best - document.semantic > calibration.subject_margin:
            document.off_subject = OFF_SUBJECT


def score(
    evidence: Evidence, calibration: Calibration, vectors: SentenceVectors, budget: int
) -> list[Candidate]:
    """The candidates of on-subject documents, scored, best first (the others get their reason)."""
    pool = []
    for candidate in evidence.candidates:
        if candidate.document.off_subject:
            candidate.reason = candidate.document.off_subject
        else:
            pool.append(candidate)
    if not pool:
        return []
    best_document = max(c.document.semantic for c in pool)
    best_passage = max(c.passage_semantic for c in pool)
    for candidate in pool:
        candidate.score = (
            calibration.lexical * candidate.lexical
            + calibration.kind * candidate.stated_share
            + calibration.document * (candidate.document.semantic - best_document)
            + calibration.passage * (candidate.passage_semantic - best_passage)
        )
    pool.sort(key=lambda c: -c.score)
    compared, rest = pool[:budget], pool[budget:]
    for candidate in rest:
        candidate.reason = NOT_EMBEDDED
    similarities = vectors.similarities(evidence.query_vector, [c.quote.text for c in compared])
    best_sentence = float(similarities.max())
    for candidate, similarity in zip(compared, similarities, strict=True):
        candidate.semantic = float(similarity)
        candidate.score += calibration.sentence * (candidate.semantic - best_sentence)
    compared.sort(key=lambda c: -c.score)
    return compared


def parts_answered_by_metadata(candidate: Candidate, kinds: list[AnswerKind]) -> list[int]:
    """The parts asking for a faction that the candidate's document names as its originator."""
    originator = candidate.passage.document.originator
    return [i for i, kind in enumerate(kinds) if kind is AnswerKind.ACTOR and can_state(kind, originator)]


def choose(
    ranked: list[Candidate], kinds: list[AnswerKind], calibration: Calibration, max_sentences: int
) -> list[Candidate]:
    """The sentences of the answer, best first; the others get their reason."""
    if not ranked:
        return []
    top = ranked[0]
    chosen = [top]
    texts = {top.quote.text}
    open_parts = {i for i, stated in enumerate(top.states) if not stated}
    # "Welche Fraktion …?": the best document's originator answers it (the answer names it).
    open_parts -= set(parts_answered_by_metadata(top, kinds))

    def take(candidate: Candidate) -> None:
        chosen.append(candidate)
        texts.add(candidate.quote.text)
        open_parts.difference_update(i for i, stated in enumerate(candidate.states) if stated)

    # The parts the best sentence leaves open: from its document first, else from another.
    for part in sorted(open_parts):
        if len(chosen) == max_sentences or part not in open_parts:
            continue
        stating = [c for c in ranked if c.states[part] and c.quote.text not in texts]
        same = [c for c in stating if c.document is top.document]
        if same or stating:
            take((same or stating)[0])
    # A sentence of another document as good as the best one.
    documents = {c.document.doc_id for c in chosen}
    if len(documents) == 1 and len(chosen) < max_sentences:
        for candidate in ranked[1:]:
            if (
                candidate.document is not top.document
                and candidate.score >= top.score - calibration.second_document_margin
                and all(candidate.states)
                and candidate.quote.text not in texts
            ):
                take(candidate)
                break
    # More of the best document that is nearly as good and states something of the asked kind.
    for candidate in ranked[1:]:
        if len(chosen) == max_sentences:
            break
        if (
            candidate.document is top.document
            and candidate not in chosen
            and candidate.quote.text not in texts
            and candidate.score >= top.score - calibration.same_document_margin
            and any(candidate.states)
        ):
            take(candidate)
    for candidate in ranked:
        if candidate in chosen:
            continue
        if candidate.quote.text in texts:
            candidate.reason = DUPLICATE
        elif not any(candidate.states):
            candidate.reason = NO_FACT
        elif candidate.document.doc_id not in documents and candidate.score >= top.score - 0.3:
            candidate.reason = OTHER_DOCUMENT
        else:
            candidate.reason = WEAKER
    return chosen
