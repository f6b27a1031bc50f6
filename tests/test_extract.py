"""Text extraction from PDF, DOCX, HTML and plain text; inputs are built in the tests."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from reportlab.pdfgen import canvas

from assistant.errors import ExtractionError
from ingest.extract import SUPPORTED_SUFFIXES, extract
from ingest.records import ExtractedDocument, RawDocument

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ALLRIS_PAGES = sorted((SHARED / "data/allris-html-hamburg/test/fixtures/files/allris").glob("*/vo020.html"))

PAGE_SENTENCES = (
    "Das „Grünflächenamt“ prüft den Antrag der Fraktion.",
    "Die Pflege kostet 1.250 € im Jahr.",
    "Der Ausschuss vertagt die Entscheidung über die Straße.",
)


def make_raw(data: bytes, suffix: str) -> RawDocument:
    return RawDocument(
        doc_id=f"test:{suffix}",
        source=f"input{suffix}",
        data=data,
        suffix=suffix,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def extract_bytes(data: bytes, suffix: str) -> ExtractedDocument:
    return extract(make_raw(data, suffix))


def pdf_bytes(pages: list[list[str]], *, title: str = "", encrypt: str | None = None) -> bytes:
    """A PDF with one list of text lines per page; an empty list gives an empty page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        for row, line in enumerate(lines):
            pdf.drawString(72, 760 - 16 * row, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_are_numbered_from_one_and_keep_their_own_text() -> None:
    data = pdf_bytes([[sentence] for sentence in PAGE_SENTENCES], title="Vorlage 2025/0146")

    document = extract_bytes(data, ".pdf")

    assert [page.number for page in document.pages] == [1, 2, 3]
    assert PAGE_SENTENCES[0] in document.pages[0].text
    assert PAGE_SENTENCES[1] in document.pages[1].text
    assert PAGE_SENTENCES[2] not in document.pages[1].text
    assert PAGE_SENTENCES[2] in document.pages[2].text
    assert document.title_hint == "Vorlage 2025/0146"


def test_pdf_empty_page_is_kept_so_later_page_numbers_stay_true() -> None:
    data = pdf_bytes([["Erste Seite"], [], ["Dritte Seite"]])

    document = extract_bytes(data, ".pdf")

    assert [page.number for page in document.pages] == [1, 2, 3]
    assert document.pages[1].text == ""
    assert "Dritte Seite" in document.pages[2].text


def test_pdf_lines_are_separated_by_plain_newlines() -> None:
    data = pdf_bytes([["Erste Zeile", "Zweite Zeile"]])

    text = extract_bytes(data, ".pdf").pages[0].text

    assert "\r" not in text
    assert text.splitlines() == ["Erste Zeile", "Zweite Zeile"]


def test_pdf_line_end_hyphens_join_syllables_but_keep_compounds() -> None:
    lines = ["Der Bau-", "und Planungsausschuss prüft den Trenn-", "strich im Grünflächen-", "Amt."]

    text = extract_bytes(pdf_bytes([lines]), ".pdf").pages[0].text

    assert "Bau- und Planungsausschuss" in text
    assert "Trennstrich" in text
    assert "Grünflächen-Amt" in text
    assert "\ufffe" not in text


def test_pdf_with_user_password_is_reported_as_encrypted() -> None:
    data = pdf_bytes([[PAGE_SENTENCES[0]]], encrypt="secret")

    with pytest.raises(ExtractionError, match="encrypted"):
        extract_bytes(data, ".pdf")


def test_truncated_pdf_is_reported_as_damaged() -> None:
    data = pdf_bytes([[sentence] for sentence in PAGE_SENTENCES])

    with pytest.raises(ExtractionError, match="damaged"):
        extract_bytes(data[: len(data) // 2], ".pdf")


@pytest.mark.parametrize("data", [b"this is no PDF at all", b"%PDF-1.7\n" + bytes(range(256)) * 8])
def test_garbage_with_pdf_suffix_is_reported_as_damaged(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="damaged"):
        extract_bytes(data, ".pdf")


def test_pdf_with_only_a_drawing_needs_ocr() -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.showPage()
    pdf.save()

    with pytest.raises(ExtractionError, match="no text layer"):
        extract_bytes(buffer.getvalue(), ".pdf")


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_splits_pages_at_page_breaks_and_renders_tables_in_order() -> None:
    document = docx.Document()
    document.core_properties.title = "Antrag Grünflächen"
    document.add_paragraph("Vor der Tabelle: Grünflächenamt")
    table = document.add_table(rows=2, cols=2)
    for row, (left, right) in enumerate([("Gremium", "Termin"), ("Bauausschuss", "12.03.2025")]):
        table.cell(row, 0).text = left
        table.cell(row, 1).text = right
    document.add_paragraph("Nach der Tabelle")
    document.add_page_break()
    document.add_paragraph("Begründung auf Seite zwei: 5 €")

    extracted = extract_bytes(docx_bytes(document), ".docx")

    assert [page.number for page in extracted.pages] == [1, 2]
    first = extracted.pages[0].text
    assert "Gremium | Termin" in first
    assert "Bauausschuss | 12.03.2025" in first
    assert first.index("Vor der Tabelle") < first.index("Bauausschuss") < first.index("Nach der Tabelle")
    assert "Begründung" not in first
    assert "Begründung auf Seite zwei: 5 €" in extracted.pages[1].text
    assert extracted.title_hint == "Antrag Grünflächen"


def test_docx_last_rendered_page_break_does_not_split_pages() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Erster Absatz")
    paragraph.runs[0]._r.append(OxmlElement("w:lastRenderedPageBreak"))
    document.add_paragraph("Zweiter Absatz")

    extracted = extract_bytes(docx_bytes(document), ".docx")

    assert len(extracted.pages) == 1
    assert extracted.pages[0].text == "Erster Absatz\nZweiter Absatz"


def test_docx_page_break_inside_a_paragraph_splits_it() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Ende Seite eins")
    run = paragraph.add_run()
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    run._r.append(br)
    paragraph.add_run("Anfang Seite zwei")

    extracted = extract_bytes(docx_bytes(document), ".docx")

    assert [page.text for page in extracted.pages] == ["Ende Seite eins", "Anfang Seite zwei"]


def test_docx_without_text_is_reported() -> None:
    with pytest.raises(ExtractionError, match="no text"):
        extract_bytes(docx_bytes(docx.Document()), ".docx")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "damaged"),
        (b"Dies ist kein Word-Dokument", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "binary Word"),
    ],
)
def test_unreadable_docx_is_reported(data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_bytes(data, ".docx")


# --- HTML --------------------------------------------------------------------------------------

HTML_BODY = "<html><head>{meta}<title>Grünflächen</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("encoding", "meta"),
    [
        ("iso-8859-1", '<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">'),
        ("iso-8859-1", ""),
        ("cp1252", '<meta charset="windows-1252">'),
        ("cp1252", ""),
        # Browsers read a Latin-1 declaration as windows-1252; ALLRIS relies on that.
        ("cp1252", '<meta charset="ISO-8859-1">'),
        ("utf-8", '<meta charset="utf-8">'),
        ("utf-8", ""),
    ],
)
def test_html_is_decoded_from_its_charset(encoding: str, meta: str) -> None:
    text = "Das Grünflächenamt prüft Maßnahmen für Bürgerinnen."
    if encoding == "cp1252":
        text = "Die „Straßenbäume“ kosten 5 € je Stück."
    data = HTML_BODY.format(meta=meta, text=text).encode(encoding)

    document = extract_bytes(data, ".html")

    assert document.pages[0].text == text
    assert document.title_hint == "Grünflächen"


def test_html_utf8_bom_wins_over_a_wrong_declaration() -> None:
    html = HTML_BODY.format(meta='<meta charset="iso-8859-1">', text="Grünflächenamt: 5 €")
    data = b"\xef\xbb\xbf" + html.encode("utf-8")

    assert extract_bytes(data, ".htm").pages[0].text == "Grünflächenamt: 5 €"


def test_html_utf8_declared_but_cp1252_bytes_falls_back_to_detection() -> None:
    html = HTML_BODY.format(meta='<meta charset="utf-8">', text="Bürgerschaft beschließt Änderungen")
    data = html.encode("cp1252")

    assert extract_bytes(data, ".html").pages[0].text == "Bürgerschaft beschließt Änderungen"


def test_html_text_keeps_blocks_cells_and_drops_scripts() -> None:
    html = """<html><head><style>p { color: red }</style><script>var x = "geheim";</script></head>
    <body><noscript>Bitte JavaScript aktivieren</noscript><h1>Drucksache 22-2402</h1>
    <div>Erster   Block</div><div>Zweiter
    Block</div><br><br><br><br>
    <table><tr><td>Betreff:</td><td>Sondermittel <b>für</b> Vereine</td></tr>
    <tr><td>Status:</td><td></td><td>öffentlich</td></tr></table>
    <ul><li>eins</li><li>zwei</li></ul><!-- Kommentar --></body></html>"""

    document = extract_bytes(html.encode("utf-8"), ".html")
    lines = document.pages[0].text.split("\n")

    assert "geheim" not in document.text
    assert "color" not in document.text
    assert "JavaScript" not in document.text
    assert "Kommentar" not in document.text
    assert "Erster Block" in lines
    assert "Zweiter Block" in lines
    assert "Betreff:\tSondermittel für Vereine" in lines
    assert "Status:\töffentlich" in lines
    assert lines.index("eins") + 1 == lines.index("zwei")
    assert "\n\n\n" not in document.text
    assert document.title_hint == "Drucksache 22-2402"


def test_html_without_visible_text_is_reported() -> None:
    html = b"<html><head><title>Leer</title><script>x()</script></head><body> </body></html>"

    with pytest.raises(ExtractionError, match="no text"):
        extract_bytes(html, ".html")


@pytest.mark.skipif(not ALLRIS_PAGES, reason=f"ALLRIS sample pages not found under {SHARED}")
@pytest.mark.parametrize("path", ALLRIS_PAGES, ids=lambda path: path.parent.name)
def test_real_allris_pages_decode_umlauts(path: Path) -> None:
    data = path.read_bytes()

    document = extract_bytes(data, ".html")
    text = document.text

    assert b"\xfc" in data  # the page carries a Latin-1 "ü", so the checks below mean something
    assert "\ufffd" not in text
    assert "Ã" not in text  # UTF-8 mojibake
    assert "Bürgerinfo" in text
    assert "Drucksache" in text
    assert "<" not in text.split("\n")[0]
    assert document.title_hint == "Drucksache"


# --- plain text and Markdown -------------------------------------------------------------------

GERMAN = "Der „Grünflächenausschuss“ beschließt 5 € für Straßenbäume.\nÄnderungen folgen."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"])
def test_text_is_decoded_from_its_encoding(encoding: str) -> None:
    data = GERMAN.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data

    document = extract_bytes(data, ".txt")

    assert document.pages[0].text == GERMAN


def test_short_latin1_text_is_not_mistaken_for_an_asian_encoding() -> None:
    assert extract_bytes("Grünflächenamt".encode("latin-1"), ".txt").text == "Grünflächenamt"


def test_western_text_detected_as_central_european_is_read_as_cp1252() -> None:
    # Detection prefers cp1250 here, which would turn "à" into "ŕ".
    text = "Zwei Termine à 30 Minuten für Bürger"

    assert extract_bytes(text.encode("cp1252"), ".txt").text == text


def test_text_line_endings_are_normalised() -> None:
    assert extract_bytes(b"eins\r\nzwei\rdrei\n", ".txt").text == "eins\nzwei\ndrei\n"


def test_form_feed_starts_a_new_page() -> None:
    document = extract_bytes(b"Seite eins\n\fSeite zwei\n\f\fSeite vier\n\f", ".txt")

    assert [page.number for page in document.pages] == [1, 2, 3, 4]
    assert [page.text.strip() for page in document.pages] == ["Seite eins", "Seite zwei", "", "Seite vier"]


def test_markdown_is_kept_as_written() -> None:
    markdown = "# Haushalt 2025\n\n| Posten | Betrag |\n|---|---|\n| **Grün** | 5 € |\n"

    document = extract_bytes(markdown.encode("utf-8"), ".md")

    assert document.text == markdown
    assert document.title_hint == "Haushalt 2025"


def test_text_with_only_whitespace_is_reported() -> None:
    with pytest.raises(ExtractionError, match="no text"):
        extract_bytes(b" \n\t\n", ".txt")


# --- dispatch ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_empty_file_is_reported(suffix: str) -> None:
    with pytest.raises(ExtractionError, match="file is empty"):
        extract_bytes(b"", suffix)


@pytest.mark.parametrize("suffix", [".xls", ".doc", ""])
def test_unsupported_suffix_is_reported(suffix: str) -> None:
    with pytest.raises(ExtractionError, match="unsupported file type"):
        extract_bytes(b"data", suffix)


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_binary_noise_yields_text_or_an_extraction_error(suffix: str) -> None:
    noise = bytes((i * 97 + 13) % 256 for i in range(4096))
    try:
        document = extract_bytes(noise, suffix)
    except ExtractionError:
        return
    assert document.pages
