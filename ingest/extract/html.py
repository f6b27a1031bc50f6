"""HTML text extraction with BeautifulSoup (lxml), in whatever charset the page came in.

The charset is decided like a browser would: byte-order mark, then the declaration in the page
(<meta charset>, http-equiv Content-Type, XML declaration), then detection, then cp1252. ALLRIS
pages declare ISO-8859-1 but, as everywhere on the web, mean Windows-1252.
"""

from __future__ import annotations

import codecs
import re

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.errors import ExtractionError
from ingest.extract.text import (
    NO_TEXT_GERMAN,
    bom_encoding,
    decode_cp1252,
    decode_guessing,
    normalize_text,
    not_text_error,
    reject_binary,
)
from ingest.extract.text_quality import garbage_reason
from ingest.records import ExtractedDocument, Page, RawDocument

# Browsers look for the declaration near the start; ALLRIS puts it within the first kilobyte.
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([a-z0-9._:-]+)""", re.IGNORECASE)
# WHATWG Encoding Standard: these labels mean windows-1252; a UTF-16 label in an
# ASCII-readable page cannot be true and means UTF-8.
_WINDOWS_1252_CODECS = frozenset({"iso8859-1", "latin-1", "ascii", "cp1252"})

_DROPPED = frozenset(
    {"script", "style", "noscript", "head", "title", "meta", "link", "template", "iframe", "object"}
)
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    ]
)
# Paragraph-like blocks get a blank line after them so that the text reads in paragraphs.
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"})
_CELLS = frozenset({"td", "th"})
# Marks that _render leaves for _tidy; control characters, so never part of the extracted text.
_CELL_MARK = "\x1f"
_BLOCK_MARK = "\x1e"
_PARAGRAPH_MARK = "\x1d"
_LEAVE_FLAT_CELL = object()
_FLAT_CELL_CHARS = 300
# A run of line breaks and block boundaries (with the blanks and cell marks between them).
_BOUNDARY_RUN = re.compile(r"[ \t\n\x1d\x1e\x1f]*[\n\x1d\x1e][ \t\n\x1d\x1e\x1f]*")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# XHTML pages (ALLRIS) start with an XML declaration; served as text/html it means nothing, and
# BeautifulSoup would warn that an XML document goes through an HTML parser.
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*>")
_WHITESPACE = re.compile(r"\s+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def _codec_name(label: bytes) -> str | None:
    try:
        name = codecs.lookup(label.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name in _WINDOWS_1252_CODECS:
        return "cp1252"
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return name


def declared_encoding(data: bytes) -> str | None:
    """The Python codec named by the page's <meta> or XML declaration, or None."""
    head = data[:_PRESCAN_BYTES]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        match = pattern.search(head)
        if match:
            name = _codec_name(match.group(1))
            if name is not None:
                return name
    return None


def decode_html_guessing(data: bytes) -> tuple[str, bool]:
    """Decode an HTML page: BOM, declared charset, detection, cp1252; and whether that was a guess."""
    bom = bom_encoding(data)
    if bom is not None:
        bom_codec, length = bom
        return data[length:].decode(bom_codec, errors="replace"), False
    declared = declared_encoding(data)
    if declared == "cp1252":
        return decode_cp1252(data), False
    if declared is not None:
        try:
            return data.decode(declared), False
        except UnicodeDecodeError:
            pass  # a wrong declaration (often UTF-8 over cp1252 bytes): let the bytes decide
    return decode_guessing(data)


def decode_html(data: bytes) -> str:
    """Decode an HTML page: BOM, declared charset, detection, cp1252 (never fails)."""
    return decode_html_guessing(data)[0]


def _is_flat_cell(cell: Tag) -> bool:
    # Word-made tables put every cell's text in <p>s; short cells are read as one line so that a
    # row stays a row. Layout tables holding the whole page body keep their line structure.
    return cell.find("table") is None and len(cell.get_text()) <= _FLAT_CELL_CHARS


def _render(root: Tag) -> str:
    """Text with boundary marks: blocks, paragraphs, line breaks and table cells."""
    out: list[str] = []
    flat_depth = 0  # > 0 inside a cell read as one line
    # An explicit stack instead of recursion: generated pages nest deeper than Python's limit.
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is _LEAVE_FLAT_CELL:
            flat_depth -= 1
        elif isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not a Comment, CData, Doctype or declaration
                out.append(_WHITESPACE.sub(" ", node))
        elif isinstance(node, str):  # a closing mark pushed below
            out.append(" " if flat_depth and node != _CELL_MARK else node)
        elif isinstance(node, Tag):
            name = node.name.lower()
            if name in _DROPPED:
                continue
            if name == "br":
                out.append(" " if flat_depth else "\n")
                continue
            if name in _CELLS:
                out.append(_CELL_MARK)
                stack.append(_CELL_MARK)
                if _is_flat_cell(node):
                    flat_depth += 1
                    stack.append(_LEAVE_FLAT_CELL)
            elif name in _BLOCKS:
                mark = _PARAGRAPH_MARK if name in _PARAGRAPHS else _BLOCK_MARK
                out.append(" " if flat_depth else mark)
                stack.append(mark)
            stack.extend(reversed(node.contents))
    return "".join(out)


def _boundary(match: re.Match[str]) -> str:
    run = match.group()
    return "\n\n" if _PARAGRAPH_MARK in run or run.count("\n") > 1 else "\n"


def _tidy(text: str) -> str:
    """Resolve the marks of _render into newlines and tabs; one space between words."""
    text = _BOUNDARY_RUN.sub(_boundary, text)
    lines = []
    for line in text.split("\n"):
        cells = (" ".join(_SPACES.sub(" ", cell).split()) for cell in line.split(_CELL_MARK))
        lines.append("\t".join(cell for cell in cells if cell))
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _title(soup: BeautifulSoup) -> str:
    for name in ("title", "h1"):
        element = soup.find(name)
        if element is not None:
            title = " ".join(element.get_text(" ").split())
            if title:
                return title
    return ""


def extract_html(raw: RawDocument) -> ExtractedDocument:
    """Extract the visible text of an HTML page as one page; the title hint is <title> or <h1>."""
    reject_binary(raw.data)  # binary data named .html is no page
    markup, guessed = decode_html_guessing(raw.data)
    # Soft hyphens are invisible unless a line wraps there; they would split words for search.
    markup = _XML_DECLARATION.sub("", markup, count=1).replace("\u00ad", "")
    try:
        soup = BeautifulSoup(markup, "lxml")
    except Exception as error:
        raise ExtractionError(
            f"HTML cannot be parsed: {error}", german="Die HTML-Seite lässt sich nicht lesen."
        ) from error
    title = _title(soup)
    text = _tidy(_render(soup))
    if verdict := garbage_reason(text, strict=guessed):  # before control characters are dropped
        raise not_text_error(verdict)
    text = normalize_text(text)
    if not text.strip():
        raise ExtractionError("document contains no text", german=NO_TEXT_GERMAN)
    return ExtractedDocument(raw=raw, pages=(Page(number=1, text=text),), title_hint=title)
