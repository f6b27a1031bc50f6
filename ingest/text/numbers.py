"""German numbers written as words: "zwanzig", "zweihundert", "einundzwanzig", "ein Drittel".

Council papers write small counts and shares in words ("stellt zwanzig neue Sitzbänke auf",
"ein Drittel der Kosten"). The answerer must see them as numbers (a sentence with "zwanzig"
answers "Wie viele …?"), and the judge must compare them with digits ("zwanzig" = "20").

Cardinals from two up: "ein"/"eine" alone is an article far more often than a count, so it is a
number only as part of a compound ("einundzwanzig", "einhundert"). Fractions: "Hälfte" = 1/2,
"Drittel", "Viertel", "Fünftel" … with a count word before them ("zwei Drittel" = 2/3; "ein
Drittel" = 1/3; a bare "Viertel" is a district as often as a share, so it is not taken).
"""

from __future__ import annotations

import re
from fractions import Fraction

_UNITS = {
    "ein": 1, "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9,
}  # fmt: skip
_TEENS = {
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
    "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}  # fmt: skip
_TENS = {
    "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70,
    "achtzig": 80, "neunzig": 90,
}  # fmt: skip
_DENOMINATORS = {
    "drittel": 3, "viertel": 4, "fünftel": 5, "sechstel": 6, "achtel": 8, "zehntel": 10,
}  # fmt: skip

_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_BELOW_HUNDRED = (
    rf"(?:(?:{_UNIT})und)?(?:{'|'.join(_TENS)})|{'|'.join(sorted(_TEENS, key=len, reverse=True))}|{_UNIT}"
)
_BELOW_THOUSAND = rf"(?:(?:{_UNIT})?hundert(?:{_BELOW_HUNDRED})?|{_BELOW_HUNDRED})"
_CARDINAL = re.compile(
    rf"\b((?:{_BELOW_THOUSAND})?tausend(?:{_BELOW_THOUSAND})?|{_BELOW_THOUSAND})\b", re.IGNORECASE
)
_FRACTION = re.compile(
    rf"\b(eine?|{_UNIT})\s+({'|'.join(_DENOMINATORS)})\b|\b(die\s+)?(hälfte)\b",
    re.IGNORECASE,
)
_BELOW_HUNDRED_PARTS = re.compile(rf"^(?:({_UNIT})und)?({'|'.join(_TENS)})$")


def _below_hundred(word: str) -> int | None:
    if word in _UNITS:
        return _UNITS[word]
    if word in _TEENS:
        return _TEENS[word]
    match = _BELOW_HUNDRED_PARTS.match(word)
    if match is None:
        return None
    return _TENS[match.group(2)] + (_UNITS[match.group(1)] if match.group(1) else 0)


def _below_thousand(word: str) -> int | None:
    if not word:
        return 0
    if "hundert" in word:
        head, _, tail = word.partition("hundert")
        hundreds = _UNITS.get(head, 1 if not head else 0)
        rest = _below_hundred(tail) if tail else 0
        if not hundreds or rest is None:
            return None
        return hundreds * 100 + rest
    return _below_hundred(word)


def cardinal_value(word: str) -> int | None:
    """The value of one German number word ("zweihundertfünfzig" → 250); None if it is none."""
    word = word.lower()
    if "tausend" in word:
        head, _, tail = word.partition("tausend")
        thousands = _below_thousand(head) if head else 1
        rest = _below_thousand(tail)
        if not thousands or rest is None:
            return None
        return thousands * 1000 + rest
    return _below_thousand(word)


def number_words(text: str) -> list[tuple[int, int, Fraction]]:
    """(start, end, value) of every number written as words in ``text``, in order.

    A lone "ein"/"eine"/"eins" is not taken (an article, or "eins" in lists); fractions are.
    """
    found: list[tuple[int, int, Fraction]] = []
    taken: list[tuple[int, int]] = []
    for match in _FRACTION.finditer(text):
        if match.group(4):  # "die Hälfte"
            value = Fraction(1, 2)
        else:
            count_word = match.group(1).lower()
            count = 1 if count_word == "eine" else _UNITS[count_word]
            value = Fraction(count, _DENOMINATORS[match.group(2).lower()])
        found.append((match.start(), match.end(), value))
        taken.append((match.start(), match.end()))
    for match in _CARDINAL.finditer(text):
        word = match.group(1).lower()
        if word in ("ein", "eins") or any(start <= match.start() < end for start, end in taken):
            continue
        cardinal = cardinal_value(word)
        if cardinal is not None and cardinal >= 2:
            found.append((match.start(), match.end(), Fraction(cardinal)))
    return sorted(found)


def has_number_word(text: str) -> bool:
    """Whether ``text`` states a count or share in words."""
    return bool(number_words(text))
