"""PDF text extraction with pypdfium2, page by page.

PDFium is not thread-safe; call this from one thread at a time (or from separate processes).
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from assistant.errors import ExtractionError
from ingest.extract.text import normalize_text, tidy_lines
from ingest.records import ExtractedDocument, Page, RawDocument

# PDFium's get_text_range marks a hyphen at the end of a line with U+FFFE and drops the line
# break after it. Before a lower-case word it is a syllable break ("Trenn-strich"), unless
# that word continues an elided compound ("Bau- und Planungsausschuss"); otherwise the hyphen is
# part of the word ("Grünflächen-Amt").
_LINE_END_HYPHEN = re.compile(r"\ufffe(\s*)(\w*)")
_ELISION_WORDS = frozenset({"und", "oder", "bzw", "sowie", "bis", "als", "wie"})


def _resolve_hyphen(match: re.Match[str]) -> str:
    word = match.group(2)
    if word.lower() in _ELISION_WORDS:
        return "- " + word
    if word[:1].islower():
        return word
    return "-" + match.group(1) + word


def _clean_page_text(text: str) -> str:
    return tidy_lines(normalize_text(_LINE_END_HYPHEN.sub(_resolve_hyphen, text)))


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError("PDF is encrypted (a password is needed to open it)") from error
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionError("PDF is encrypted with an unsupported security handler") from error
        raise ExtractionError(f"PDF is damaged: {error}") from error
    except Exception as error:  # a wrong input type or a bug in the binding, never a valid PDF
        raise ExtractionError(f"PDF is damaged: {type(error).__name__}: {error}") from error


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    try:
        page = document[index]
    except Exception as error:
        raise ExtractionError(f"PDF is damaged: page {index + 1} cannot be loaded ({error})") from error
    try:
        textpage = page.get_textpage()
        try:
            return _clean_page_text(textpage.get_text_range())
        finally:
            textpage.close()
    except Exception as error:
        raise ExtractionError(f"PDF is damaged: no text from page {index + 1} ({error})") from error
    finally:
        page.close()


def _title(document: pdfium.PdfDocument) -> str:
    try:
        return " ".join(document.get_metadata_value("Title").split())
    except Exception:  # broken metadata must not cost the text
        return ""


def extract_pdf(raw: RawDocument) -> ExtractedDocument:
    """Extract the text layer of a PDF; empty pages are kept so that page numbers stay true.

    Raises ExtractionError for encrypted, damaged and text-less (scanned) PDFs.
    """
    document = _open(raw.data)
    try:
        title = _title(document)
        pages = tuple(
            Page(number=index + 1, text=_page_text(document, index)) for index in range(len(document))
        )
    finally:
        document.close()
    if not pages:
        raise ExtractionError("PDF has no pages")
    if not any(page.text.strip() for page in pages):
        raise ExtractionError("no text layer (scanned PDF?) – needs OCR")
    return ExtractedDocument(raw=raw, pages=pages, title_hint=title)
