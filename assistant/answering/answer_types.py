"""What kind of fact a question asks for, and whether a sentence can state it.

"Was kostet …?" needs an amount, "Wann …?" a date, "Welcher Anteil …?" a share, "Wie viele …?"
a number. A sentence without one may share every word with the question and still not answer it,
which is the commonest way an extractive answer quotes noise.
"""

from __future__ import annotations

import re
from enum import Enum


class AnswerKind(Enum):
    ANY = "any"
    AMOUNT = "amount"
    DATE = "date"
    SHARE = "share"
    NUMBER = "number"


_QUESTION_KINDS: tuple[tuple[re.Pattern[str], AnswerKind], ...] = (
    (
        re.compile(
            r"\b(?:kostet|kosten|teuer|summe|betrag|budget|preis|geld|euro|gebühr\w*|finanziert)\b", re.I
        ),
        AnswerKind.AMOUNT,
    ),
    (
        re.compile(r"\b(?:wann|bis zu welchem zeitpunkt|in welchem jahr|an welchem tag|seit wann)\b", re.I),
        AnswerKind.DATE,
    ),
    (re.compile(r"\b(?:anteil|prozent|quote)\b", re.I), AnswerKind.SHARE),
    (
        re.compile(
            r"\b(?:wie viele|wie viel|wie hoch|wie groß|wie lang|wie breit|wie oft|wie weit|wie alt)\b", re.I
        ),
        AnswerKind.NUMBER,
    ),
)

_EVIDENCE: dict[AnswerKind, re.Pattern[str]] = {
    AnswerKind.AMOUNT: re.compile(
        r"€|\beuro\b|\bmio\b|\bmillionen?\b|\btsd\b|\bkostenfrei\b|\bgebührenfrei\b", re.I
    ),
    AnswerKind.DATE: re.compile(
        r"\b\d{1,2}\.\s?\d{1,2}\.(?:\d{2,4})?|\b(?:19|20)\d\d\b|\b(?:januar|februar|märz|april|mai|juni|juli"
        r"|august|september|oktober|november|dezember|quartal|frühjahr|sommer|herbst|winter|jahresende)\b",
        re.I,
    ),
    AnswerKind.SHARE: re.compile(r"%|\bprozent\b|\bhälfte\b|\bdrittel\b|\bviertel\b", re.I),
    AnswerKind.NUMBER: re.compile(
        r"\d|\b(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf)\b", re.I
    ),
}


def answer_kind(question: str) -> AnswerKind:
    return next((kind for pattern, kind in _QUESTION_KINDS if pattern.search(question)), AnswerKind.ANY)


def can_state(kind: AnswerKind, sentence: str) -> bool:
    return kind is AnswerKind.ANY or bool(_EVIDENCE[kind].search(sentence))
