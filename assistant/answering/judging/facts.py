"""Hard facts of a German sentence that a supporting passage must repeat exactly.

Dates become ISO strings ("01.07.2025" and "1. Juli 2025" are both ``2025-07-01``; "Juli 2025"
is ``2025-07``), amounts become plain numbers ("1.500 €", "1500 Euro" and "1,5 Tsd. Euro" are all
``1500``), reference numbers ("A0078/25", "2025/0146") stay strings, party names and council
bodies are normalised ("Bündnis 90/Die Grünen" and "Grüne" are ``gruene``; "des Stadtrates" is
``stadtrat``). Negation words are reported separately: the judge compares them with the passage
sentence that says the same thing, not with the whole passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ingest.text.months import MONTH_NAMES, MONTHS
from ingest.text.numbers import number_words

_SCALES = {
    "tsd": 1000, "tausend": 1000, "mio": 10**6, "million": 10**6, "millionen": 10**6,
    "mrd": 10**9, "milliarde": 10**9, "milliarden": 10**9,
}  # fmt: skip

_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d])")
_WORD_DATE = re.compile(rf"(?<![\d.])(\d{{1,2}})\.\s*({MONTH_NAMES})\.?\s+(\d{{4}})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_BARE_MONTH = re.compile(
    r"\b(Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b"
)
_MONTH_YEAR = re.compile(rf"\b({MONTH_NAMES})\.?\s+(\d{{4}})\b", re.IGNORECASE)
# "A0078/25", "2025/0146", "VIII/2025/00836", "DHH/2025/6612": a slash and digits at the end.
_REFERENCE = re.compile(r"(?<![\w/])[A-Za-zÄÖÜ]*\d*[A-Za-z0-9]*(?:/[A-Za-z0-9]+)*/[A-Za-z]*\d+\b")
_AMOUNT = re.compile(
    r"(?<![\w,.])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?:\s*(Tsd|Tausend|Mio|Millionen|Million|Mrd"
    r"|Milliarden|Milliarde)\b\.?)?",
    re.IGNORECASE,
)
_PARTY_NUMBER = re.compile(r"Bündnis\s*90|\bB(?:Ü|ü)?90\b")

# Parties and groups of German councils, with the spellings their papers use.
_PARTIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("gruene", re.compile(r"Bündnis\s*90|B(?:Ü|ü)?90|\bGr(?:ü|ue)ne[nr]?\b|\bGRÜNE[N]?\b")),
    ("cdu", re.compile(r"\bCDU\b")),
    ("csu", re.compile(r"\bCSU\b")),
    ("spd", re.compile(r"\bSPD\b")),
    ("fdp", re.compile(r"\bFDP\b")),
    ("afd", re.compile(r"\bAfD\b")),
    ("linke", re.compile(r"\bDie Linke\b|\bDIE LINKE\b|\bLinke[n]?\b(?!\s+[a-zäöü])|\bLinksfraktion\b")),
    ("freie-waehler", re.compile(r"Freie[n]? Wähler|\bFW\b")),
    ("volt", re.compile(r"\bVolt\b")),
    ("bsw", re.compile(r"\bBSW\b")),
    ("oedp", re.compile(r"\bÖDP\b")),
    ("kal", re.compile(r"\bKAL\b|Karlsruher Liste")),
    ("partei", re.compile(r"Die PARTEI|\bPARTEI\b")),
    ("piraten", re.compile(r"\bPiraten\b")),
    ("waehlergemeinschaft", re.compile(r"Wählergemeinschaft|Wählervereinigung")),
    ("buergerliste", re.compile(r"Bürgerliste")),
)
_BODY_WORD = re.compile(
    r"\b(\w*(?:ausschuss|ausschusses|ausschüsse|ausschüssen|beirat|beirats|beirates|rat|rats|rates"
    r"|räte|bürgerschaft|kreistag|kreistages|vertretung|versammlung))\b",
    re.IGNORECASE,
)
_NOT_BODIES = frozenset(
    {"vorrat", "apparat", "heirat", "unrat", "zierat", "referat", "spagat", "ratsversammlung"}
)
NEGATIONS = frozenset(
    {"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "nichts", "weder"}
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Facts:
    """What a sentence asserts exactly; ``rest`` is the text with dates, numbers and references cut out."""

    dates: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()
    bare_months: frozenset[int] = frozenset()
    numbers: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()
    parties: frozenset[str] = frozenset()
    bodies: frozenset[str] = frozenset()
    negated: bool = False
    rest: str = field(default="", compare=False)

    @property
    def years(self) -> frozenset[str]:
        """Years of the full dates and months, so that "2025" is supported by "01.07.2025"."""
        return frozenset(value[:4] for value in self.dates | self.months)


def _canonical(value: Decimal) -> str:
    normalized = value.normalize()
    text = format(normalized, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _iso(day: int, month: int, year: int) -> str | None:
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _cut(text: str, pattern: re.Pattern[str], found: list[re.Match[str]]) -> str:
    """Blank out the matches, keeping offsets, so later patterns do not see their digits again."""
    for match in pattern.finditer(text):
        found.append(match)
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def parse_amount(digits: str, decimals: str | None, scale: str | None) -> str | None:
    """German number text to its canonical value: ("1.500", None, None) → "1500"."""
    try:
        value = Decimal(digits.replace(".", "") + (f".{decimals}" if decimals else ""))
    except InvalidOperation:
        return None
    if scale:
        key = scale.lower().rstrip(".")
        value *= _SCALES.get(key, 1)
    return _canonical(value)


def extract_facts(text: str) -> Facts:
    """Dates, months, numbers, references, parties, bodies and negation of ``text``."""
    dates: set[str] = set()
    months: set[str] = set()
    work = text
    for pattern in (_ISO_DATE, _NUMERIC_DATE, _WORD_DATE):
        matches: list[re.Match[str]] = []
        work = _cut(work, pattern, matches)
        for match in matches:
            if pattern is _ISO_DATE:
                iso = _iso(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            elif pattern is _NUMERIC_DATE:
                iso = _iso(int(match.group(1)), int(match.group(2)), _year(match.group(3)))
            else:
                iso = _iso(int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3)))
            if iso:
                dates.add(iso)
    month_matches: list[re.Match[str]] = []
    work = _cut(work, _MONTH_YEAR, month_matches)
    months.update(f"{int(m.group(2)):04d}-{MONTHS[m.group(1).lower()]:02d}" for m in month_matches)
    # A month without a year ("vor der Hochwassersaison im November") still has to match.
    bare_months = {MONTHS[m.group(1).lower()] for m in _BARE_MONTH.finditer(work)}

    reference_matches: list[re.Match[str]] = []
    work = _cut(work, _REFERENCE, reference_matches)
    references = {m.group(0).upper() for m in reference_matches}

    # "Bündnis 90" is a name, not a number a passage must repeat.
    work = _PARTY_NUMBER.sub(lambda m: " " * len(m.group(0)), work)
    numbers: set[str] = set()
    amount_matches: list[re.Match[str]] = []
    work = _cut(work, _AMOUNT, amount_matches)
    for match in amount_matches:
        value = parse_amount(match.group(1), match.group(2), match.group(3))
        if value is not None:
            numbers.add(value)
    for _, _, written in number_words(work):  # "zwanzig" = 20, "ein Drittel" = 1/3
        numbers.add(str(written) if written.denominator != 1 else _canonical(Decimal(written.numerator)))

    parties = {name for name, pattern in _PARTIES if pattern.search(text)}
    bodies = {_body(match.group(1)) for match in _BODY_WORD.finditer(text)}
    bodies.discard("")
    negated = is_negated(text)
    return Facts(
        dates=frozenset(dates),
        months=frozenset(months),
        bare_months=frozenset(bare_months),
        numbers=frozenset(numbers),
        references=frozenset(references),
        parties=frozenset(parties),
        bodies=frozenset(bodies),
        negated=negated,
        rest=work,
    )


_NOT_PUBLIC = re.compile(r"\bnicht[\s-]+(?=öffentlich)", re.IGNORECASE)


def is_negated(text: str) -> bool:
    """Whether ``text`` says "not". Two council idioms are not negations of what a sentence states:
    "nicht öffentlich" is one word (the session type), and "nicht A, sondern B" asserts B.
    """
    words = [word.lower() for word in _WORD.findall(_NOT_PUBLIC.sub("nicht", text))]
    for position, word in enumerate(words):
        if word in NEGATIONS and "sondern" not in words[position + 1 :]:
            return True
    return False


def _body(word: str) -> str:
    """'Stadtrates' → 'stadtrat', 'Ausschüssen' → 'ausschuss'; '' for words that only look like one."""
    lowered = word.lower()
    if lowered in _NOT_BODIES:
        return ""
    for ending, replacement in (
        ("ausschusses", "ausschuss"),
        ("ausschüssen", "ausschuss"),
        ("ausschüsse", "ausschuss"),
        ("rates", "rat"),
        ("rats", "rat"),
        ("räte", "rat"),
        ("kreistages", "kreistag"),
    ):
        if lowered.endswith(ending):
            return lowered[: -len(ending)] + replacement
    return lowered


def missing_facts(claim: Facts, premise: Facts) -> list[str]:
    """What ``claim`` asserts that ``premise`` lacks, as German phrases for the report."""
    missing: list[str] = []
    known_dates = premise.dates
    missing.extend(f"Datum {value}" for value in sorted(claim.dates - known_dates))
    premise_months = premise.months | {value[:7] for value in premise.dates}
    missing.extend(f"Monat {value}" for value in sorted(claim.months - premise_months))
    premise_month_numbers = premise.bare_months | {int(value[5:7]) for value in premise_months}
    missing.extend(f"Monat {number}" for number in sorted(claim.bare_months - premise_month_numbers))
    premise_numbers = premise.numbers | premise.years
    for value in sorted(claim.numbers - premise_numbers):
        missing.append(f"Zahl {value}")
    for value in sorted(claim.references - premise.references):
        missing.append(f"Nummer {value}")
    for value in sorted(claim.parties - premise.parties):
        missing.append(f"Fraktion/Partei {value}")
    for value in sorted(claim.bodies):
        # A generic body ("der Rat", "der Ausschuss") is supported by a specific one ("Stadtrat").
        if not any(body.endswith(value) for body in premise.bodies):
            missing.append(f"Gremium {value}")
    return missing
