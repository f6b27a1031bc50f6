"""A folder of messy council files, built here, ingested in one run: good ones indexed, bad ones reported.

Corrupt, truncated, encrypted, empty and scanned PDFs, PDFs whose text layer is mojibake
(private-use glyphs, control characters, letters of mixed scripts), a broken DOCX, files over
the size limit, binary data named .txt/.md/.html, HTML and text in ISO-8859-1, Windows-1252 and
UTF-8 with and without BOM, documents without text, path names with umlauts and spaces, and a
file that disappears while the run is going.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest
import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from assistant.access import LOCAL_OPERATOR
from assistant.indexing import IngestReport
from assistant.services import Services
from ingest.extract.ocr import ocr_available, tesseract_languages
from ingest.extract.text_quality import garbage_reason
from tests.mojibake_pdf import mojibake_pdf, pdf_pages

SCAN_LINES = (
    "Beschlussvorlage der Stadtverwaltung",
    "Betreff: Sanierung der Grundschule Süd",
    "Die Kosten betragen 1,8 Millionen Euro.",
)
VANISHING = "Vorlage verschwindet.txt"
# source (relative) → words its indexed text must contain, umlauts and symbols decoded right
GOOD = {
    "Sitzung März/Vorlage Straßenbau 2024.txt": ["Straßenbau", "Bürgersteig", "Ölheizung"],
    "utf8-mit-bom.txt": ["Grünfläche", "Süd"],
    "latin1.txt": ["Übergangslösung", "Fußgängerzone"],
    "windows-1252.txt": ["„Parkraum“", "12.500 €", "Gebühren"],
    "latin1-deklariert.html": ["Maßnahme", "Grünanlage"],
    "allris-stil-1252.html": ["„Klimaschutz“", "3.000 €", "–"],
    "utf8-ohne-bom.html": ["Schließung", "Bäderbetrieb"],
    "text.pdf": ["Haushaltssatzung", "Änderung"],
    "Bestand Haushalt 2023.txt": ["Haushaltsplan"],
}
# source → a piece of the reason the report must give
BAD = {
    "kaputt.pdf": "damaged",
    "abgeschnitten.pdf": "damaged",
    "verschlüsselt.pdf": "encrypted",
    "null-bytes.pdf": "empty",
    "leere Seiten.pdf": "no text",
    "leer.txt": "no text",
    "leer.html": "no text",
    "kaputt.docx": "damaged",
    "zu groß.txt": "0.076 MB, over the limit of 0.05 MB",
    "foto.png": "unsupported file type",
    VANISHING: "cannot read file",
    "Export/binär.txt": "not text: binary data",
    "Export/binär.md": "not text: binary data",
    "Export/binär.html": "not text: binary data",
    "Export/zufall ohne NUL.txt": "not text",
    "Export/ersatzzeichen.txt": "replacement characters",
}
# PDFs whose page shows SCAN_LINES but whose text layer is garbage: read by OCR where it exists.
MOJIBAKE = ("mojibake privat.pdf", "mojibake steuerzeichen.pdf", "mojibake schriften.pdf")
# ... this one shows nothing (invisible text): reported with or without OCR.
INVISIBLE = "mojibake unsichtbar.pdf"
# Page 1 real text, page 2 garbage: indexed either way; without OCR page 2 is named in a warning.
PARTLY = "teilweise mojibake.pdf"


def _pdf(lines: list[str], encrypt: str | None = None) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt)
    for row, line in enumerate(lines):
        pdf.drawString(72, 760 - 16 * row, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A page that is only a picture of typed text, as a scanner makes it."""
    font = ImageFont.truetype(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"), 44)
    image = Image.new("L", (2480, 1000), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(SCAN_LINES):
        draw.text((150, 150 + row * 90), line, font=font, fill=0)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    shown = width * image.height / image.width
    pdf.drawImage(ImageReader(image), 0, height - shown, width=width, height=shown)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def build_corpus(folder: Path) -> None:
    (folder / "Sitzung März").mkdir(parents=True)
    (folder / "Sitzung März/Vorlage Straßenbau 2024.txt").write_text(
        "Vorlage zum Straßenbau 2024\n\nDer Bürgersteig wird erneuert; die Ölheizung der Schule bleibt.\n",
        encoding="utf-8",
    )
    (folder / "utf8-mit-bom.txt").write_bytes(
        "\ufeffAntrag: Grünfläche am Marktplatz Süd anlegen.\n".encode()
    )
    (folder / "latin1.txt").write_bytes(
        "Anfrage zur Übergangslösung für die Fußgängerzone in der Innenstadt.\n".encode("latin-1")
    )
    (folder / "windows-1252.txt").write_bytes(
        "Stellungnahme zum „Parkraum“ – die Gebühren steigen um 12.500 € im Jahr.\n".encode("cp1252")
    )
    (folder / "latin1-deklariert.html").write_bytes(
        '<html><head><meta charset="iso-8859-1"><title>Maßnahme</title></head>'
        "<body><p>Die Maßnahme betrifft die Grünanlage am Rathaus.</p></body></html>".encode("latin-1")
    )
    # ALLRIS declares ISO-8859-1 and sends Windows-1252 (typographic quotes, dash, euro sign).
    (folder / "allris-stil-1252.html").write_bytes(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head>'
        "<body><p>Antrag „Klimaschutz“ – Zuschuss von 3.000 € für Lastenräder.</p></body></html>".encode(
            "cp1252"
        )
    )
    (folder / "utf8-ohne-bom.html").write_text(
        "<html><body><h1>Schließung</h1><p>Der Bäderbetrieb schließt das Hallenbad im Winter.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    (folder / "text.pdf").write_bytes(_pdf(["Haushaltssatzung 2025", "Änderung der Gebührenordnung"]))
    (folder / "Bestand Haushalt 2023.txt").write_text(
        "Der Haushaltsplan 2023 wurde beschlossen.\n", encoding="utf-8"
    )
    (folder / "gescannt.pdf").write_bytes(scanned_pdf())
    good_pdf = _pdf([f"Zeile {n}: Bebauungsplan Nord, Abschnitt {n}" for n in range(40)])
    (folder / "kaputt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 16)
    (folder / "abgeschnitten.pdf").write_bytes(good_pdf[: len(good_pdf) // 2])
    (folder / "verschlüsselt.pdf").write_bytes(_pdf(["Nichtöffentlich"], encrypt="geheim"))
    (folder / "null-bytes.pdf").write_bytes(b"")
    blank = io.BytesIO()
    blank_pdf = canvas.Canvas(blank)
    blank_pdf.showPage()
    blank_pdf.showPage()
    blank_pdf.save()
    (folder / "leere Seiten.pdf").write_bytes(blank.getvalue())
    (folder / "leer.txt").write_text(" \n\t\n", encoding="utf-8")
    (folder / "leer.html").write_text("<html><head><title></title></head><body> </body></html>")
    (folder / "kaputt.docx").write_bytes(b"PK\x03\x04 this zip archive ends here")
    (folder / "zu groß.txt").write_text("Sehr lange Anlage. " * 4000, encoding="utf-8")  # ~76 kB
    (folder / "foto.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / VANISHING).write_text("Diese Vorlage wird während des Laufs gelöscht.\n", encoding="utf-8")
    build_not_text(folder)


def build_not_text(folder: Path) -> None:
    """Binary data behind text names, and PDFs whose text layer is mojibake."""
    noise = random.Random(17)
    (folder / "Export").mkdir()
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(noise.randrange(256) for _ in range(3000))
    (folder / "Export/binär.txt").write_bytes(png)
    (folder / "Export/binär.md").write_bytes(bytes(noise.randrange(256) for _ in range(2000)))
    (folder / "Export/binär.html").write_bytes(b"<html>\x00\x00\x00\x01" + png)
    (folder / "Export/zufall ohne NUL.txt").write_bytes(bytes(noise.randrange(1, 256) for _ in range(2000)))
    (folder / "Export/ersatzzeichen.txt").write_text(
        "Antrag \ufffd\ufffd\ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd\n" * 40, encoding="utf-8"
    )
    for name, mapping in zip(MOJIBAKE, ("private", "controls", "scripts"), strict=True):
        (folder / name).write_bytes(mojibake_pdf(list(SCAN_LINES), mapping))
    (folder / INVISIBLE).write_bytes(mojibake_pdf(list(SCAN_LINES), "private", invisible=True))
    (folder / PARTLY).write_bytes(
        pdf_pages([(["Radweg an der Weserpromenade wird verbreitert"], None), (list(SCAN_LINES), "scripts")])
    )


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services(max_file_mb=0.05)


def _ingest_once(services: Services, corpus: Path) -> tuple[dict[str, str], dict[str, str], IngestReport]:
    """Last night's run indexed one file; tonight's run meets the whole messy folder.

    While tonight's run reads the folder, ``VANISHING`` is deleted: after the run has listed it
    and before it reads it (the progress callback fires for the unchanged file, which sorts first).
    """
    services.ingestor.ingest([str(corpus / "Bestand Haushalt 2023.txt")])

    def delete_vanishing(done: int, total: int) -> None:
        (corpus / VANISHING).unlink(missing_ok=True)

    report = services.ingestor.ingest([str(corpus)], on_progress=delete_vanishing)
    assert not (corpus / VANISHING).exists()
    failures = {Path(f.source).relative_to(corpus).as_posix(): f.error for f in report.failed}
    # Every reason is there in German too, for the CLI and the web UI.
    assert all(f.message and f.message != f.error for f in report.failed), report.failed
    texts = {}
    for document in services.store.catalog.documents():
        pages = services.store.catalog.pages(document.doc_id)
        texts[Path(document.source).resolve().relative_to(corpus.resolve()).as_posix()] = "\n".join(
            page.text for page in pages
        )
    return failures, texts, report


def test_every_good_file_is_indexed_and_every_bad_one_is_reported_with_its_reason(
    tmp_path: Path, services: Services
) -> None:
    corpus = tmp_path / "Eingang Ratsbüro"
    build_corpus(corpus)

    failures, texts, report = _ingest_once(services, corpus)

    expected_bad = dict(BAD)
    expected_good = dict(GOOD)
    expected_good[PARTLY] = ["Weserpromenade"]
    if ocr_available():
        for name in ("gescannt.pdf", *MOJIBAKE):
            expected_good[name] = ["Grundschule Süd", "Millionen"]
        expected_good[PARTLY].append("Grundschule Süd")
        expected_bad[INVISIBLE] = "OCR found no legible text"
    else:
        expected_bad["gescannt.pdf"] = "needs OCR"
        expected_bad.update(dict.fromkeys((*MOJIBAKE, INVISIBLE), "needs OCR"))
    assert set(failures) == set(expected_bad), failures
    for source, reason in expected_bad.items():
        assert reason in failures[source], (source, failures[source])
    assert set(texts) == set(expected_good)
    for source, words in expected_good.items():
        for word in words:
            assert word in texts[source], (source, word, texts[source])
    # Decoded right means no mojibake anywhere, and nothing of the garbled text layers got in.
    for text in texts.values():
        assert not any(mark in text for mark in ("Ã", "â€", "\ufffd")), text
        assert garbage_reason(text) is None and not any(0xF000 <= ord(c) <= 0xF8FF for c in text), text
    assert not any("Grundschule" in text and "ζ" in text for text in texts.values())
    if ocr_available():  # the garbled pages are found by what they show
        found = {
            hit.document.source
            for hit in services.retriever.search("Sanierung Grundschule Süd", LOCAL_OPERATOR, k=20)
        }
        assert {str(corpus / name) for name in MOJIBAKE} <= found, found
    else:
        assert [Path(w.source).name for w in report.warnings] == [PARTLY], report.warnings
    assert services.store.check().consistent


@pytest.mark.skipif(tesseract_languages() is None, reason="Tesseract is not installed here")
def test_scanned_and_garbled_pdfs_are_reported_as_needing_ocr_when_tesseract_is_not_installed(
    tmp_path: Path, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "gescannt.pdf").write_bytes(scanned_pdf())
    for name, mapping in zip(MOJIBAKE, ("private", "controls", "scripts"), strict=True):
        (tmp_path / "in" / name).write_bytes(mojibake_pdf(list(SCAN_LINES), mapping))
    (tmp_path / "in" / PARTLY).write_bytes(
        pdf_pages([(["Radweg an der Weserpromenade"], None), (list(SCAN_LINES), "private")])
    )
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    tesseract_languages.cache_clear()
    try:
        report = services.ingestor.ingest([str(tmp_path / "in")])
    finally:
        monkeypatch.undo()
        tesseract_languages.cache_clear()

    assert report.added == 1  # the partly garbled one, its readable page
    assert sorted(Path(f.source).name for f in report.failed) == sorted(("gescannt.pdf", *MOJIBAKE))
    for failure in report.failed:
        assert "needs OCR" in failure.error and "tesseract-ocr-deu" in failure.error, failure
        assert "OCR nötig" in failure.message, failure
    [warning] = report.warnings
    assert Path(warning.source).name == PARTLY and "page 2 with an unreadable text layer" in warning.error


@pytest.mark.skipif(not ocr_available(), reason="Tesseract with German data is not installed here")
def test_ocr_text_of_a_scanned_pdf_is_searchable(tmp_path: Path, services: Services) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "gescannt.pdf").write_bytes(scanned_pdf())
    report = services.ingestor.ingest([str(tmp_path / "in")])
    assert report.added == 1, report.failed

    [hit, *_] = services.retriever.search("Sanierung Grundschule", LOCAL_OPERATOR)
    assert "Grundschule Süd" in hit.chunk.text and hit.chunk.page == 1
