"""A folder of messy council files, built here, ingested in one run: good ones indexed, bad ones reported.

Corrupt, truncated, encrypted, empty and scanned PDFs, a broken DOCX, files over the size limit,
HTML and text in ISO-8859-1, Windows-1252 and UTF-8 with and without BOM, documents without text,
path names with umlauts and spaces, and a file that disappears while the run is going.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from assistant.services import Services
from ingest.extract.ocr import ocr_available, tesseract_languages

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
}


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


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services(max_file_mb=0.05)


def _ingest_once(services: Services, corpus: Path) -> tuple[dict[str, str], dict[str, str]]:
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
    texts = {}
    for document in services.store.catalog.documents():
        pages = services.store.catalog.pages(document.doc_id)
        texts[Path(document.source).resolve().relative_to(corpus.resolve()).as_posix()] = "\n".join(
            page.text for page in pages
        )
    return failures, texts


def test_every_good_file_is_indexed_and_every_bad_one_is_reported_with_its_reason(
    tmp_path: Path, services: Services
) -> None:
    corpus = tmp_path / "Eingang Ratsbüro"
    build_corpus(corpus)

    failures, texts = _ingest_once(services, corpus)

    expected_bad = dict(BAD)
    expected_good = dict(GOOD)
    if ocr_available():
        expected_good["gescannt.pdf"] = ["Grundschule Süd", "Millionen"]
    else:
        expected_bad["gescannt.pdf"] = "needs OCR"
    assert set(failures) == set(expected_bad), failures
    for source, reason in expected_bad.items():
        assert reason in failures[source], (source, failures[source])
    assert set(texts) == set(expected_good)
    for source, words in expected_good.items():
        for word in words:
            assert word in texts[source], (source, word, texts[source])
    # Decoded right means no mojibake anywhere.
    assert not any(mark in text for text in texts.values() for mark in ("Ã", "â€", "\ufffd"))
    assert services.store.check().consistent


@pytest.mark.skipif(tesseract_languages() is None, reason="Tesseract is not installed here")
def test_a_scanned_pdf_is_reported_as_needing_ocr_when_tesseract_is_not_installed(
    tmp_path: Path, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "gescannt.pdf").write_bytes(scanned_pdf())
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    tesseract_languages.cache_clear()
    try:
        report = services.ingestor.ingest([str(tmp_path / "in")])
    finally:
        monkeypatch.undo()
        tesseract_languages.cache_clear()

    assert report.added == 0
    [failure] = report.failed
    assert "needs OCR" in failure.error and "tesseract-ocr-deu" in failure.error


@pytest.mark.skipif(not ocr_available(), reason="Tesseract with German data is not installed here")
def test_ocr_text_of_a_scanned_pdf_is_searchable(tmp_path: Path, services: Services) -> None:
    from assistant.access import LOCAL_OPERATOR

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "gescannt.pdf").write_bytes(scanned_pdf())
    report = services.ingestor.ingest([str(tmp_path / "in")])
    assert report.added == 1, report.failed

    [hit, *_] = services.retriever.search("Sanierung Grundschule", LOCAL_OPERATOR)
    assert "Grundschule Süd" in hit.chunk.text and hit.chunk.page == 1
