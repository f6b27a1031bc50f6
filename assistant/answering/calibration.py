"""The numbers behind sentence choice and abstention, per embedding model.

Cosines of different models live on different scales (multilingual-e5-small puts almost every
pair of German texts between 0.75 and 0.95; the hashing embedder's n-gram cosines spread from 0
to 0.6), so the weights of the semantic features and the abstention threshold are calibrated per
model on the QA sets (see README, "How answers are chosen"). A model without its own calibration
uses e5's, which is close for other e5 models; measure with `ratsinfo eval` and set
RATSINFO_ANSWER_MIN_EVIDENCE / RATSINFO_ANSWER_SUBJECT_MARGIN for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.config import Settings


@dataclass(frozen=True, slots=True)
class Calibration:
    """Weights of a sentence's score and the thresholds of the decisions (cosine units)."""

    # Sentence score: lexical share + stated kinds + semantic closeness of sentence, passage and
    # document, each relative to the best candidate of the question.
    lexical: float
    kind: float
    sentence: float
    passage: float
    document: float
    # A document whose best passage is further than this below the best document's is off the
    # subject: none of its sentences is quoted.
    subject_margin: float
    # Another document's sentence joins the answer when its score is this close to the best one.
    second_document_margin: float
    # More sentences of the best document join when this close.
    same_document_margin: float
    # Abstention: evidence = document semantic + lexical_weight * document lexical share
    # - missing_penalty if the document lacks a number the question names; answer at >= min_evidence.
    evidence_lexical: float
    missing_penalty: float
    min_evidence: float


E5 = Calibration(
    lexical=1.0,
    kind=0.8,
    sentence=3.0,
    passage=6.0,
    document=3.0,
    subject_margin=0.05,
    second_document_margin=0.3,
    same_document_margin=0.3,
    evidence_lexical=0.05,
    missing_penalty=0.05,
    min_evidence=0.892,
)
# The hashing embedder's cosines spread about three times as wide as e5's, so its semantic weights
# are a third and its subject margin three times e5's (a scale measured, not fitted per question);
# its abstention threshold was fitted on eval/data/sample_qa.jsonl alone (the real set held out).
HASHING = replace(
    E5,
    sentence=E5.sentence / 3,
    passage=E5.passage / 3,
    document=E5.document / 3,
    subject_margin=0.15,
    min_evidence=0.29,
)

_BY_FAMILY = (("hashing", HASHING), ("e5", E5))


def calibration_for(embedder_name: str, settings: Settings) -> Calibration:
    """The calibration of the embedder (by its name), with the thresholds the settings override."""
    name = embedder_name.lower()
    chosen = next((calibration for family, calibration in _BY_FAMILY if family in name), E5)
    overrides: dict[str, float] = {}
    if settings.answer_min_evidence is not None:
        overrides["min_evidence"] = settings.answer_min_evidence
    if settings.answer_subject_margin is not None:
        overrides["subject_margin"] = settings.answer_subject_margin
    return replace(chosen, **overrides) if overrides else chosen
