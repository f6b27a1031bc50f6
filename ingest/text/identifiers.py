"""Identifiers kept whole for search: reference numbers, TOP numbers, dates and codes.

Word analysis cuts "2025/0190" into "2025" and "0190", two numbers that half the corpus holds,
and "Prüfmarke-Quendel-01" into words shared with "Prüfmarke-Quendel-08". Staff search by
Drucksache number all day, so these shapes are also kept as one token each, beside their parts:

* compounds of word characters joined by ``/``, ``-`` or ``.`` without blanks: Drucksache and
  reference numbers of every council system ("2025/0190", "2024/1329/3", "A0078/25",
  "VIII/2025/00836", "AT/0047/2025", "DHH/2025/6612", ALLRIS "21-01234") and hyphenated codes
  ("Prüfmarke-Quendel-01"); ``/`` and ``.`` compounds only with a digit ("und/oder", "z.B" are
  no identifiers, "Baden-Württemberg" is one);
* dates, as ISO dates whether written "25.11.2025", "5.3.2025" or "2025-11-25";
* agenda items: "TOP 5", "TOP 3.1", "Tagesordnungspunkt 5" as ``top 5``; "Ö 3.1", "NÖ 2" as
  ``ö 3.1``, ``nö 2``. The blank keeps them apart from every word token.

Tokens are lower-case and unstemmed. :func:`reference_key` and :func:`reference_candidates`
match a document's reference against a query (exact, ignoring case and runs of blanks).
"""

from __future__ import annotations

import re

_COMPOUND = re.compile(r"\w+(?:[/.\-]\w+)+")
_DIGIT = re.compile(r"\d")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_AGENDA = re.compile(r"\b(?:TOP|Tagesordnungspunkt)\s*(?:N?Ö\s*)?(\d+(?:\.\d+)*)\b", re.IGNORECASE)
_PUBLIC_PART = re.compile(r"(?<!\w)(N?Ö)\s*(\d+(?:\.\d+)*)\b")
# Punctuation around a reference in running text: "(2025/0190)", "2025/0190," or "„A/2025/014“".
_AROUND = "\"'()[]{}<>.,;:!?„“”‚‘’«»"
_MAX_REFERENCE_WORDS = 4  # "80/2019 2. Ergänzung": references of a few words exist
_MIN_REFERENCE_CHARS = 4  # a reference "5" would match every query that holds a five


def _date(compound: str) -> str:
    match = _DOTTED_DATE.fullmatch(compound)
    if match is None:
        return compound
    day, month, year = (int(part) for part in match.groups())
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return compound
    return f"{year:04d}-{month:02d}-{day:02d}"


def identifiers(text: str) -> list[str]:
    """The identifier tokens of ``text`` in order (see the module docstring)."""
    tokens: list[str] = []
    for match in _COMPOUND.finditer(text):
        compound = match.group(0).lower()
        if "-" in compound or _DIGIT.search(compound):
            tokens.append(_date(compound))
    tokens += [f"top {number}" for number in _AGENDA.findall(text)]
    tokens += [f"{part.lower()} {number}" for part, number in _PUBLIC_PART.findall(text)]
    return tokens


def reference_key(reference: str) -> str:
    """How a reference is compared: lower case, blanks collapsed; "" for one that cannot be
    told apart from ordinary words and numbers (no digit, or shorter than four characters)."""
    key = " ".join(reference.split()).casefold()
    if len(key) < _MIN_REFERENCE_CHARS or not _DIGIT.search(key):
        return ""
    return key


def reference_candidates(query: str) -> set[str]:
    """Every run of up to four words of ``query`` (without the punctuation around it), as
    :func:`reference_key` writes it: the references a query can name exactly."""
    words = query.split()
    candidates: set[str] = set()
    for start in range(len(words)):
        for end in range(start + 1, min(start + _MAX_REFERENCE_WORDS, len(words)) + 1):
            key = reference_key(" ".join(words[start:end]).strip(_AROUND))
            if key:
                candidates.add(key)
    return candidates
