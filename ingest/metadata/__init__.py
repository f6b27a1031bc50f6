"""Read council metadata from the text of a German council document.

``parse_metadata`` is a pure function over the document's full text. Every field comes from
the text itself, preferably from a labelled line ("Vorlage Nr.:", "Datum:", "Betreff:", ...);
a field that cannot be found stays empty rather than guessed. Reference, date, type,
originator and subject are only looked for in the header: the lines before the first body
heading ("Beschlussvorschlag", "Kurzfassung", "Begründung", ...) within the first
``HEADER_CHARS`` characters, so that numbers and dates of the body never leak in.

One module per field or job: ``lines`` (cleaning header lines, splitting labelled fields),
``paper_types`` (the type as stated and its family: ``paper_type_and_family``), ``references``, ``dates``,
``titles`` (the subject), ``factions`` and ``originator``, ``consultations`` (the
Beratungsfolge table), ``municipality``; ``parser`` composes them.
"""

from __future__ import annotations

from ingest.metadata.paper_types import (
    PAPER_FAMILIES,
    describe_paper_type,
    normalize_paper_type,
    paper_type_and_family,
)
from ingest.metadata.parser import parse_metadata

__all__ = [
    "PAPER_FAMILIES",
    "describe_paper_type",
    "normalize_paper_type",
    "paper_type_and_family",
    "parse_metadata",
]
