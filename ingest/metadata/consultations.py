"""The Beratungsfolge (Gremienweg) table: which bodies consult the paper, when, in public or not.

Rows come out of PDFs in many shapes: body first or date first, the status and role in cells
of their own or on the next line, a body wrapped across lines, a row split after its date.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.metadata.dates import DATE, parse_date
from ingest.metadata.lines import BODY_START, CONNECTOR_END, clean_line, join_wrapped, label_fields
from ingest.records import ConsultationStep

_CONSULT_CANDIDATE = re.compile(
    r"^[#*<>/b\s]*(?:Beratungsfolge|Gremien|Gremium).*$", re.IGNORECASE | re.MULTILINE
)
# The heading that opens the table (also: no title line, for the subject)
CONSULT_HEADING = re.compile(r"^(?:Beratungsfolge|Gremien(?:weg)?|Gremium)\b[^.]{0,60}$", re.IGNORECASE)
_TABLE_NOISE = re.compile(r"\b(?:Termin|Status|Zuständigkeit|Plandatum|Gremium|Datum)\b|^TOP\b")

_PUB = r"(?:(?i:nicht[\s-]*öffentlich|öffentlich)|NÖ|nö|Ö|ö|N)"
_ROLE = (
    r"(?:\d\.\s*)?(?:zur\s+|zum\s+)?(?:Entscheidung|Vorberatung|Kenntnisnahme|Kenntnis|Behandlung"
    r"|Beschlussfassung|Beschluss|Beratung|Anhörung|Information|Lesung|beratend|beschließend|Empfehlung"
    r"|Stellungnahme|Bestätigung)\b[^\t]*"
)
_DATES = r"(?:\d{1,2}\./)?\d{1,2}\.\d{1,2}\.\d{4}(?:\s+\d{1,2}\.\d{1,2}\.\d{4})*"
_ROW_BODY_FIRST = re.compile(
    rf"^(?P<body>[^\t]*?)\s*(?P<date>{_DATES})?\s*(?:(?<=\s)(?P<top>\d{{1,3}}(?:[.+]\d{{1,2}})*[a-z]?)\s+)?"
    rf"(?:(?:^|(?<=\s))(?P<pub>{_PUB})(?=\s|$))?\s*(?P<role>{_ROLE})?$"
)
_ROW_DATE_FIRST = re.compile(
    rf"^(?P<date>{_DATES})\s+(?!{_PUB}(?:\s|$))(?P<body>[A-ZÄÖÜ][^\t]*?)(?:\s+(?P<pub>{_PUB}))?(?:\s+(?P<role>{_ROLE}))?\s*$"
)
_PUB_ONLY = re.compile(rf"^{_PUB}$")
_ROLE_ONLY = re.compile(rf"^{_ROLE}$")
_DAY_FRAGMENTS = re.compile(r"(?:\s+\d{1,2}\./?)+$")
_TRAILING_DATE = re.compile(r"\s\d{1,2}\.\d{1,2}\.\d{4}$")
_BODY_LIKE = re.compile(r"^[\"„“A-Za-zÄÖÜäöü](?:[^|]*?[A-Za-zÄÖÜäöüß]){2}[^|]*$")
_QUALIFIER = re.compile(r"^\((?:federführend|beratend|mitberatend|vorberatend)\)$", re.IGNORECASE)


def find_consultations(text: str) -> tuple[ConsultationStep, ...]:
    """Rows of the Beratungsfolge / Gremien table.

    A line that fits no row pattern only becomes (part of) a body when a row without a body
    follows it directly: a body wrapped across lines, or a row split after its date.
    """
    heading = next(
        (m for m in _CONSULT_CANDIDATE.finditer(text) if CONSULT_HEADING.match(clean_line(m.group(0)))), None
    )
    if heading is None:
        return ()
    steps: list[ConsultationStep] = []
    pending: list[str] = []
    for line in map(clean_line, text[heading.end() :].splitlines()[1:60]):
        if not line or (_TABLE_NOISE.search(line) and not DATE.search(line)):
            continue
        if BODY_START.match(line) or (label_fields(line)[1] and not _parse_row(line)):
            break
        if steps and not pending and (extended := _extend(steps[-1], line)):
            steps[-1] = extended
        elif (row := _parse_row(line)) is not None:
            if step := _complete(row, pending):
                steps.append(step)
            pending = []
        elif len(line) > 80 or (line.endswith((".", "?")) and len(line) > 40):
            break  # prose: the table is over
        else:
            pending.append(line)
            if len(pending) > 4:
                break
    return tuple(steps)


def _extend(last: ConsultationStep, line: str) -> ConsultationStep | None:
    """The previous row with a detail that its line left out, or None if ``line`` is no such detail."""
    if _QUALIFIER.match(line):  # "(federführend)"
        return replace(last, role=f"{last.role} {line}".strip())
    if _PUB_ONLY.match(line) and last.public is None:
        return replace(last, public=_public(line))
    if _ROLE_ONLY.match(line) and not last.role:
        return replace(last, role=line)
    if last.body.count("(") > last.body.count(")") and len(line) < 60 and _parse_row(line) is None:
        return replace(last, body=join_wrapped(last.body, line))
    return None


def _complete(row: ConsultationStep, pending: list[str]) -> ConsultationStep | None:
    """Take a wrapped body (and a date left on its line) from the lines above the row."""
    body, when = row.body, row.date
    top_only = bool(re.fullmatch(r"[\d.+]*", body))
    if pending and (top_only or CONNECTOR_END.search(pending[-1]) or body[:1].islower()):
        body = _join_all(pending if top_only else [*pending, body])
        if when is None and (m := _TRAILING_DATE.search(body)):
            body, when = body[: m.start()].strip(), parse_date(DATE.match(m.group(0).strip()))
    body = _DAY_FRAGMENTS.sub("", body)  # "Gemeinderat 16./17." above "18.12.2025 ..."
    if (
        not _BODY_LIKE.match(body)
        or _PUB_ONLY.match(body)
        or ":" in body
        or body.endswith(".")
        or len(body) > 150
    ):
        return None
    return replace(row, body=body, date=when)


def _join_all(parts: list[str]) -> str:
    joined = parts[0]
    for part in parts[1:]:
        joined = join_wrapped(joined, part)
    return joined


def _parse_row(line: str) -> ConsultationStep | None:
    date_first = _ROW_DATE_FIRST.match(line)
    m = date_first or _ROW_BODY_FIRST.match(line)
    if m is None:
        return None
    body = m.group("body").strip(" \t-")
    # A row needs a status, or a date with a role, or a date and a short body ("08.05.2025 Stadtrat").
    if not (m.group("pub") or (m.group("date") and (m.group("role") or (date_first and len(body) <= 60)))):
        return None
    return ConsultationStep(
        body=body,
        date=parse_date(DATE.match(m.group("date") or "")),
        public=_public(m.group("pub")) if m.group("pub") else None,
        role=(m.group("role") or "").strip(),
    )


def _public(value: str) -> bool:
    return not re.match(r"nicht|n", value, re.IGNORECASE)
