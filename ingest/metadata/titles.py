"""The paper's subject: a labelled "Betreff:", else its title line with the lines it wrapped onto.

Also the wrapped values of narrow form boxes (``admin_span``), which the originator shares, and
the title of minutes ("Niederschrift über die 18. Sitzung des Stadtrates").
"""

from __future__ import annotations

import re

from ingest.metadata.consultations import CONSULT_HEADING
from ingest.metadata.dates import DATE_ONLY
from ingest.metadata.factions import BY, is_faction_line
from ingest.metadata.lines import CONNECTOR_END, Fields, clean_line, join_wrapped, label_fields, next_nonempty
from ingest.metadata.paper_types import normalize_paper_type

_ADDRESSEE = re.compile(
    r"^(?:An\s+)?(?:Herrn?|Frau|den|die)\s+(?:Ober)?[Bb]ürgermeister|^(?:An\s+)?(?:Herrn|Frau)\s"
)
_BOILERPLATE = re.compile(
    r"^(?:Gedruckt auf.*|Recyclingpapier|Herrn?\s+Oberbürgermeister(?:in)?|Frau\s+Oberbürgermeisterin"
    r"|\d{5}\s+\S+|Seite \d+.*|-- \d+ of \d+ --|[-–] \d+ [-–]|Dez\.\s*\d+)$",
    re.IGNORECASE,
)


def find_subject(header: list[str], fields: list[Fields], ref_line: int, table_at: int) -> str:
    """A labelled subject ("Betreff:", on its line or the next), else the title line after the reference."""
    for i, (_, pairs) in enumerate(fields):
        for kind, value in pairs:
            if kind != "subject":
                continue
            if value:
                return _continue(value, header, i + 1)
            j = next((k for k in range(i + 1, min(i + 4, len(header))) if header[k]), None)
            if j is not None and not fields[j][1]:
                return _continue(header[j], header, j + 1)
    return _title_line(header, fields, ref_line + 1, table_at)


def _title_line(header: list[str], fields: list[Fields], start: int, stop: int) -> str:
    """The first substantive line after the reference (or the top), joined with its wrapped tail."""
    i = start
    while i < stop:
        line, pairs = header[i], fields[i][1]
        if pairs:
            i += 1 + max((admin_span(v, header, i)[1] for k, v in pairs if k == "admin"), default=0)
        elif _ADDRESSEE.match(line):  # a letter's address block ends with the postcode line
            i = next((k for k in range(i, min(i + 5, stop)) if re.match(r"\d{5}\s", header[k])), i) + 1
        elif not is_title_stop(line):
            return _continue(line, header, i + 1, stop)
        else:
            i += 1
    return ""


def is_title_stop(line: str) -> bool:
    """Lines that cannot start or continue a title."""
    if not line or not (line[0].isalnum() or line[0] in "\"'„“(«"):
        return True
    if _BOILERPLATE.match(line) or DATE_ONLY.match(line) or CONSULT_HEADING.match(line):
        return True
    if not re.search(r"[a-zäöüß]", line) and len(line.split()) <= 5:  # "DOPPELHAUSHALT 2026/2027"
        return True
    if normalize_paper_type(line) and len(line.split()) <= 4:  # "Stellungnahme zum Antrag"
        return True
    return bool(is_faction_line(line) or label_fields(line)[1])


def _continue(first: str, lines: list[str], i: int, stop: int | None = None) -> str:
    """Join a title with the lines it wrapped onto (at most two more): after a line that ends
    mid-phrase or runs long enough to have been wrapped."""
    stop = len(lines) if stop is None else stop
    title, last = first, first
    for line in lines[i : min(i + 2, stop)]:
        wrapped = CONNECTOR_END.search(last) or len(last) >= 70
        if not line or not wrapped or is_title_stop(line) or BY.match(line.lstrip("(")):
            break
        title, last = join_wrapped(title, line), line
    return title.strip(" \t")


def admin_span(value: str, header: list[str], i: int) -> tuple[str, int]:
    """A Dezernat/Dienststelle value with its wrapped tail, and the number of lines it took.

    Narrow form boxes wrap values ("Amt für" / "Hochbau und" / "Gebäudewirtschaft"), or put
    them below the label. A short line only counts as the value's tail while a title line
    still follows it.
    """
    j = i + 1
    while j < len(header) and j <= i + 3:
        nxt, after = header[j], next_nonempty(header, j)
        if not nxt or label_fields(nxt)[1] or len(nxt) > 30 or is_title_stop(nxt):
            break
        if value and not CONNECTOR_END.search(value) and (not after or is_title_stop(after)):
            break
        value, j = (join_wrapped(value, nxt) if value else nxt), j + 1
    return value, j - i - 1


def minutes_title(header: list[str]) -> str:
    """'Niederschrift über die 18. Sitzung des Stadtrates', possibly across two lines."""
    for i, line in enumerate(header):
        if re.match(r"(?:Niederschrift|Protokoll)\b(?!\s*(?:Nr|Nummer))", line, re.IGNORECASE):
            following = next_nonempty(header, i)
            if re.match(r"(?:über|der|des|zur)\b", following):
                return f"{line} {following}"
            return line if len(line.split()) > 1 else ""
    return ""


def usable_hint(hint: str) -> str:
    """A title hint (e.g. PDF metadata) unless it is a file name or a word processor's default."""
    hint = clean_line(hint)
    return "" if re.search(r"\.(?:pdf|docx?|odt)\b|Microsoft|^Untitled", hint, re.IGNORECASE) else hint
