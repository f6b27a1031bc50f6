"""DOCX text extraction with python-docx, walking the body XML in document order.

Paragraphs become lines, table rows become lines with cells separated by " | ". Pages are split
only where the author forced a new page: a page break (``w:br w:type="page"``), "page break
before" on a paragraph, or a section break that starts a new page. ``w:lastRenderedPageBreak``
records where Word last happened to break and is ignored.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import docx
from docx.oxml.ns import qn

from ingest.errors import ExtractionError
from ingest.extract.text import NO_TEXT_GERMAN, normalize_text, tidy_lines
from ingest.records import ExtractedDocument, Page, RawDocument

_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_SDT = qn("w:sdt")
_W_SDT_CONTENT = qn("w:sdtContent")
_W_CUSTOM_XML = qn("w:customXml")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
_W_PPR = qn("w:pPr")
_W_TYPE = qn("w:type")
_W_VAL = qn("w:val")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

# Subtrees without visible text: deleted or moved-away revisions, field codes, properties, and
# the fallback copy of content that mc:Choice already holds.
_SKIPPED = frozenset(
    {
        qn("w:del"),
        qn("w:moveFrom"),
        qn("w:instrText"),
        qn("w:delText"),
        qn("w:rPr"),
        _W_PPR,
        qn("w:softHyphen"),
        qn("w:lastRenderedPageBreak"),
        _MC_FALLBACK,
    }
)

# An Office file with a password, or an old binary .doc, is an OLE compound file.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PAGE_BREAK = "\f"


def _is_on(element: Any) -> bool:
    return element is not None and element.get(_W_VAL) not in ("0", "false", "off")


def _inline_text(element: Any, emit: Callable[[str], None]) -> None:
    """Emit the text of a paragraph's content; page breaks are emitted as form feeds."""
    for child in element.iterchildren():
        tag = child.tag
        if tag in _SKIPPED:
            continue
        if tag == _W_T:
            emit(child.text or "")
        elif tag == _W_TAB:
            emit("\t")
        elif tag == _W_BR:
            emit(_PAGE_BREAK if child.get(_W_TYPE) == "page" else "\n")
        elif tag == _W_CR:
            emit("\n")
        elif tag == _W_NO_BREAK_HYPHEN:
            emit("-")
        elif tag == _W_P:  # a paragraph inside a text box
            emit("\n")
            _inline_text(child, emit)
        elif isinstance(tag, str):  # runs, hyperlinks, fields, insertions, text boxes...
            _inline_text(child, emit)


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    properties = paragraph.find(_W_PPR)
    if properties is not None and _is_on(properties.find(qn("w:pageBreakBefore"))):
        parts.append(_PAGE_BREAK)
    _inline_text(paragraph, parts.append)
    if properties is not None:
        section = properties.find(qn("w:sectPr"))
        if section is not None:
            kind = section.find(qn("w:type"))
            # A section break starts a new page unless it is marked continuous (or column).
            if kind is None or kind.get(_W_VAL) not in ("continuous", "nextColumn"):
                parts.append(_PAGE_BREAK)
    return "".join(parts)


def _cell_text(cell: Any) -> str:
    texts: list[str] = []
    for block in _blocks(cell):
        if block.tag == _W_P:
            texts.append(_paragraph_text(block).replace(_PAGE_BREAK, " "))
        else:
            texts.extend(_table_lines(block))
    return " ".join(" ".join(text.split()) for text in texts if text.strip())


def _table_lines(table: Any) -> list[str]:
    lines = []
    for row in table.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr"):
        cells = [_cell_text(cell) for cell in row.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc")]
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def _blocks(container: Any) -> list[Any]:
    """The paragraphs and tables of a body or cell in document order, looking into content controls."""
    blocks: list[Any] = []
    for child in container.iterchildren():
        if child.tag in (_W_P, _W_TBL):
            blocks.append(child)
        elif child.tag == _W_SDT:
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                blocks.extend(_blocks(content))
        elif child.tag == _W_CUSTOM_XML:
            blocks.extend(_blocks(child))
    return blocks


def _open(data: bytes) -> Any:
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ExtractionError(
                "DOCX is encrypted (password-protected)", german="Die DOCX-Datei ist passwortgeschützt."
            )
        raise ExtractionError(
            "not a DOCX file: this is an old binary Word (.doc) file",
            german="Keine DOCX-Datei, sondern eine alte binäre Word-Datei (.doc).",
        )
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as error:
        raise ExtractionError(
            f"DOCX is damaged or not a Word document: {error}",
            german="Die DOCX-Datei ist beschädigt oder kein Word-Dokument.",
        ) from error


def extract_docx(raw: RawDocument) -> ExtractedDocument:
    """Extract paragraphs and tables of a DOCX in document order, split at forced page breaks."""
    document = _open(raw.data)
    lines: list[str] = []
    for block in _blocks(document.element.body):
        if block.tag == _W_P:
            lines.append(_paragraph_text(block))
        else:
            lines.extend(_table_lines(block))
    page_texts = "\n".join(lines).split(_PAGE_BREAK)
    # A break at the very end (as python-docx's add_page_break leaves it) opens no new content.
    if len(page_texts) > 1 and not page_texts[-1].strip():
        page_texts.pop()
    pages = tuple(
        Page(number=number, text=tidy_lines(normalize_text(text)))
        for number, text in enumerate(page_texts, start=1)
    )
    if not any(page.text.strip() for page in pages):
        raise ExtractionError("document contains no text", german=NO_TEXT_GERMAN)
    try:
        title = " ".join((document.core_properties.title or "").split())
    except Exception:  # broken core properties must not cost the text
        title = ""
    return ExtractedDocument(raw=raw, pages=pages, title_hint=title)
