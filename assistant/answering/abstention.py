"""Whether the documents answer the question at all: a decision from evidence, not word counts.

The evidence of an answer is that of the document its best sentence comes from: how close its
best passage is to the question in meaning (the cosine of their vectors), plus a little for the
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


def evidence_of(document: DocumentEvidence, calibration: Calibration) -> float:
    """The evidence that ``document`` answers the question (higher: more)."""
    penalty = calibration.missing_penalty if document.missing else 0.0
    return document.semantic + calibration.evidence_lexical * document.lexical - penalty


def lacks_the_kind(chosen: list[Candidate], kinds: list[AnswerKind]) -> bool:
    """Every part asks for a checkable kind of fact, and no chosen sentence states any of them."""
    if not kinds or not all(kind in _CHECKABLE for kind in kinds):
        return False
    return not any(any(candidate.states) for candidate in chosen)


def should_abstain(
    chosen: list[Candidate], kinds: list[AnswerKind], calibration: Calibration
) -> tuple[bool, float]:
    """(abstain?, the evidence) for the chosen sentences."""
    if not chosen:
        return True, 0.0
    evidence = evidence_of(chosen[0].document, calibration)
    return evidence < calibration.min_evidence or lacks_the_kind(chosen, kinds), evidence
