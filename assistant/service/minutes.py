"""The passage of a meeting's minutes on one agenda item, found by its number and its title.

Minutes number their items ("TOP 3", "Ö 3", "3." at the start of a line) and repeat their
titles. A passage qualifies when it names the item's number and shares most of the title's
words, or shares nearly all of them; one naming the number is preferred, then the one sharing
most words. A number alone is not enough
(minutes are full of numbers), nor are a few common words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.models import StoredChunk
from ingest.text.words import analyze

_WITH_NUMBER = 0.5  # share of the title's words a passage naming the item's number must hold
_WITHOUT_NUMBER = 0.85  # … and one that does not


def _names_number(text: str, number: str) -> bool:
    if not number:
        return False
    escaped = re.escape(number.strip().rstrip("."))
    pattern = rf"(?:\bTOP\s*|\b[ÖN]\s+|^\s*){escaped}(?![\d.]\d)"
    return re.search(pattern, text, re.IGNORECASE | re.MULTILINE) is not None


def minutes_passage(chunks: Sequence[StoredChunk], number: str, title: str) -> StoredChunk | None:
    """The chunk of the minutes that deals with the agenda item ``number`` ``title``, or None."""
    wanted = set(analyze(title))
    if not wanted:
        return None
    best: tuple[bool, float, int, StoredChunk] | None = None
    for chunk in chunks:
        share = len(wanted & set(analyze(chunk.text))) / len(wanted)
        named = _names_number(chunk.text, number)
        if share < (_WITH_NUMBER if named else _WITHOUT_NUMBER):
            continue
        # A passage naming the item's number wins (items 9.1 and 9.1.1 may share a title).
        candidate = (named, share, -chunk.index, chunk)
        if best is None or candidate[:3] > best[:3]:
            best = candidate
    return best[3] if best else None
