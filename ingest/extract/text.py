"""Plain-text and Markdown extraction, plus the decoding and clean-up shared by all extractors.

Decoding order for bytes of unknown charset: byte-order mark, strict UTF-8, charset-normalizer
(restricted to encodings German council documents actually use), cp1252. Before anything is
decoded, and again after, ``text_quality`` decides whether the file is text at all.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ingest.errors import ExtractionError
from ingest.extract.text_quality import NotText, binary_reason, garbage_reason
from ingest.records import ExtractedDocument, Page, RawDocument

# UTF-32 first: its little-endian BOM starts with the UTF-16 little-endian one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Unrestricted detection guesses big5 or cp1250 for short German Latin-1 text; these are the
# encodings German council documents really come in.
_CANDIDATE_ENCODINGS = [
    "cp1252",
    "cp1250",
    "latin_1",
    "iso8859_15",
    "cp850",
    "mac_roman",
    "utf_16_le",
    "utf_16_be",
    "utf_32_le",
    "utf_32_be",
]
# These agree with cp1252 on umlauts, ß and most punctuation; cp1252 is what Windows and browsers
# use for such text, so a guess from this family is decoded as cp1252.
_CP1252_FAMILY = frozenset({"cp1252", "cp1250", "latin_1", "iso8859_15"})

_CP1252_FALLBACK_ERRORS = "ratsinfo-cp1252-fallback"
NO_TEXT_GERMAN = "Das Dokument enthält keinen Text."


def _undefined_cp1252_byte(error: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; browsers map them to the C1 control of the same value.
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_CP1252_FALLBACK_ERRORS, _undefined_cp1252_byte)

# Control characters carry no text; vertical tab (Word's soft line break), form feed and the
# Unicode line and paragraph separators become newlines. \t and \n stay. (Regular expressions:
# str.translate with a table is six times slower on a 30 MB corpus.)
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
_LINE_SEPARATORS = re.compile("[\x0b\x0c\u2028\u2029]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_MARKDOWN_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})


def decode_cp1252(data: bytes) -> str:
    """Decode ``data`` as Windows-1252 the way browsers do; never fails."""
    return data.decode("cp1252", errors=_CP1252_FALLBACK_ERRORS)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """Return the encoding announced by a byte-order mark and the mark's length, or None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def decode_guessing(data: bytes) -> tuple[str, bool]:
    """Decode text of unknown charset: BOM, strict UTF-8, charset-normalizer, cp1252.

    Also says whether the charset was a guess: nothing announced it, it is not UTF-8, and
    detection found no encoding that fits (then the cp1252 reading is held to a stricter test).
    """
    bom = bom_encoding(data)
    if bom is not None:
        encoding, length = bom
        return data[length:].decode(encoding, errors="replace"), False
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None or best.encoding in _CP1252_FAMILY:
        return decode_cp1252(data), best is None
    return str(best), False


def decode_bytes(data: bytes) -> str:
    """Decode text of unknown charset (see ``decode_guessing``); never fails."""
    return decode_guessing(data)[0]


def not_text_error(verdict: NotText) -> ExtractionError:
    """The error for a file that is not text (``text_quality`` said why)."""
    return ExtractionError(f"not text: {verdict.english}", german=f"kein lesbarer Text: {verdict.german}")


def reject_binary(data: bytes) -> None:
    """ExtractionError for bytes that should be text but are binary data (NUL bytes)."""
    if verdict := binary_reason(data):
        raise not_text_error(verdict)


def normalize_text(text: str) -> str:
    """Turn every line ending into ``\\n`` and drop control characters (tabs stay)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _LINE_SEPARATORS.sub("\n", _CONTROL_CHARACTERS.sub("", text))


def tidy_lines(text: str) -> str:
    """Strip trailing blanks of every line, collapse blank-line runs to one, trim the ends."""
    text = _TRAILING_SPACE.sub("", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip("\n")


def extract_text(raw: RawDocument) -> ExtractedDocument:
    """Extract a plain-text or Markdown file; a form feed starts a new page.

    Markdown is kept as written (not rendered); its first level-1 heading is the title hint.
    """
    reject_binary(raw.data)
    text, guessed = decode_guessing(raw.data)
    if verdict := garbage_reason(text, strict=guessed):
        raise not_text_error(verdict)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\f")
    # pdftotext and similar tools end every page with a form feed, so a last empty part is no page.
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    pages = tuple(Page(number=i, text=normalize_text(part)) for i, part in enumerate(parts, start=1))
    if not any(page.text.strip() for page in pages):
        raise ExtractionError("document contains no text", german=NO_TEXT_GERMAN)
    title = ""
    if raw.suffix.lower() in _MARKDOWN_SUFFIXES:
        match = _MARKDOWN_H1.search(pages[0].text)
        title = match.group(1) if match else ""
    return ExtractedDocument(raw=raw, pages=pages, title_hint=title)
