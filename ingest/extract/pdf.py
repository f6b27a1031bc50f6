"""PDF text extraction with pypdfium2, page by page; scanned pages go through OCR (ingest/extract/ocr.py).

PDFium is not thread-safe; call this from one thread at a time (or from separate processes).
"""

from __future__ import annotations

import re
import subprocess

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.errors import ExtractionError
from ingest.extract.ocr import ocr_available, ocr_missing_reason, ocr_page, page_has_graphics
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


def _scanned_pages(document: pdfium.PdfDocument, texts: list[str]) -> list[int]:
    """Indexes of the pages without a text layer that draw something: scans to be read by OCR."""
    scanned = []
    for index, text in enumerate(texts):
        if text.strip():
            continue
        page = document[index]
        try:
            if page_has_graphics(page):
                scanned.append(index)
        finally:
            page.close()
    return scanned


def _ocr(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        return _clean_page_text(ocr_page(page))
    except (OSError, subprocess.SubprocessError) as error:
        raise ExtractionError(f"OCR of page {index + 1} failed: {error}") from error
    finally:
        page.close()


def extract_pdf(raw: RawDocument) -> ExtractedDocument:
    """Extract the text layer of a PDF; empty pages are kept so that page numbers stay true.

    Pages without a text layer that show an image are read by OCR when Tesseract with German
    data is installed. Raises ExtractionError for encrypted, damaged and text-less PDFs, and for
    scanned ones when OCR is not available.
    """
    document = _open(raw.data)
    try:
        title = _title(document)
        texts = [_page_text(document, index) for index in range(len(document))]
        scanned = _scanned_pages(document, texts)
        if scanned and ocr_available():
            for index in scanned:
                texts[index] = _ocr(document, index)
    finally:
        document.close()
    pages = tuple(Page(number=index + 1, text=text) for index, text in enumerate(texts))
    if not pages:
        raise ExtractionError("PDF has no pages")
    if not any(page.text.strip() for page in pages):
        if not scanned:
            raise ExtractionError("PDF contains no text (its pages are empty)")
        if not ocr_available():
            raise ExtractionError(ocr_missing_reason())
        raise ExtractionError("no text layer (scanned PDF), and OCR found no legible text")
    return ExtractedDocument(raw=raw, pages=pages, title_hint=title)
