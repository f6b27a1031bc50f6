"""Is a German question about the council process, and about what? A pure reading of the words.

Kinds of questions (``ProcessQuestion.kind``):

* ``ergebnis``: what became of a paper: "Was wurde aus dem Antrag zur Seebühne?", "Wurde
  2025/1264/1 beschlossen?", "Wie hat der Gemeinderat über … entschieden?", "Stand der Vorlage …";
* ``termin``: when and where it is (or was) discussed: "Wann berät der Gemeinderat über …?",
  "In welchen Gremien wurde … beraten?", "Wann steht … auf der Tagesordnung?";
* ``tagesordnung``: a meeting's agenda: "Was steht auf der nächsten Tagesordnung des
  Bauausschusses?", "Welche Punkte standen am 25.11.2025 im Gemeinderat auf der Tagesordnung?";
* ``liste``: papers listed from data: "Welche Anträge der Fraktion X wurden 2025 abgelehnt?",
  "Welche Anfragen hat die SPD im ersten Halbjahr 2025 gestellt?";
* ``frühere``: earlier papers on the subject: "Gab es dazu schon Anträge?", "Wurde das schon
  einmal beantragt?".

A question that is none of these (most questions about the content of papers) is ``None``: it
keeps the ordinary retrieval answer. So does a question about a paper that names neither a
reference, nor a subject, nor refers back to the conversation ("dazu", "darüber").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ingest.metadata.dates import DATE
from ingest.metadata.references import REF
from ingest.process.question_parts import (
    Period,
    asks_for_many,
    body_named,
    body_words,
    days_named,
    originator_asked,
    outcomes_asked,
    paper_families,
    period_asked,
)
from ingest.text.months import MONTHS
from ingest.text.words import analyze

OUTCOME = "ergebnis"
SCHEDULE = "termin"
AGENDA = "tagesordnung"
LIST = "liste"
EARLIER = "frühere"
KINDS = (OUTCOME, SCHEDULE, AGENDA, LIST, EARLIER)

_FOLLOW_UP = re.compile(
    r"\b(?:dazu|darüber|damit|davon|daraus|dafür|dies\w*|diese[mnrs]?|jene[mnrs]?|de[mn]selben)\b"
    r"|\b(?:der|die|das|dem|den)\s+(?:antrag|anfrage|vorlage|beschlussvorlage|änderungsantrag)\b(?!\s+(?:zu|zum|zur|über|für|der|des|von|„|\"|\d))",
    re.IGNORECASE,
)
_AGENDA = re.compile(
    r"\btagesordnung\b|\bwelche\s+(?:punkte|themen|tops?|tagesordnungspunkte)\b"
    r"|\b(?:nächste|nächsten|kommende|kommenden|letzte|letzten)\s+sitzung\b|\bwann\s+tagt\b",
    re.IGNORECASE,
)
_NEXT = re.compile(r"\b(?:nächste[nmrs]?|kommende[nmrs]?|anstehende[nmrs]?|wann\s+tagt)\b", re.I)
_LAST = re.compile(r"\b(?:letzte[nmrs]?|vergangene[nmrs]?|vorige[nmrs]?)\b", re.I)
_LIST_VERBS = re.compile(r"\b(?:gestellt|eingereicht|eingebracht|vorgelegt)\b", re.I)
_LIST_LEAD = re.compile(r"^\s*(?:welche|wie\s*viele|liste|zeige|nenne|alle)\b", re.I)
_EARLIER = re.compile(
    r"\b(?:gab|gibt)\s+es\b.*\b(?:schon|bereits|früher|vorher|zuvor)\b"
    r"|\b(?:schon|bereits)\s+(?:einmal|mal|früher)\b|\bfrühere[nmrs]?\b|\bvorherige[nmrs]?\b"
    r"|\b(?:wurde|wurden|war)\b.*\b(?:schon|bereits)\b.*\b(?:beantragt|angefragt|beraten|behandelt|thema)\b",
    re.IGNORECASE,
)
_SCHEDULE = re.compile(
    r"^\s*wann\b(?!.*\b(?:beschlossen|entschieden|abgelehnt|angenommen|zurückgezogen|erledigt)\b)"
    r"|\bin\s+welche[mnr]?\s+(?:sitzung|sitzungen|gremium|gremien|ausschuss|ausschüssen)\b"
    r"|\bwelche[ns]?\s+(?:gremi\w*|ausschüsse|ausschuss)\b|\bwo\s+(?:wird|wurde)\b.*\b(?:beraten|behandelt)\b"
    r"|\bberatungsfolge\b",
    re.IGNORECASE,
)
_DECIDED = (
    r"beschlossen|angenommen|abgelehnt|zurückgezogen|vertagt|verwiesen|erledigt|entschieden|zugestimmt|"
    r"verabschiedet|genehmigt|abgestimmt|zurückgestellt|abgesetzt|(?:zur\s+)?kenntnis\s+genommen"
)
_OUTCOME = re.compile(
    r"\bwas\s+(?:wurde|ist|wird)\s+(?:eigentlich\s+)?aus\b|\bwas\s+ist\s+mit\b"
    rf"|\bwas\s+(?:hat|haben)\b.*\b(?:beschlossen|entschieden)\b|\b(?:wurde|wurden|ist|sind|wird)\b.*\b(?:{_DECIDED})\b"
    r"|\bwie\s+(?:ist|wurde|hat|haben|sind)\b.*\b(?:entschieden|abgestimmt|ausgegangen|beschieden|votiert|ausgefallen)\b"
    r"|\bwie\s+geht\s+es\b.*\bweiter\b|\bwann\s+(?:wurde|wird|ist)\b.*\b(?:beschlossen|entschieden)\b",
    re.IGNORECASE,
)
# "Ergebnis", "Stand", … ask about a paper only when the question names one (a reference or a
# paper type): "Was ist das Ergebnis der Verkehrszählung?" asks about a text.
_STATE_WORDS = re.compile(r"\b(?:ergebnis|beschluss|entscheidung|stand|status|ausgang)\b", re.IGNORECASE)
# Words of the question frame that name no subject.
_FRAME = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "was wurde ist wird aus mit passiert geworden wie hat haben sind war waren wann wo welche welcher "
        "welches welchen gab gibt es schon bereits einmal mal früher frühere früheren vorher zuvor "
        "eigentlich beim "
        "beschlossen angenommen abgelehnt zurückgezogen vertagt verwiesen erledigt entschieden zugestimmt "
        "verabschiedet genehmigt abgestimmt ausgegangen beschieden votiert ausgefallen berät beraten beriet "
        "behandelt behandelt entscheidet entschied befasst tagt tagte sitzung sitzungen gremium gremien "
        "ausschuss ausschüsse ergebnis ergebnisse beschluss entscheidung stand status ausgang weiter geht "
        "tagesordnung punkte themen top tops tagesordnungspunkte steht stehen stand standen kommt nächste "
        "nächsten kommende kommenden letzte letzten antrag anträge anträgen antrags anfrage anfragen vorlage "
        "vorlagen beschlussvorlage beschlussvorlagen informationsvorlage änderungsantrag änderungsanträge "
        "drucksache drucksachen fraktion fraktionen gestellt eingereicht eingebracht vorgelegt liste zeige "
        "nenne alle viele thema beantragt angefragt jahr jahres halbjahr quartal seit bis zwischen vom dazu "
        "darüber damit davon daraus dafür dies diese dieser dieses diesem diesen ihn ihm über zur zum "
        "beratungsfolge worden lautet lautete genommen kenntnis hatte ersten zweiten dritten vierten "
        "jahreshälfte dieses letztes "
        "vergangenen gemeinsam"
    ).split()
) | frozenset(MONTHS)
_WORD = re.compile(r"[\wÄÖÜäöüß][\wÄÖÜäöüß-]*")


@dataclass(frozen=True, slots=True)
class ProcessQuestion:
    """What a process question asks for; empty fields were not asked."""

    kind: str
    references: tuple[str, ...] = ()  # reference-like tokens as written ("2025/1264/1")
    subject: str = ""  # words naming the paper or the subject, as written ("Seebühne")
    paper_types: tuple[str, ...] = ()  # families ("Antrag"); "" for any paper
    body: str = ""  # the known body it names (see ``body_named``)
    body_mention: str = ""  # a body word as written, when no known body fits it
    days: tuple[date, ...] = ()  # meeting days named ("am 25.11.2025")
    which: str = ""  # "next" or "last" meeting (agenda questions)
    outcomes: tuple[str, ...] = ()  # outcomes asked for (lists, "wurde … abgelehnt?")
    originator: str = ""  # faction or party (lists)
    period: Period | None = None
    follow_up: bool = False  # refers back to the conversation ("dazu", "darüber")

    @property
    def names_a_paper(self) -> bool:
        return bool(self.references or self.subject)


def _subject(question: str, spans: Iterable[str], words_of: Iterable[str], originator: str) -> str:
    """The question without its frame: the words that name a paper or a subject."""
    text = question
    for span in spans:
        if span:
            text = text.replace(span, " ")
    skip = {word.casefold() for word in words_of if word}
    whose = originator.casefold()
    words = [
        word
        for word in _WORD.findall(text)
        if word.casefold() not in _FRAME
        and word.casefold() not in skip
        and not (whose and whose in word.casefold())
        and not word.casefold().endswith("fraktion")
        and analyze(word)
        and not word.isdigit()
    ]
    return " ".join(words)


def _kind(question: str, references: tuple[str, ...], plural: bool, days: list[date]) -> str | None:
    list_like = _LIST_LEAD.search(question) and plural and not references
    if list_like and (outcomes_asked(question) or _LIST_VERBS.search(question)):
        return LIST
    if _EARLIER.search(question):
        return EARLIER
    if _AGENDA.search(question) and not references and not re.match(r"\s*wann\s+(?!tagt)", question, re.I):
        return AGENDA
    if re.search(r"\bwas\s+wurde\s+am\b|\bworüber\b", question, re.I) and days:
        return AGENDA
    if _SCHEDULE.search(question):
        return SCHEDULE
    if _OUTCOME.search(question):
        return OUTCOME
    if _STATE_WORDS.search(question) and (references or paper_families(question)):
        return OUTCOME
    return None


def read_process_question(question: str, today: date, bodies: Iterable[str] = ()) -> ProcessQuestion | None:
    """The process question ``question`` asks, or None if it asks none (``bodies``: the names
    of the bodies known, to tell which one it names; ``today``: for "letztes Jahr")."""
    text = " ".join(question.split())
    if not text:
        return None
    references = tuple(dict.fromkeys(REF.findall(text)))
    days = days_named(text)
    kind = _kind(text, references, asks_for_many(text), days)
    if kind is None:
        return None
    body = body_named(text, bodies)
    mentions = body_words(text)
    period = period_asked(text, today)
    originator = originator_asked(text) if kind in (LIST, EARLIER) else ""
    subject = _subject(
        text,
        [*references, *(m.group(0) for m in DATE.finditer(text))],
        [*body.split(), *(w for m in mentions for w in m.split())],
        originator,
    )
    if period is not None:
        subject = " ".join(word for word in subject.split() if not re.fullmatch(r"(?:19|20)\d\d", word))
    follow_up = bool(_FOLLOW_UP.search(text))
    if kind in (OUTCOME, SCHEDULE) and not (references or subject or follow_up):
        return None
    if kind == AGENDA and not (body or mentions or days):
        return None
    return ProcessQuestion(
        kind=kind,
        references=references,
        subject=subject,
        paper_types=paper_families(text),
        body=body,
        body_mention="" if body or not mentions else mentions[0],
        days=tuple(days),
        which="last" if _LAST.search(text) else "next" if _NEXT.search(text) else "",
        outcomes=outcomes_asked(text),
        originator=originator,
        period=period,
        follow_up=follow_up,
    )
