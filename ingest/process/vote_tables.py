"""Vote tables whose cells ran together when a minutes system exported them as plain text.

SD.NET minutes state a vote as a table (Ja / Nein / Enthaltung per faction, then the totals);
as an OParl ``result`` its cells arrive without separators, empty cells left out:
"JaNeinEnthaltungBM1CDU81SPD6…FDP2Gesamt2410". The totals "2410" can be read as 24-1-0 or
2-4-10. A reading is kept only if its sum is one the faction rows can add up to; the table
is read only when every kept reading gives the same outcome (more Ja than Nein adopts).
Otherwise it stays unread: the caller reports the result as unknown rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TABLE = re.compile(
    r"ja\s*nein\s*enthaltung(?:en)?(?P<rows>.*?)(?:gesamt|ergebnis)\s*:?\s*(?P<total>\d+)",
    re.IGNORECASE | re.DOTALL,
)
HEADER = re.compile(r"ja\s*nein\s*enthaltung", re.IGNORECASE)
# Digits inside faction names ("B‘90/Die Grünen", "Bündnis 90/Grünen") are no votes.
_NAME_DIGITS = re.compile(r"(?:B\W?|Bündnis\s*)9?0(?=\s*/)", re.IGNORECASE)
_ROW = re.compile(r"(\D+?)(\d+)")
_MAX_COUNT = 40  # more votes than any municipal council of this size casts in one column
_MIN_VOTES = 5


def _splits(digits: str, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to cut ``digits`` into ``parts`` numbers (no leading zeros, each plausible)."""
    if parts == 1:
        if digits and (digits == "0" or digits[0] != "0") and int(digits) <= _MAX_COUNT:
            yield (int(digits),)
        return
    for cut in range(1, len(digits)):
        head = digits[:cut]
        if (head != "0" and head[0] == "0") or int(head) > _MAX_COUNT:
            continue
        for rest in _splits(digits[cut:], parts - 1):
            yield (int(head), *rest)


def _row_sums(rows: str) -> set[int] | None:
    """Every total the faction rows can add up to (each row holds one to three counts)."""
    possible = {0}
    for _, digits in _ROW.findall(_NAME_DIGITS.sub("B", rows)):
        sums = {sum(split) for parts in (1, 2, 3) for split in _splits(digits, parts)}
        if not sums:
            return None
        possible = {a + b for a in possible for b in sums}
    return possible


def read_table(rows: str, total: str) -> bool | None:
    """True (adopted) or False (rejected) when every consistent reading agrees; else None."""
    possible = _row_sums(rows)
    if possible is None:
        return None
    readings: set[tuple[int, int, int]] = set()
    for yes, no, abstain in _splits(total, 3):
        readings.add((yes, no, abstain))
    for first, second in _splits(total, 2):  # an empty cell was left out
        readings.update({(first, second, 0), (first, 0, second), (0, first, second)})
    outcomes = {
        yes > no
        for yes, no, abstain in readings
        if yes + no + abstain in possible and yes + no + abstain >= _MIN_VOTES
    }
    return outcomes.pop() if len(outcomes) == 1 else None


def table_votes(text: str) -> tuple[list[bool], str] | None:
    """The votes of every table in ``text`` and the text without them; None if one is unread."""
    votes = []
    for match in TABLE.finditer(text):
        vote = read_table(match.group("rows"), match.group("total"))
        if vote is None:
            return None
        votes.append(vote)
    rest = TABLE.sub(" ", text)
    return (votes, rest) if not HEADER.search(rest) else None
