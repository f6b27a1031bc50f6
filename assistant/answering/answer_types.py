"""What kind of fact a question asks for, and whether a sentence can state it.

"Was kostet …?" needs an amount, "Wann …?" a date, "Welcher Anteil …?" a share, "Wie viele …?"
a number ("zwanzig" counts: see ingest/text/numbers.py), "Welche Fraktion …?" an actor, "Wie
wurde abgestimmt?" a decision. A sentence without one may share every word with the question and
still not answer it, which is the commonest way an extractive answer quotes noise.

A question may ask for several things ("Welche Fraktion will mehr Radwege und wie breit sollen
sie werden?"): :func:`question_parts` splits it where "und"/"sowie" is followed by a question
word, and each part gets its own kind, so the answer can state one sentence per part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from assistant.answering.judging.facts import Facts, extract_facts
from ingest.text.numbers import has_number_word


class AnswerKind(Enum):
    ANY = "any"
    AMOUNT = "amount"
    DATE = "date"
    SHARE = "share"
    NUMBER = "number"
    ACTOR = "actor"  # which faction or party
    DECISION = "decision"  # how a body voted or decided
    REASON = "reason"  # why
    COMPANY = "company"  # which firm or organisation


# First match wins: "Wie hoch ist der Anteil" is a share, "Wie viel Geld" an amount, "Wie viele
# Personen zahlen Steuer" a number.
_QUESTION_KINDS: tuple[tuple[re.Pattern[str], AnswerKind], ...] = (
    (
        re.compile(
            r"^\s*(?:wie|mit welche\w*)\b.*\b(?:abgestimmt|entschieden|votiert|ausgegangen)\b"
            r"|\bstimmergebnis\w*|\babstimmung\w*|\bwie stimmte\b|\bmit welchem ergebnis\b"
            r"|\bangenommen\?|\babgelehnt\?",
            re.I,
        ),
        AnswerKind.DECISION,
    ),
    (
        re.compile(
            r"\b(?:welche|welcher|welches)\s+(?:fraktion|partei|einreicher)\w*"
            r"|\bwer\s+(?:\w+\s+){0,6}(?:beantragt|gestellt|eingebracht|gefordert|vorgeschlagen"
            r"|eingereicht|beantragte|forderte|will|möchte)\b|\bvon wem\b",
            re.I,
        ),
        AnswerKind.ACTOR,
    ),
    (
        re.compile(
            r"\b(?:welche[rsm]?|an welche[rsn]?)\s+(?:\w+\s+)?(?:firma|firmen|unternehmen|betrieb"
            r"|dienstleister|büro|anbieter|auftragnehmer|bieter|handwerksbetrieb|investor)\b|\ban wen\b"
            r"|\bwer ist der investor\b",
            re.I,
        ),
        AnswerKind.COMPANY,
    ),
    (
        re.compile(r"^\s*(?:warum|weshalb|wieso|aus welchem grund|aus welchen gründen)\b", re.I),
        AnswerKind.REASON,
    ),
    (re.compile(r"\b(?:anteil\w*|prozent\w*|\w*quote|kostendeckungsgrad)\b", re.I), AnswerKind.SHARE),
    (re.compile(r"\b(?:wie viele|wie vielen|wieviele|anzahl|nach wie vielen)\b", re.I), AnswerKind.NUMBER),
    (
        re.compile(
            r"\b\w*(?:kosten(?!los)|kostet|summe|betrag|budget|preis|geld|gebühr)\w*|\bteu(?:er|re)\w*"
            r"|\w+steuer\b|\b(?:euro|finanziert|eigenanteil|zuschuss|förder\w*|mehreinnahmen"
            r"|einsparung\w*|spart|gekostet)\b",
            re.I,
        ),
        AnswerKind.AMOUNT,
    ),
    (
        re.compile(
            r"\b(?:wann|bis zu welchem zeitpunkt|in welche[mn] jahr\w*|an welchem tag|seit wann|ab wann"
            r"|bis wann|welchem datum|zeitplan)\b",
            re.I,
        ),
        AnswerKind.DATE,
    ),
    (
        re.compile(
            r"\b(?:wie viel|wieviel|wie hoch|wie groß|wie lang|wie lange|wie breit|wie oft|wie weit"
            r"|wie alt|wie stark|wie schnell|um wie viel)\b",
            re.I,
        ),
        AnswerKind.NUMBER,
    ),
)

_DIGIT = re.compile(r"\d")
_EVIDENCE: dict[AnswerKind, re.Pattern[str]] = {
    AnswerKind.AMOUNT: re.compile(
        r"€|\beuro\b|\bmio\b|\bmillionen?\b|\bmrd\b|\bmilliarden?\b|\btsd\b|\bkostenfrei\b"
        r"|\bgebührenfrei\b|\bkostenlos\b|\bunentgeltlich\b|\bkeine (?:kosten|gebühr)",
        re.I,
    ),
    AnswerKind.DATE: re.compile(
        r"\b\d{1,2}\.\s?\d{1,2}\.(?:\d{2,4})?|\b(?:19|20)\d\d\b|\b(?:januar|februar|märz|april|mai|juni|juli"
        r"|august|september|oktober|november|dezember|quartal|frühjahr|sommer\w*|herbst\w*|winter\w*"
        r"|jahresende|jahresmitte|schuljahr\w*|seit|ab sofort)\b",
        re.I,
    ),
    AnswerKind.SHARE: re.compile(r"%|\bprozent\b|\bhälfte\b|\bdrittel\b|\bviertel\b|\bquote\b", re.I),
    AnswerKind.ACTOR: re.compile(
        r"\bfraktion\w*|\bpartei\w*|\bCDU\b|\bCSU\b|\bSPD\b|\bFDP\b|\bAfD\b|\bgrüne\w*|bündnis\s*90|\blinke\b"
        r"|\bvolt\b|\bfreie wähler\b|\bwählergemeinschaft\b|\bwählervereinigung\b|\bbürgerliste\b",
        re.I,
    ),
    AnswerKind.DECISION: re.compile(
        r"\beinstimmig\w*|\bangenommen\b|\babgelehnt\b|\bbeschlossen\b|\bbeschließt\b|\bmehrheit\w*"
        r"|\bstimmen\b|\benthaltung\w*|\bzugestimmt\b|\bstimmte\w*|\bvertagt\b|\bverwiesen\b"
        r"|\bempf(?:ohlen|iehlt)\b|\bzurückgezogen\b",
        re.I,
    ),
    AnswerKind.COMPANY: re.compile(
        r"\b(?:GmbH|mbH|AG|KG|OHG|GbR|e\.\s?K\.|e\.\s?V\.|SE|Firm(?:a|en)|Unternehmen|Betrieb\w*|Ingenieurbüro|Büro"
        r"|Architekt\w*|Stadtwerke|Verkehrsbetriebe|Bietergemeinschaft|Bieter|Auftragnehmer|Investor\w*)\b"
    ),
    AnswerKind.REASON: re.compile(
        r"\b(?:weil|da|wegen|aufgrund|grund|gründe[n]?|ursache\w*|zurückzuführen|infolge|deshalb|daher"
        r"|darum|liegt an|führt\w*|mangel\w*|fehlen\w*|zu wenig|notwendig|erforderlich|damit)\b",
        re.I,
    ),
}
_AMOUNT_NUMBER = re.compile(
    r"(?:\d[\d.,]*|\b[a-zäöüß]*(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zig|ßig|hundert"
    r"|tausend))\s*(?:€|euro|eur\b|mio\b|millionen|million|mrd\b|milliarden|tsd\b|tausend)|(?:€|euro)\s*\d"
    r"|\b(?:kostenlos|kostenfrei|gebührenfrei|unentgeltlich)\b",
    re.I,
)

# Where a question asks a second thing: "… und wie breit …", "…, und was kostet es?", "… und wann?"
_PART_BREAK = re.compile(
    r"(?:,\s*|\s+)(?:und|sowie)\s+(?=(?:wie|was|wann|wo|wer|welche[nrms]?|warum|weshalb|ab wann"
    r"|bis wann|seit wann|in welche[mr]|mit welche[mr]|wieviel\w*)\b)",
    re.I,
)


# A question word or a preposition before one opens a w-question; a verb opens a yes/no question.
_W_QUESTION = re.compile(
    r"^\s*(?:wie|was|wann|wo\w*|wer|wen|wem|wessen|welch\w*|warum|weshalb|wieso|inwie\w*|bis|seit|ab|in|an|mit"
    r"|für|um|zu|auf|nach|bei|über|aus|unter|von|vor|durch|gegen|aufgrund)\b",
    re.I,
)
# A second part that only names a new circumstance: "… und was ab 2026?"
_ELLIPTIC = re.compile(
    r"^was\s+(?=.*(?:\d|\b(?:heute|jetzt|künftig|bisher|danach|früher)\b))(?:\S+\s*){0,3}$", re.I
)


@dataclass(frozen=True, slots=True)
class QuestionPart:
    """One thing a question asks for: its words and the kind of fact that answers it."""

    text: str
    kind: AnswerKind


def answer_kind(question: str) -> AnswerKind:
    """The kind of fact ``question`` (or a part of it) asks for; ANY when it asks for none in
    particular, and for a yes/no question ("Muss die Stadt Geld aufbringen, …?": its words name the
    topic, not the fact asked for)."""
    if not _W_QUESTION.match(question):
        return AnswerKind.ANY
    return next((kind for pattern, kind in _QUESTION_KINDS if pattern.search(question)), AnswerKind.ANY)


def question_parts(question: str) -> list[QuestionPart]:
    """The question's parts in order; an elliptic part takes the kind of the one before it
    ("Was kostet ein Reihengrab heute und was ab 2026?")."""
    pieces = [piece.strip(" ,?") for piece in _PART_BREAK.split(question.strip())]
    parts: list[QuestionPart] = []
    for piece in pieces:
        if not piece:
            continue
        kind = answer_kind(piece)
        if kind is AnswerKind.ANY and parts and _ELLIPTIC.match(piece):
            kind = parts[-1].kind
        parts.append(QuestionPart(piece, kind))
    return parts or [QuestionPart(question, answer_kind(question))]


def can_state(kind: AnswerKind, sentence: str) -> bool:
    """Whether ``sentence`` holds the kind of fact asked for (it may still be the wrong one)."""
    if kind is AnswerKind.ANY:
        return True
    if kind is AnswerKind.NUMBER:
        return bool(_DIGIT.search(sentence)) or has_number_word(sentence)
    return bool(_EVIDENCE[kind].search(sentence))


def _is_year(value: str) -> bool:
    return value.isdigit() and 1900 <= int(value) <= 2099


def states_new(kind: AnswerKind, sentence: str, question: Facts) -> bool:
    """Whether ``sentence`` states a fact of ``kind`` that the question does not already name.

    Stricter than :func:`can_state`: "Radverkehrskonzept 2030" does not answer "Welchen Anteil
    soll das Fahrrad bis 2030 erreichen?" because its only number is the question's own, and a
    year or a reference number is no count ("Wie viele …?").
    """
    if kind in (AnswerKind.ANY, AnswerKind.REASON):
        return True  # a reason has no reliable surface form ("weil" is optional)
    if kind in (AnswerKind.ACTOR, AnswerKind.DECISION, AnswerKind.COMPANY):
        return can_state(kind, sentence)
    facts = extract_facts(sentence)
    known = question.numbers | question.years
    numbers = {value for value in facts.numbers - known if not _is_year(value)}
    if kind is AnswerKind.NUMBER:
        return bool(numbers)
    if kind is AnswerKind.AMOUNT:
        return bool(_AMOUNT_NUMBER.search(sentence)) and (bool(numbers) or not _DIGIT.search(sentence))
    if kind is AnswerKind.SHARE:
        return can_state(kind, sentence) and (bool(numbers) or not _DIGIT.search(sentence))
    # DATE: a date, month, season or year the question does not name.
    years = {value for value in facts.numbers if _is_year(value)} - known
    return bool(
        (facts.dates | facts.months) - (question.dates | question.months)
        or facts.bare_months
        or years
        or (can_state(kind, sentence) and not _DIGIT.search(sentence))
    )


def question_facts(question: str) -> Facts:
    """The hard facts the question itself names (what an answer must add to, not repeat)."""
    return extract_facts(question)
