"""Hypothesis strategies and document builders shared by the property-based tests."""

from __future__ import annotations

import io
import re

import docx
from hypothesis import strategies as st
from reportlab.pdfgen import canvas

# Text a council document could hold, and the odd characters real exports bring along.
GERMAN_WORDS = [
    *("Antrag", "Anfrage", "Beschlussvorlage", "Niederschrift", "Betreff:", "Datum:", "Drucksache-Art:"),
    *("Vorlage Nr.:", "Fraktion", "Gemeinderat", "Ausschuss", "Straßenbäume", "Grünfläche", "Änderung"),
    *("Öffentlichkeit", "12.500 €", "„Radweg“", "–", "2025/0146", "14.03.2025", "Beratungsfolge"),
    *("Hauptausschuss", "Entscheidung", "Begründung:", "INTERFRAKTIONELLER ANTRAG", "A N T R A G"),
    *("Beschlussempfehlung", "Auskunftsersuchen", "Eingabe"),
]
ODD = ("\ufffd", "\uf0b7", "\x00", "\x0c", "\r\n", "\t", "\u00ad", "\ufeff", "ж", "η", "\u2028", "-\n")
german_text = st.lists(st.sampled_from([*GERMAN_WORDS, *ODD, "\n", "\n\n", " "]), max_size=120).map(" ".join)
any_text = st.one_of(st.text(max_size=400), german_text)


def html_page(text: str, charset: str = "") -> bytes:
    """``text`` as an HTML page: paragraphs, a table, a title, in ``charset`` ("" declares none)."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{line}</p>" for line in text.replace("<", "&lt;").splitlines())
    table = f"<table><tr><td>{text[:50]}</td><td>{text[50:80]}</td></tr></table>"
    page = f"<html><head>{meta}<title>{text[:30]}</title></head><body>{body}{table}</body></html>"
    return page.encode(charset or "utf-8", errors="replace")


def pdf_document(text: str) -> bytes:
    """``text`` drawn line by line with reportlab (Windows-1252, as its standard fonts take it)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    lines = [line.encode("cp1252", errors="replace").decode("cp1252") for line in text.splitlines()]
    for row, line in enumerate(lines):
        pdf.drawString(72, 760 - 16 * (row % 40), line)
        if row % 40 == 39:
            pdf.showPage()
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _xml_safe(text: str) -> str:
    # XML 1.0 has no place for most control characters or lone surrogates; python-docx refuses them.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


def docx_document(paragraphs: list[str], break_after: int = -1) -> bytes:
    """Paragraphs (a page break after number ``break_after``) and a one-row table."""
    document = docx.Document()
    for number, paragraph in enumerate(paragraphs):
        document.add_paragraph(_xml_safe(paragraph))
        if number == break_after:
            document.add_page_break()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = _xml_safe(paragraphs[0] if paragraphs else "")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@st.composite
def council_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(suffix, content) of a file as exports hold them: good, odd, damaged or not text at all."""
    kind = draw(st.sampled_from(["bytes", "txt", "md", "html", "pdf", "docx", "cut"]))
    text = draw(any_text)
    if kind == "bytes":
        return draw(st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx"])), draw(
            st.binary(max_size=2000)
        )
    if kind in ("txt", "md"):
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
        return f".{kind}", text.encode(encoding, errors="replace")
    if kind == "html":
        return ".html", html_page(text, draw(st.sampled_from(["utf-8", "windows-1252", ""])))
    if kind == "pdf":
        return ".pdf", pdf_document(text)
    if kind == "docx":
        return ".docx", docx_document(text.split("\n\n"), draw(st.integers(-1, 3)))
    whole = pdf_document(text)
    return ".pdf", whole[: draw(st.integers(0, len(whole)))]
