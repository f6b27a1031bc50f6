"""Dates in council papers ("01.07.2025", "1. Juli 2025", "16./17.12.2025") and the paper's own date."""

from __future__ import annotations

import re
from datetime import date

from ingest.metadata.lines import Fields
from ingest.text.months import MONTH_NAMES, MONTHS

# "01.07.2025", "1.7.25", "1. Juli 2025", "16./17.12.2025" (the first day counts)
DATE = re.compile(
    r"(?<![\d.])(?:(?P<from>\d{1,2})\./\s?)?(?P<d>\d{1,2})\.\s?(?:(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})"
    r"|(?P<mn>" + MONTH_NAMES + r")\.?\s+(?P<yn>\d{4}))(?![\d])",
    re.IGNORECASE,
)
# A line that is only a date, possibly after a weekday or place and before a time
DATE_ONLY = re.compile(r"^(?:\w+,\s*)?" + DATE.pattern[len("(?<![\\d.])") :] + r"(?:,.*Uhr)?$")


def parse_date(m: re.Match[str] | None, *, four_digit_year: bool = False) -> date | None:
    """The date of a ``DATE`` match; None for no match, an impossible date or a year outside 1900-2100."""
    if m is None:
        return None
    if m.group("mn"):
        year, month = int(m.group("yn")), MONTHS[m.group("mn").lower()]
    else:
        year, month = int(m.group("y")), int(m.group("m"))
        if len(m.group("y")) == 2:
            if four_digit_year:
                return None
            year += 2000
    if not 1900 <= year <= 2100:  # typos such as "11.02.2205"
        return None
    try:
        return date(year, month, int(m.group("from") or m.group("d")))
    except ValueError:  # "00.00.0000" placeholders
        return None


def find_date(header: list[str], fields: list[Fields], table_at: int) -> date | None:
    """A labelled date (Datum:, Eingang:), else a date standing at the start of a header line."""
    for _, pairs in fields:
        for kind, value in pairs:
            if kind == "date" and (found := parse_date(DATE.match(value))):
                return found
    for line in header[:table_at]:
        if DATE_ONLY.match(line) and (found := parse_date(DATE.match(line), four_digit_year=True)):
            return found
    return None
