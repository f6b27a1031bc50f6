"""The council's wording of a result ("einstimmig beschlossen", "13 Ja-Stimmen, 1 Nein-Stimme")
mapped to a small set of outcomes; the wording itself is always kept beside it.

Pure and conservative: a wording that fits no rule is ``UNKNOWN``, never a guess. The rules, in
the order they are asked (the first that applies wins):

1. an outcome stated in words that settles the item otherwise than by adoption or rejection:
   gewählt, zurückgezogen, vertagt ("zurückgestellt", "abgesetzt"), verwiesen, zur Kenntnis
   genommen, erledigt (also Karlsruhe's "mit Stellungnahme einverstanden": the motion is
   settled by the administration's answer), beraten ("vorberaten", "Beratung im Fachgremium":
   a preliminary discussion without a decision of its own), geändert or teilweise angenommen,
   "Stimmengleichheit" (a tie rejects);
2. a choice between alternatives or candidates, a roll call, a qualified majority or a
   rejected motion to postpone: unbekannt, unless the text states that something was decided;
3. votes of several parts (a), b), Nr. 4) with different outcomes: teilweise angenommen;
4. "abgelehnt"/"zurückgewiesen", then "beschlossen"/"zugestimmt"/"Zustimmung"/"angenommen";
5. no vote: "keine Abstimmung", "ohne", "entfällt", "keine";
6. votes: every "einstimmig" and every count of Ja against Nein is one vote (more Ja than Nein
   adopts, a tie or fewer rejects, Ja alone adopts; text after "darüber hinaus" is another
   decision). A vote table whose cells ran together ("JaNeinEnthaltung…Gesamt2410") is read
   only as far as ``vote_tables`` can without doubt. All adopting: angenommen; all rejecting:
   abgelehnt; nothing readable: unbekannt.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from ingest.process.vote_tables import table_votes

ADOPTED = "angenommen"
ADOPTED_CHANGED = "geändert angenommen"
ADOPTED_PARTLY = "teilweise angenommen"
REJECTED = "abgelehnt"
POSTPONED = "vertagt"
REFERRED = "verwiesen"
WITHDRAWN = "zurückgezogen"
NOTED = "zur Kenntnis genommen"
SETTLED = "erledigt"
DISCUSSED = "beraten"  # a preliminary discussion (Vorberatung) without a decision of its own
ELECTED = "gewählt"
NO_VOTE = "ohne Abstimmung"
UNKNOWN = "unbekannt"

Outcome = Literal[
    "angenommen",
    "geändert angenommen",
    "teilweise angenommen",
    "abgelehnt",
    "vertagt",
    "verwiesen",
    "zurückgezogen",
    "zur Kenntnis genommen",
    "erledigt",
    "beraten",
    "gewählt",
    "ohne Abstimmung",
    "unbekannt",
]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
# Outcomes after which the paper needs no further consultation (the paper's state is final).
FINAL_OUTCOMES = frozenset(
    {ADOPTED, ADOPTED_CHANGED, ADOPTED_PARTLY, REJECTED, WITHDRAWN, NOTED, SETTLED, ELECTED}
)


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Rule 1 and 2: outcomes stated in words, in the order they are asked.
_WORDED: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rule(r"\bgewählt\b|\bverliehen\b|\bzu\s+verleihen\b"), ELECTED),  # a person chosen, also for an award
    (_rule(r"zurückgezogen|zurückgenommen"), WITHDRAWN),
    (_rule(r"\bvertagt|zurückgestellt|\babgesetzt"), POSTPONED),
    (_rule(r"\b(?:über|ver)wiesen\b|\bverweisung\b"), REFERRED),
    (_rule(r"kenntnisnahme|zur\s+kenntnis|kenntnis\s+genommen"), NOTED),
    (_rule(r"\berledigt\b|mit\s+(?:der\s+)?stellungnahme\s+einverstanden"), SETTLED),
    (_rule(r"vorberaten|beratung\s+im\s+(?:fach)?gremium|^beraten$"), DISCUSSED),
    (
        _rule(
            r"geänderte[mn]?\s+(?:beschluss|fassung|text)|(?<!un)geändert\s+(?:beschlossen|angenommen|zugestimmt)"
            r"|(?:beschlossen|zugestimmt|angenommen)\s+mit\s+änderung|mit\s+änderungen?\s+(?:beschlossen|angenommen)"
        ),
        ADOPTED_CHANGED,
    ),
    (_rule(r"teilweise\s+(?:zugestimmt|angenommen|beschlossen|abgelehnt)"), ADOPTED_PARTLY),
    (_rule(r"stimmengleichheit"), REJECTED),
)
# Alternatives, candidates, roll calls and qualified majorities: the counts do not say whether
# the paper was adopted.
_NOT_A_YES_NO_VOTE = _rule(
    r"alternative\s*\d|vorschlag\s*\d|stimmen\s+für|^mitglied\s*partei|\((?:spd|cdu|fdp)\):\s*(?:ja|nein)"
    r"|zwei\s+dritte|2/3|vertag\w*,?\s+abgelehnt"  # a rejected motion to postpone is procedure
)
_REJECTED_WORDS = _rule(r"abgelehnt|zurückgewiesen|\blehnt\b.*\bab\b")
# "Nr. 4 des Beschlussvorschlags wird somit abgelehnt": one part of several was rejected.
_PART_REJECTED = _rule(
    r"(?:(?<![a-zäöü])nr\.?\s*\d+|beschluss\s+[a-h]\)|punkt\s+[a-h0-9]+\)?)[^.]{0,80}abgelehnt"
)
_ADOPTED_WORDS = _rule(
    r"beschlossen|\bbeschließt\b|zugestimmt|\bzustimmung\b|\bangenommen\b|\bgenehmigt\b|\bempfiehlt\b"
)
_NO_VOTE = _rule(
    r"keine\s+abstimmung|ohne\s+(?:abstimmung|votum)|^ohne\b(?!\s+(?:wider|gegen)rede)|^entfällt\b|^keine\.?$"
)
_UNANIMOUS = _rule(r"(?:ein|en)stim(?:mig|mung|mit|imig)")
# What follows an additional decision is not a vote on the paper's proposal.
_ADDITIONAL = _rule(r"darüber\s+hinaus|anmerkung\s+der\s+verwaltung")
_JA = r"(\d+)\s*(?:x\s*)?(?:[-–]\s*)?ja\b(?:[-\s]*stimmen?(?:\(n\))?)?"
_NEIN = r"(\d+)\s*(?:x\s*)?(?:[-–]\s*)?(?:nein\b(?:[-\s]*stimmen?)?|gegenstimmen?(?:\(n\))?)"
_COUNT = _rule(rf"{_JA}|{_NEIN}")


def _votes(text: str) -> list[bool] | None:
    """One entry per vote stated in ``text`` (True: adopted); None when a vote cannot be read.

    "einstimmig" is one vote; a Ja count is one vote, decided against the Nein count that
    follows it before the next Ja count (none: adopted with Ja > 0).
    """
    text = text[: m.start()] if (m := _ADDITIONAL.search(text)) else text
    tables = table_votes(text)
    if tables is None:
        return None
    votes, text = tables
    events: list[tuple[int, str, int]] = []  # (position, kind, number)
    for match in _UNANIMOUS.finditer(text):
        events.append((match.start(), "unanimous", 0))
    for match in _COUNT.finditer(text):
        if match.group(1) is not None:
            events.append((match.start(), "ja", int(match.group(1))))
        else:
            events.append((match.start(), "nein", int(match.group(2))))
    events.sort()
    kinds = [kind for _, kind, _ in events]
    if kinds.count("ja") >= 2 and "nein" not in kinds and "unanimous" not in kinds:
        return None  # Ja counts for options a), b), c): a choice, not a yes or no
    pending_ja: int | None = None
    pending_nein: int | None = None  # a Nein count stated before its Ja count ("6 Nein; 7 Ja")
    for _, kind, number in events:
        if kind == "unanimous":
            if pending_ja is not None:
                votes.append(pending_ja > 0)
                pending_ja = None
            # "Einstimmig12 Ja-Stimmen, 0 Nein-Stimmen": the count repeats the same vote.
            votes.append(True)
        elif kind == "ja":
            if pending_ja is not None:
                votes.append(pending_ja > 0)
            pending_ja = number
            if pending_nein is not None:
                votes.append(number > pending_nein)
                pending_ja = pending_nein = None
        elif pending_ja is not None:
            votes.append(pending_ja > number)
            pending_ja = None
        else:
            pending_nein = number
    if pending_ja is not None:
        votes.append(pending_ja > 0)
    return votes


def _from_votes(votes: list[bool]) -> str:
    if not votes:
        return UNKNOWN
    if all(votes):
        return ADOPTED
    if not any(votes):
        return REJECTED
    return ADOPTED_PARTLY


def normalize_result(wording: str | None) -> str:
    """The outcome (one of ``OUTCOMES``) of a result as the council wrote it; "" when none is
    stated (empty or missing), ``UNKNOWN`` when the wording fits no rule."""
    text = " ".join((wording or "").split())
    if not text:
        return ""
    for pattern, outcome in _WORDED:
        if pattern.search(text):
            return outcome
    if _NOT_A_YES_NO_VOTE.search(text):
        return ADOPTED if _ADOPTED_WORDS.search(text) else UNKNOWN
    votes = _votes(text)
    if (votes and not all(votes) and any(votes)) or _PART_REJECTED.search(text):
        return ADOPTED_PARTLY
    if _REJECTED_WORDS.search(text):
        return REJECTED
    if _ADOPTED_WORDS.search(text):
        return ADOPTED
    if _NO_VOTE.search(text):
        return NO_VOTE
    return UNKNOWN if votes is None else _from_votes(votes)


assert set(OUTCOMES) == {
    ADOPTED, ADOPTED_CHANGED, ADOPTED_PARTLY, REJECTED, POSTPONED, REFERRED, WITHDRAWN, NOTED, SETTLED,
    DISCUSSED, ELECTED, NO_VOTE, UNKNOWN,
}  # fmt: skip
