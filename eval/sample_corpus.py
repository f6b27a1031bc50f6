"""Writes the bundled sample corpus (Stadt Lindenau an der Weser, fictional) to a folder.

The corpus is kept as text in data/sample_corpus beside this module; PDF and DOCX files are
generated here, so no binary is committed. A form feed on its own line marks a page break.

Layout written:
    DEST/public/...                      public documents (.txt, .md, .html, .pdf, .docx)
    DEST/restricted/<group>/...          documents for one group only (ingest with --group)
"""

from __future__ import annotations

import shutil
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "data" / "sample_corpus"
_RENDERED = {"pdf": ".pdf", "docx": ".docx"}


def _pages(text: str) -> list[str]:
    return [page.strip("\n") for page in text.split("\f")]


def render_pdf(text: str, target: Path, title: str) -> None:
    """A real PDF with a text layer; each ``\\f`` starts a new page (long pages flow over)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    width, height = A4
    margin, leading, font = 56.0, 14.0, "Helvetica"
    canvas = Canvas(str(target), pagesize=A4, invariant=True)  # invariant: same bytes every build
    canvas.setTitle(title)
    for page in _pages(text):
        y = height - margin
        canvas.setFont(font, 10.5)
        for paragraph in page.splitlines() or [""]:
            for line in simpleSplit(paragraph, font, 10.5, width - 2 * margin) or [""]:
                if y < margin:
                    canvas.showPage()
                    canvas.setFont(font, 10.5)
                    y = height - margin
                canvas.drawString(margin, y, line)
                y -= leading
        canvas.showPage()
    canvas.save()


def render_docx(text: str, target: Path, title: str) -> None:
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    document.core_properties.title = title
    pages = _pages(text)
    for number, page in enumerate(pages):
        for line in page.splitlines():
            document.add_paragraph(line)
        if number < len(pages) - 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.save(str(target))


def materialize(destination: Path, source: Path = SOURCE) -> int:
    """Write the corpus to ``destination``; returns the number of files written."""
    written = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.name == "README.md":
            continue
        relative = path.relative_to(source)
        parts = relative.parts
        restricted = parts[0] == "restricted"
        base = destination / ("restricted" if restricted else "public")
        inner = Path(*parts[1:]) if restricted else relative
        kind = inner.parts[0] if len(inner.parts) > 1 else ""
        if kind in _RENDERED:
            target = base / Path(*inner.parts[1:]).with_suffix(_RENDERED[kind])
        else:
            target = base / inner
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".pdf":
            render_pdf(path.read_text(encoding="utf-8"), target, path.stem)
        elif target.suffix == ".docx":
            render_docx(path.read_text(encoding="utf-8"), target, path.stem)
        else:
            shutil.copyfile(path, target)
        written += 1
    return written
