"""The search form's filter fields as SearchFilters; dates as Germans type them."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date

from assistant.errors import InvalidRequestError
from assistant.service import FacetsResponse, SearchFilters

MAX_FILTER_VALUES = 20
MAX_FIELD_CHARS = 200
_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{1,2})[./](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_date(text: str, end_of_period: bool = False) -> date | None:
    """``14.03.2025``, ``2025-03-14``, ``03.2025`` or ``2025``; a month or year stands for its first
    day, or its last one with ``end_of_period`` (for "bis"). Empty: None."""
    text = text.strip()
    if not text:
        return None
    try:
        if match := _GERMAN.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := _ISO.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _MONTH.match(text):
            year, month = int(match[2]), int(match[1])
            day = calendar.monthrange(year, month)[1] if end_of_period else 1
            return date(year, month, day)
        if match := _YEAR.match(text):
            year = int(match[1])
            return date(year, 12, 31) if end_of_period else date(year, 1, 1)
    except ValueError:
        pass  # 31.02.2025 and the like: same message as any other unreadable date
    raise InvalidRequestError(
        f"date {text[:40]!r} not understood",
        german=f"Datum „{text[:40]}“ nicht erkannt. Bitte als TT.MM.JJJJ, JJJJ-MM-TT, MM.JJJJ oder JJJJ "
        "angeben.",
    )


def type_choices(facets: FacetsResponse) -> list[tuple[str, str]]:
    """The paper type filter's choices: each family, the types as stated indented beneath it.

    Choosing a family finds every type in it; choosing a stated type finds just that one.
    Types that fit no family come last, unindented.
    """
    choices: list[tuple[str, str]] = []
    for family in facets.paper_families:
        if family.value:
            choices.append((f"{family.value} ({family.count})", family.value))
        indent = " – " if family.value else ""
        choices.extend((f"{indent}{t.value} ({t.count})", t.value) for t in family.types)
    return choices


def _value(text: str | None) -> str:
    return (text or "").strip()[:MAX_FIELD_CHARS]


def build_filters(
    paper_types: Sequence[str] | str | None,
    date_from: str,
    date_to: str,
    body: str | None,
    originator: str | None,
) -> SearchFilters:
    """SearchFilters from the form; InvalidRequestError (German) for an unreadable or empty range."""
    if isinstance(paper_types, str):
        paper_types = [paper_types] if paper_types else []
    types = tuple(dict.fromkeys(_value(t) for t in paper_types or () if _value(t)))[:MAX_FILTER_VALUES]
    start, end = parse_date(date_from or ""), parse_date(date_to or "", end_of_period=True)
    if start and end and start > end:
        raise InvalidRequestError(
            "the start date lies after the end date", german="Das Datum „von“ liegt nach dem Datum „bis“."
        )
    return SearchFilters(
        paper_types=types, date_from=start, date_to=end, body=_value(body), originator=_value(originator)
    )
