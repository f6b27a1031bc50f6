"""The paper's reference number ("A0078/25", "DHH/2025/5203"), next to its label or its type."""

from __future__ import annotations

import re

from ingest.metadata.dates import DATE
from ingest.metadata.lines import Fields, next_nonempty

# "A0078/25", "BV/2025/049", "2025/1265": letters and digits joined by "/" or "-", two digits at least
REF = re.compile(r"(?<![\w/.-])(?=[A-Z0-9/-]*\d\d)[A-Z0-9]{1,8}(?:[-/][A-Z0-9]{1,6}){1,5}(?![\w/-])")
_REF_LINE = re.compile(
    r"^(?:Antrag|Anfrage|Vorlage|Drucksache)(?:\s*Nr\.?|\s+zum\s+Thema)?(?:\s+(?P<ref>[A-Z0-9/-]+))?$",
    re.IGNORECASE,
)


def find_reference(header: list[str], fields: list[Fields]) -> tuple[str, int]:
    """The first number next to a reference label, and the index of its line (-1: none)."""
    for i, (_, pairs) in enumerate(fields):
        for kind, value in pairs:
            if kind != "ref":
                continue
            ref = _ref_at_start(value) if value else _ref_alone(next_nonempty(header, i))
            if ref:
                return ref, i
        if not pairs and (m := _REF_LINE.match(header[i])):
            # "ANTRAG DHH/2025/5203", or "ANTRAG" with the number alone on the next line
            ref = _ref_alone(m.group("ref") or next_nonempty(header, i))
            if ref:
                return ref, i
    return "", -1


def _ref_at_start(value: str) -> str:
    m = REF.match(value)
    return m.group(0) if m and not DATE.match(value) else ""


def _ref_alone(value: str) -> str:
    m = REF.fullmatch(value.strip())
    return m.group(0) if m else ""
