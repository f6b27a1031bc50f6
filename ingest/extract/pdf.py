"""PDF text extraction with pypdfium2, page by page; scanned pages go through OCR (ingest/extract/ocr.py).

A page whose text layer is not text (``text_quality``: private-use glyphs or control characters
from a font without a usable Unicode map, mixed-script mojibake) is treated like a scanned page:
read by OCR when Tesseract is installed, otherwise left empty and named in the report.

PDFium is not thread-safe; call this from one thread at a time (or from separate processes).
"""

from __future__ import annotations

import re
import subprocess

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.errors import ExtractionError
from ingest.extract.ocr import ocr_available, ocr_fix, ocr_page, page_has_graphics
from ingest.extract.text import normalize_text, tidy_lines
from ingest.extract.text_quality import NotText, garbage_reason
from ingest.records import ExtractedDocument, Note, Page, RawDocument

# PDFium's get_text_range marks a hyphen at the end of a line with U+FFFE and drops the line
# break after it. Before a lower-case word it is a syllable break ("Trenn-strich"), unless
# that word continues an elided compound ("Bau- und Planungsausschuss"); otherwise the hyphen is
# part of the word ("Grünflächen-Amt").
_LINE_END_HYPHEN = re.compile(r"\ufffe(\s*)(\w*)")
_ELISION_WORDS = frozenset({"und", "oder", "bzw", "sowie", "bis", "als", "wie"})
_DAMAGED = "Das PDF ist beschädigt oder keine PDF-Datei."


def _resolve_hyphen(match: re.Match[str]) -> str:
    word = match.group(2)
    if word.lower() in _ELISION_WORDS:
        return "- " + word
    if word[:1].islower():
        return word
    return "-" + match.group(1) + word


def _joined(text: str) -> str:
    """PDFium's text with its line-end hyphens resolved, not yet cleaned (so it can be judged)."""
    return _LINE_END_HYPHEN.sub(_resolve_hyphen, text)


def _clean_page_text(text: str) -> str:
    return tidy_lines(normalize_text(text))


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError(
                "PDF is encrypted (a password is needed to open it)",
                german="Das PDF ist verschlüsselt (zum Öffnen ist ein Passwort nötig).",
            ) from error
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionError(
                "PDF is encrypted with an unsupported security handler",
                german="Das PDF ist mit einem nicht unterstützten Verfahren verschlüsselt.",
            ) from error
        raise ExtractionError(f"PDF is damaged: {error}", german=_DAMAGED) from error
    except Exception as error:  # a wrong input type or a bug in the binding, never a valid PDF
        raise ExtractionError(f"PDF is damaged: {type(error).__name__}: {error}", german=_DAMAGED) from error


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    """The raw text layer of one page (see ``_joined``)."""
    try:
        page = document[index]
    except Exception as error:
        raise ExtractionError(
            f"PDF is damaged: page {index + 1} cannot be loaded ({error})",
            german=f"Das PDF ist beschädigt: Seite {index + 1} lässt sich nicht laden.",
        ) from error
    try:
        textpage = page.get_textpage()
        try:
            return _joined(textpage.get_text_range())
        finally:
            textpage.close()
    except Exception as error:
        raise ExtractionError(
            f"PDF is damaged: no text from page {index + 1} ({error})",
            german=f"Das PDF ist beschädigt: kein Text aus Seite {index + 1}.",
        ) from error
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
        return _clean_page_text(_joined(ocr_page(page)))
    except (OSError, subprocess.SubprocessError) as error:
        raise ExtractionError(
            f"OCR of page {index + 1} failed: {error}", german=f"OCR von Seite {index + 1} fehlgeschlagen."
        ) from error
    finally:
        page.close()


def _pages(numbers: list[int]) -> tuple[str, str]:
    listed = ", ".join(str(index + 1) for index in numbers)
    if len(numbers) == 1:
        return f"page {listed}", f"Seite {listed}"
    return f"pages {listed}", f"Seiten {listed}"


def _unread_notes(scanned: list[int], unreadable: dict[int, NotText]) -> tuple[Note, ...]:
    """What stays unread without OCR, and how to read it."""
    fix_en, fix_de = ocr_fix()
    notes = []
    if scanned:
        en, de = _pages(scanned)
        notes.append(
            Note(
                f"{en} without a text layer (scanned?) left empty – needs OCR: {fix_en}",
                f"{de} ohne Textebene (gescannt?) leer gelassen – OCR nötig: {fix_de}",
            )
        )
    if unreadable:
        en, de = _pages(sorted(unreadable))
        first = unreadable[min(unreadable)]
        notes.append(
            Note(
                f"{en} with an unreadable text layer ({first.english}) left empty – needs OCR: {fix_en}",
                f"{de} mit unlesbarer Textebene ({first.german}) leer gelassen – OCR nötig: {fix_de}",
            )
        )
    return tuple(notes)


def _no_text_error(scanned: list[int], unreadable: dict[int, NotText], ocr_ran: bool) -> ExtractionError:
    if ocr_ran:
        return ExtractionError(
            "no text layer (scanned PDF?) or an unreadable one, and OCR found no legible text",
            german="Keine oder eine unlesbare Textebene (gescannt?), und OCR fand keinen lesbaren Text.",
        )
    fix_en, fix_de = ocr_fix()
    if unreadable:
        first = unreadable[min(unreadable)]
        return ExtractionError(
            f"the text layer is unreadable ({first.english}) – needs OCR: {fix_en}",
            german=f"Die Textebene ist unlesbar ({first.german}) – OCR nötig: {fix_de}",
        )
    if scanned:
        return ExtractionError(
            f"no text layer (scanned PDF?) – needs OCR: {fix_en}",
            german=f"Keine Textebene (gescanntes PDF?) – OCR nötig: {fix_de}",
        )
    return ExtractionError(
        "PDF contains no text (its pages are empty)", german="Das PDF enthält keinen Text (leere Seiten)."
    )


def extract_pdf(raw: RawDocument) -> ExtractedDocument:
    """Extract the text layer of a PDF; empty pages are kept so that page numbers stay true.

    Pages without a text layer that show an image, and pages whose text layer is not text, are
    read by OCR when Tesseract with German data is installed; otherwise they stay empty and the
    document's notes say so. Raises ExtractionError for encrypted, damaged and text-less PDFs,
    and for those with no readable page when OCR is not available.
    """
    document = _open(raw.data)
    try:
        title = _title(document)
        layers = [_page_text(document, index) for index in range(len(document))]
        unreadable = {i: verdict for i, text in enumerate(layers) if (verdict := garbage_reason(text))}
        texts = ["" if index in unreadable else _clean_page_text(text) for index, text in enumerate(layers)]
        scanned = [index for index in _scanned_pages(document, texts) if index not in unreadable]
        ocr_ran = bool(scanned or unreadable) and ocr_available()
        if ocr_ran:
            for index in sorted({*scanned, *unreadable}):
                texts[index] = _ocr(document, index)
    finally:
        document.close()
    pages = tuple(Page(number=index + 1, text=text) for index, text in enumerate(texts))
    if not pages:
        raise ExtractionError("PDF has no pages", german="Das PDF hat keine Seiten.")
    if not any(page.text.strip() for page in pages):
        raise _no_text_error(scanned, unreadable, ocr_ran)
    notes = () if ocr_ran else _unread_notes(scanned, unreadable)
    return ExtractedDocument(raw=raw, pages=pages, title_hint=title, notes=notes)
