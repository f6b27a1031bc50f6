"""The parts of a German question about the council process, each found by a pure function.

Which papers (``paper_families``: "Anträge" → Antrag), which results ("abgelehnt" → the outcome
``abgelehnt``, "beschlossen" → every kind of adoption), whose ("der CDU-Fraktion", "der Fraktion
Die Linke" → the originator as a search string), when ("2025", "im ersten Halbjahr 2025",
"vom 01.01.2025 bis 30.06.2025", "am 25.11.2025"), and which body ("des Bauausschusses" → the
known body "Bauausschuss"). Every function reads the question as asked and returns "" / () /
None when it finds nothing; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.metadata.dates import DATE, parse_date
from ingest.process.results import (
    ADOPTED,
    ADOPTED_CHANGED,
    ADOPTED_PARTLY,
    ELECTED,
    NOTED,
    POSTPONED,
    REFERRED,
    REJECTED,
    SETTLED,
    WITHDRAWN,
)
from ingest.text.months import MONTH_NAMES, MONTHS

# Word stems of paper types (lower case) → the family they name; "" for any paper.
_TYPE_WORDS = (
    (
        re.compile(r"\bänderungs(?:-|\s*/\s*ergänzungs)?anträg?e?n?\b|\bänderungsantrags?\b"),
        "Änderungsantrag",
    ),
    (re.compile(r"\bdringlichkeitsanträg?e?n?\b|\bdringlichkeitsantrags?\b"), "Dringlichkeitsantrag"),
    (re.compile(r"\b(?:anträge|anträgen|antrags?)\b"), "Antrag"),
    (re.compile(r"\banfragen?\b"), "Anfrage"),
    (re.compile(r"\bbeschlussvorlagen?\b"), "Beschlussvorlage"),
    (re.compile(r"\binformationsvorlagen?\b"), "Informationsvorlage"),
    (re.compile(r"\bstellungnahmen?\b"), "Stellungnahme"),
    (re.compile(r"\b(?:vorlagen?|drucksachen?|papiere?)\b"), ""),
)
_PLURAL_TYPE = re.compile(
    r"\b(?:\w*anträge|\w*anträgen|\w*anfragen|\w*vorlagen|drucksachen|stellungnahmen|papiere)\b"
)
ADOPTIONS = (ADOPTED, ADOPTED_CHANGED, ADOPTED_PARTLY)
_OUTCOME_WORDS = (
    (re.compile(r"\babgelehnt\b|\bablehn"), (REJECTED,)),
    (
        re.compile(r"\b(?:angenommen|beschlossen|zugestimmt|verabschiedet|genehmigt|befürwortet)\b"),
        ADOPTIONS,
    ),
    (re.compile(r"\bzurückgezogen\b"), (WITHDRAWN,)),
    (re.compile(r"\b(?:vertagt|zurückgestellt|abgesetzt)\b"), (POSTPONED,)),
    (re.compile(r"\b(?:verwiesen|überwiesen)\b"), (REFERRED,)),
    (re.compile(r"\berledigt\b"), (SETTLED,)),
    (re.compile(r"\bzur kenntnis genommen\b|\bkenntnisnahme\b"), (NOTED,)),
    (re.compile(r"\bgewählt\b"), (ELECTED,)),
)
# Parties and faction words as they are asked for; the value is what the originator contains.
_PARTIES = re.compile(
    r"\b(CDU|CSU|SPD|FDP|AfD|BSW|ÖDP|Volt|KAL|KULT|FÜR|FW|Freien? Wähler|Piraten|"
    r"(?:die\s+)?PARTEI|Grünen?|GRÜNEN?|Linken?|LINKEN?|Bürgerliste)\b"
)
_FACTION = re.compile(
    r"\b(?:der|die|von der|vom)\s+(?:Fraktion|Gruppe)\s+(?:der\s+|von\s+)?"
    r"(?P<name>[^\s,?!.]+(?:\s+[A-ZÄÖÜ][^\s,?!.]*)?)"
    r"|\b(?:der|die|von der)\s+(?P<prefix>[A-ZÄÖÜ][\wÄÖÜäöüß/]*)-"
    r"(?:Gemeinderats|Rats|Kreistags|Stadtrats)?[Ff]raktion\b"
)
_NOT_A_NAME = frozenset({"wurden", "wurde", "im", "in", "zum", "zur", "seit", "vom", "und", "im jahr"})
_YEAR = re.compile(r"(?<![\d/.-])(?P<y>(?:19|20)\d\d)(?![\d/-])")
_RANGE = re.compile(
    r"\b(?:vom|von|zwischen(?:\s+dem)?)\s+(?P<a>.+?)\s+(?:bis(?:\s+zum)?|und(?:\s+dem)?)\s+(?P<b>.+?)(?=$|[\s,?!.]*(?:\s(?:im|in|der|die|wurden|wurde)\b|[?!]|$))",
    re.IGNORECASE,
)
_HALF = re.compile(
    r"\b(?P<n>ersten|zweiten|1\.|2\.)\s+(?:halbjahr|jahreshälfte)\s+(?P<y>(?:19|20)\d\d)\b", re.I
)
_QUARTER = re.compile(
    r"\b(?P<n>ersten|zweiten|dritten|vierten|[1-4]\.)\s+quartal\s+(?P<y>(?:19|20)\d\d)\b", re.I
)
_MONTH = re.compile(r"\b(?:im\s+)?(?P<m>" + MONTH_NAMES + r")\.?\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE)
_SINCE = re.compile(r"\bseit\s+(?:dem\s+)?$", re.IGNORECASE)
_ORDINALS = {"ersten": 1, "1.": 1, "zweiten": 2, "2.": 2, "dritten": 3, "3.": 3, "vierten": 4, "4.": 4}
# Body words: "Bauausschusses", "Gemeinderats", "Ortschaftsrat", "Bezirksversammlung", "Kreistag"
_BODY_WORD = re.compile(
    r"\b[\wÄÖÜäöüß-]*(?:ausschuss|rat|beirat|versammlung|kommission|kreistag|vertretung)(?:es|s|e)?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days as asked for (either end may be open); ``label`` says it in German."""

    start: date | None
    end: date | None
    label: str

    def holds(self, day: date | None) -> bool:
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def paper_families(question: str) -> tuple[str, ...]:
    """The families of the paper types a question names ("" alone: any paper)."""
    lowered = question.casefold()
    found: list[str] = []
    for pattern, family in _TYPE_WORDS:
        if pattern.search(lowered):
            found.append(family)
            lowered = pattern.sub(" ", lowered)
    return tuple(dict.fromkeys(found))


def asks_for_many(question: str) -> bool:
    """Whether the question names paper types in the plural ("Anträge", "Vorlagen")."""
    return _PLURAL_TYPE.search(question.casefold()) is not None


def outcomes_asked(question: str) -> tuple[str, ...]:
    """The normalised outcomes a question asks about ("abgelehnt" → abgelehnt; "beschlossen" →
    every adoption), in the order asked."""
    lowered = question.casefold()
    found: list[str] = []
    for pattern, outcomes in _OUTCOME_WORDS:
        if pattern.search(lowered):
            found.extend(outcomes)
    return tuple(dict.fromkeys(found))


def _party(name: str) -> str:
    """A party as an originator contains it: "Grünen" → "Grüne", "Linken" → "Linke"."""
    name = re.sub(r"^die\s+", "", name.strip(), flags=re.IGNORECASE)
    if re.fullmatch(r"(?i)grünen|linken", name):
        return name[:-1]
    return "Freie Wähler" if name.casefold().startswith("freie") else name


def originator_asked(question: str) -> str:
    """The faction or party a question asks about, as a string the originator contains."""
    match = _FACTION.search(question)
    if match and match.group("prefix"):
        return _party(match.group("prefix"))
    if match and match.group("name") and match.group("name").casefold() not in _NOT_A_NAME:
        party = _PARTIES.search(match.group("name"))
        return _party(party.group(1)) if party else match.group("name").strip()
    party = _PARTIES.search(question)
    return _party(party.group(1)) if party else ""


def _day(text: str) -> date | None:
    return parse_date(DATE.search(text))


def days_named(question: str) -> list[date]:
    """Every full date in the question ("25.11.2025", "25. November 2025"), in order."""
    return [day for day in (parse_date(m) for m in DATE.finditer(question)) if day is not None]


def period_asked(question: str, today: date) -> Period | None:
    """The period a question names: a range of dates, a half year, a quarter, a month, a year,
    "seit 2024", "dieses Jahr" / "letztes Jahr"; None without one."""
    if match := _RANGE.search(question):
        start, end = _day(match.group("a")), _day(match.group("b"))
        if start and end:
            return Period(start, end, f"vom {start:%d.%m.%Y} bis {end:%d.%m.%Y}")
    if match := _HALF.search(question):
        year, half = int(match.group("y")), _ORDINALS[match.group("n").lower()]
        start = date(year, 1 if half == 1 else 7, 1)
        end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        return Period(start, end, f"im {half}. Halbjahr {year}")
    if match := _QUARTER.search(question):
        year, quarter = int(match.group("y")), _ORDINALS[match.group("n").lower()]
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(days=1)
        return Period(start, end, f"im {quarter}. Quartal {year}")
    if match := _MONTH.search(question):
        year, month = int(match.group("y")), MONTHS[match.group("m").lower()]
        end = date(year + (month == 12), 1 if month == 12 else month + 1, 1) - timedelta(days=1)
        return Period(date(year, month, 1), end, f"im {match.group('m').capitalize()} {year}")
    lowered = question.casefold()
    if re.search(r"\b(?:dieses|diesem|laufenden)\s+jahr", lowered):
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), f"im Jahr {today.year}")
    if re.search(r"\b(?:letzten|letztes|vergangenen|vergangenes|vorigen|voriges)\s+jahr", lowered):
        year = today.year - 1
        return Period(date(year, 1, 1), date(year, 12, 31), f"im Jahr {year}")
    for match in _YEAR.finditer(question):
        year = int(match.group("y"))
        if _SINCE.search(question[: match.start()]):
            return Period(date(year, 1, 1), None, f"seit {year}")
        return Period(date(year, 1, 1), date(year, 12, 31), f"im Jahr {year}")
    return None


def _genitive_stem(word: str) -> str:
    """ "Bauausschusses" → "bauausschuss", "Gemeinderats" → "gemeinderat" (lower case)."""
    lowered = word.casefold()
    for ending in ("es", "s", "e"):
        stem = lowered.removesuffix(ending)
        if stem != lowered and re.search(r"(?:ausschuss|rat|tag|kommission|versammlung)$", stem):
            return stem
    return lowered


def body_named(question: str, bodies: Iterable[str]) -> str:
    """The known body a question names: the longest name it contains, else the one body whose
    name holds a body word of the question ("Finanzausschuss" → "Haupt- und Finanzausschuss");
    "" when none or several fit."""
    lowered = " ".join(question.casefold().split())
    known = sorted({" ".join(body.split()) for body in bodies if body.strip()}, key=len, reverse=True)
    for body in known:
        if re.search(rf"(?<![\w-]){re.escape(body.casefold())}", lowered):
            return body
    for word in _BODY_WORD.findall(question):
        stem = _genitive_stem(word)
        if len(stem) < 6:
            continue
        fitting = [body for body in known if stem in body.casefold()]
        exact = [body for body in fitting if body.casefold() == stem]
        if exact or len(fitting) == 1:
            return (exact or fitting)[0]
    return ""


def body_words(question: str) -> list[str]:
    """The body words of a question as written ("des Bauausschusses" → "Bauausschusses")."""
    return _BODY_WORD.findall(question)
