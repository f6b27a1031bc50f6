"""German sentence boundaries in extracted text, as ``(start, end)`` offsets.

One regex scan finds every candidate boundary (a blank line, a list item after a newline, a
full stop, question or exclamation mark before whitespace); ``_ends_sentence`` then judges each
full stop against abbreviations ("z. B.", "bzw.", "Nr."), ordinals ("1. Juli"), Roman numerals,
dates and amounts. A single newline is no boundary, since PDF text is hard-wrapped; headings
are sentences of their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.text.headings import LIST_ITEM_START, Heading, find_headings

# Lower-cased, without the dot; the last line holds the month abbreviations ("15. Okt. 2025").
# Single letters ("S.", "z. B.") are handled by a rule of their own.
_ABBREVIATION_WORDS = """
    abb abs abschn abzgl allg anl anm art az bd betr bez bspw bsp buchst bzgl bzw ca co dez di dipl do
    dr ehem einschl evtl fa ff fr gem geb gez ggf ggfs ggü gr hr hrn hrsg hs inkl insb insbes ing jh
    jhd kap lfd lit lt max mi min mind mio mo mrd mwst nr nrn od pkt pos prof rd sa sog st std stellv
    str stv tab tel teilw tsd tlw urspr ust vgl vors vs zit ziff zw zzgl zzt gbl bgbl
    jan feb mär apr jun jul aug sep sept okt nov
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())

_DOTTED_ABBREVIATION = re.compile(r"(?:[A-Za-zÄÖÜäöü]{1,3}\.)+[A-Za-zÄÖÜäöü]{1,3}")
_ROMAN = re.compile(r"[IVX]{2,4}")
_DAY_MONTH = re.compile(r"\d{1,2}\.\d{1,2}")
_NUMBERED_ITEM = re.compile(r"[ \t]*\(?\d{1,2}[.)][ \t]")
# One scan finds every candidate sentence boundary; the Python loop then judges each. The
# leading look-ahead lets the regex engine skip to candidate characters (2x faster).
_BREAK = re.compile(
    r"(?=[\n\f.!?…])(?:"
    r"(?P<blank>\n[ \t\r\v\xa0]*\n|\f)"
    rf"|(?P<item>\n(?={LIST_ITEM_START.pattern}))"
    r"|(?P<punct>[.!?…]+[\"'“”»«‘’)\]]*)(?=\s))"
)
_OPENERS = "([{„“\"'‚»«"


def _token_before(text: str, pos: int) -> str:
    i = pos
    lo = max(0, pos - 40)
    while i > lo and not text[i - 1].isspace():
        i -= 1
    return text[i:pos].lstrip(_OPENERS)


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Judge a ".", "?" or "!" followed by whitespace: a sentence end or an abbreviation/number?"""
    n = len(text)
    k = match.end()
    while k < n and text[k].isspace():
        k += 1
    if k < n and text[k].islower():
        return False  # German sentences start upper-case; "z. B. die", "ca. zwei"
    punct = match["punct"]
    if punct != ".":
        return True
    token = _token_before(text, match.start())
    if not token:
        return True
    if token.isdigit():
        return len(token) > 3  # "1. Juli", "im 2. Quartal", but "seit 1928."
    if _ROMAN.fullmatch(token):
        return False  # "II. Sachverhalt", "Kapitel III. Abschnitt"
    if len(token) == 1:
        return not token.isalpha()  # "S. 4", "z. B.", "A. Müller"
    lowered = token.lower()
    if lowered in _ABBREVIATIONS or lowered.endswith("str"):  # "Kaiserstr. 12"
        return False
    return not (_DOTTED_ABBREVIATION.fullmatch(token) or _DAY_MONTH.fullmatch(token))


def _numbered_item_continues_list(text: str, newline: int) -> bool:
    """A numbered line after a hard wrap ("im\\n2. Quartal") is only an item inside a list."""
    i = newline
    while i > 0 and text[i - 1] in " \t\r":
        i -= 1
    if i > 0 and text[i - 1] in '.:;,!?)“"':
        return True
    line_start = text.rfind("\n", 0, i) + 1
    return LIST_ITEM_START.match(text, line_start) is not None


def sentence_spans(text: str, headings: Sequence[Heading]) -> list[tuple[int, int]]:
    """``split_sentences`` with the page's headings already found (chunking needs them too)."""
    cuts: list[int] = []
    for h in headings:
        cuts.append(h.start)
        if h.breaks_after:
            cuts.append(h.end)
    for m in _BREAK.finditer(text):
        kind = m.lastgroup
        if kind == "punct":
            if _ends_sentence(text, m):
                cuts.append(m.end())
        elif kind == "item":
            pos = m.start()
            if not _NUMBERED_ITEM.match(text, pos + 1) or _numbered_item_continues_list(text, pos):
                cuts.append(pos)
        else:
            cuts.append(m.start())
    cuts.append(len(text))
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in sorted(cuts):
        if cut <= prev:
            continue
        segment = text[prev:cut]
        stripped = segment.strip()
        if stripped:
            s = prev + (len(segment) - len(segment.lstrip()))
            spans.append((s, s + len(stripped)))
        prev = cut
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the German sentences in ``text``, in order.

    Does not break at abbreviations ("z. B.", "bzw.", "Nr."), ordinals ("1. Juli"), dates or
    amounts. A blank line always ends a sentence; a single newline only before a list item or
    around a heading, since PDF text is hard-wrapped. Spans are trimmed of whitespace and together
    cover every non-whitespace character of ``text``.
    """
    return sentence_spans(text, find_headings(text))
