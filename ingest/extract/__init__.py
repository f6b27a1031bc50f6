"""Text extraction: RawDocument --extract--> ExtractedDocument, one extractor per file type.

Every failure (unknown type, unreadable, encrypted or damaged file, no text, text that is not
text: see ``text_quality``) is raised as ``ExtractionError`` with a specific message; no
exception of a third-party library escapes.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.errors import ExtractionError
from ingest.extract.docx import extract_docx
from ingest.extract.html import extract_html
from ingest.extract.pdf import extract_pdf
from ingest.extract.text import extract_text, not_text_error
from ingest.extract.text_quality import garbage_reason
from ingest.records import ExtractedDocument, RawDocument

__all__ = ["SUPPORTED_SUFFIXES", "extract"]

_EXTRACTORS: dict[str, Callable[[RawDocument], ExtractedDocument]] = {
    ".pdf": extract_pdf,
    ".docx": extract_docx,
    ".html": extract_html,
    ".htm": extract_html,
    ".txt": extract_text,
    ".md": extract_text,
    ".markdown": extract_text,
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_EXTRACTORS)


def extract(raw: RawDocument) -> ExtractedDocument:
    """Extract the text of ``raw`` page by page, choosing the extractor by ``raw.suffix``.

    Raises ExtractionError for unsupported suffixes, empty, unreadable, encrypted or damaged
    files, and documents without any text.
    """
    suffix = raw.suffix.lower()
    extractor = _EXTRACTORS.get(suffix)
    if extractor is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        shown = f"'{suffix}'" if suffix else "(no file suffix)"
        raise ExtractionError(
            f"unsupported file type {shown} (supported: {supported})",
            german=f"Dateityp {shown} wird nicht unterstützt (unterstützt: {supported}).",
        )
    if not raw.data:
        raise ExtractionError("file is empty", german="Die Datei ist leer.")
    try:
        document = extractor(raw)
    except ExtractionError:
        raise
    except Exception as error:  # a library failing on a malformed file is still a bad file
        raise ExtractionError(
            f"cannot extract {suffix} file: {type(error).__name__}: {error}",
            german=f"Die {suffix}-Datei lässt sich nicht lesen.",
        ) from error
    # The extractors judge what they read (before control characters are dropped); this judges
    # what they return, so that no extractor can hand on text that is not text.
    if verdict := garbage_reason(document.text):
        raise not_text_error(verdict)
    return document
