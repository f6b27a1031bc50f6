"""``parse_metadata``: every field of a paper's header, composed from the modules beside it."""

from __future__ import annotations

from ingest.metadata.consultations import CONSULT_HEADING, find_consultations
from ingest.metadata.dates import find_date
from ingest.metadata.lines import BODY_START, HEADER_CHARS, clean_line, label_fields
from ingest.metadata.municipality import find_municipality
from ingest.metadata.originator import find_originator
from ingest.metadata.paper_types import find_paper_type
from ingest.metadata.references import find_reference
from ingest.metadata.titles import find_subject, minutes_title, usable_hint
from ingest.records import CouncilMetadata


def parse_metadata(text: str, title_hint: str = "") -> CouncilMetadata:
    """Find reference, date, type, originator, subject, consultations and municipality in ``text``.

    ``text`` is the full document text (pages joined with blank lines); ``title_hint`` (e.g. a
    PDF title) is only used as the subject when the text offers none.
    """
    lines = [clean_line(line) for line in text[:HEADER_CHARS].splitlines()]
    header = lines[: next((i for i, line in enumerate(lines) if BODY_START.match(line)), len(lines))]
    table_at = next((i for i, line in enumerate(header) if CONSULT_HEADING.match(line)), len(header))
    fields = [label_fields(line) for line in header]
    paper_type, paper_family = find_paper_type(header, fields)
    reference, ref_line = find_reference(header, fields)
    subject = find_subject(header, fields, ref_line, table_at) or usable_hint(title_hint)
    originator = find_originator(header, fields, paper_family)
    if paper_family == "Niederschrift":
        # Minutes name their meeting in the title; factions named in the header are speakers.
        subject = minutes_title(header) or subject
        originator = ""
    return CouncilMetadata(
        reference=reference,
        date=find_date(header, fields, table_at),
        paper_type=paper_type,
        paper_family=paper_family,
        originator=originator,
        subject=subject,
        consultations=find_consultations(text),
        municipality=find_municipality(text),
    )
