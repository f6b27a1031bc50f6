"""Whether the documents answer the question at all: a decision from evidence, not word counts.

The evidence of an answer is that of the document its best sentence comes from: how close its
best passage, or the quoted sentence itself, is to the question in meaning (the cosine of their
vectors: a precise sentence in a long passage is closer than its passage), plus a little for the
share of the question's weighted key words it holds, minus a penalty when it lacks a number the
question names ("im Jahr 1950"). Below the calibrated minimum the answer abstains: quoting the
nearest text would mislead. A question whose documents hold no quotable sentence of the asked
kind abstains as well. The numbers are calibrated per embedding model on the QA sets, fitted on
one and checked on the other (README, "Abstention").
"""

from __future__ import annotations

from assistant.answering.answer_types import AnswerKind
from assistant.answering.calibration import Calibration
from assistant.answering.evidence import Candidate, DocumentEvidence

# Kinds of fact a sentence can be seen to lack: without any, the documents do not answer.
_CHECKABLE = frozenset(
    {
        AnswerKind.AMOUNT,
        AnswerKind.DATE,
        AnswerKind.SHARE,
        AnswerKind.NUMBER,
        AnswerKind.COMPANY,
        AnswerKind.DECISION,
    }
)


def evidence_of(document: DocumentEvidence, calibration: Calibration, sentence: float | None = None) -> float:
    """The evidence that ``document`` answers the question (higher: more); ``sentence``: the
    cosine of its quoted sentence, which counts where it is closer than the best passage."""
    closeness = max(document.semantic, sentence if sentence is not None else document.semantic)
    penalty = calibration.missing_penalty if document.missing else 0.0
    return closeness + calibration.evidence_lexical * document.lexical - penalty


def lacks_the_kind(chosen: list[Candidate], kinds: list[AnswerKind]) -> bool:
    """Every part asks for a checkable kind of fact, and no chosen sentence states any of them."""
    if not kinds or not all(kind in _CHECKABLE for kind in kinds):
        return False
    return not any(any(candidate.states) for candidate in chosen)


def should_abstain(
    chosen: list[Candidate], kinds: list[AnswerKind], calibration: Calibration
) -> tuple[bool, float]:
    """(abstain?, the evidence) for the chosen sentences: the evidence of the best sentence's
    document, or of the sentence itself where it is closer to the question than its passage."""
    if not chosen:
        return True, 0.0
    top = chosen[0]
    evidence = evidence_of(top.document, calibration, top.semantic)
    return evidence < calibration.min_evidence or lacks_the_kind(chosen, kinds), evidence
