"""Text or not: binary files and mojibake are reported, real German council text never is."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from assistant.errors import ExtractionError
from ingest.extract import extract
from ingest.extract.ocr import ocr_available, tesseract_languages
from ingest.extract.text_quality import binary_reason, garbage_reason, profile
from ingest.records import RawDocument
from ingest.sources.oparl.files import inline_text
from tests.conftest import shared_path
from tests.mojibake_pdf import mojibake_pdf, pdf_pages
from tests.test_extract import extract_bytes

GERMAN = (
    "Beschlussvorlage 2025/0146 – „Grünflächenpflege“\n\n"
    "| Posten | Betrag |\n|---|---|\n| Straßenbäume | 12.500 € |\n| Spielplätze | 3.000 € |\n\n"
    "Die Verwaltung wird beauftragt, die Pflege der Grünflächen im Stadt-\n"
    "gebiet neu zu vergeben. Änderungen folgen; Öffentlichkeit ist „beteiligt“.\n"
    "\u2022 erstens\n\uf0b7 zweitens (ein Aufzählungszeichen der Symbol-Schrift)\n"
)
LINES = ["Beschlussvorlage der Stadtverwaltung", "Betreff: Sanierung der Grundschule Süd", "Kosten 1,8 Mio."]


def _random_bytes(size: int, seed: int, nul: bool = True) -> bytes:
    generator = random.Random(seed)
    return bytes(generator.randrange(0 if nul else 1, 256) for _ in range(size))


# --- the rule ----------------------------------------------------------------------------------


def test_german_text_with_umlauts_euro_quotes_tables_and_hyphenation_is_text() -> None:
    assert garbage_reason(GERMAN) is None
    assert garbage_reason(GERMAN, strict=True) is None
    assert binary_reason(GERMAN.encode("utf-8")) is None
    assert binary_reason(GERMAN.encode("utf-16-le")) is None  # NULs in the UTF-16 pattern


def test_nul_bytes_outside_utf16_make_binary_data() -> None:
    verdict = binary_reason(b"Antrag\x00\x00\x01\x02 zum Haushalt" + _random_bytes(500, 1))
    assert verdict is not None and "NUL bytes" in verdict.english and "NUL-Bytes" in verdict.german


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("\ufffd" * 40 + " Antrag " + "\ufffd\ufffd x" * 30, "replacement characters"),
        ("\x01\x02\x03\x04 Haus \x05\x06\x07\x08" * 20, "control characters"),
        ("\uf041\uf042\uf043 " * 50, "private-use glyphs"),
        ("-- 1 of 9 --\n\uf0b7\n-- 2 of 9 --\n-- 3 of 9 --\n-- 4 of 9 --\n", "no words"),
        ("Bζуcιluууцorlбзζ дζr μφбдφцζrωбlφuοз Bζφrζff μбοiζruοз дζr ωruοдуcιulζ μüд " * 2, "scripts"),
    ],
)
def test_soup_is_not_text(text: str, reason: str) -> None:
    verdict = garbage_reason(text)
    assert verdict is not None and reason in verdict.english, verdict


def test_a_few_stray_suspicious_characters_do_not_reject_a_real_text() -> None:
    text = GERMAN * 3 + "\ufffd\uf0a7\x07"
    assert profile(text).suspicious_share < 0.05
    assert garbage_reason(text) is None


# --- the readers -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".htm"])
def test_binary_data_named_as_text_is_reported(suffix: str) -> None:
    with pytest.raises(ExtractionError, match=r"not text: binary data \(\d+ NUL bytes\)") as raised:
        extract_bytes(b"\x89PNG\r\n\x1a\n" + _random_bytes(4000, 2), suffix)
    assert "Binärdaten" in raised.value.german


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_random_bytes_without_nul_are_reported_as_not_text(suffix: str) -> None:
    with pytest.raises(ExtractionError, match="not text"):
        extract_bytes(_random_bytes(3000, 3, nul=False), suffix)


def test_utf16_without_byte_order_mark_is_still_text() -> None:
    assert extract_bytes(GERMAN.encode("utf-16-le"), ".txt").pages[0].text.startswith("Beschlussvorlage")


@pytest.mark.parametrize("mapping", ["private", "controls", "scripts"])
def test_pdf_with_a_garbled_text_layer_is_read_by_ocr(mapping: str) -> None:
    if not ocr_available():
        pytest.skip("Tesseract with German data is not installed here")
    text = extract_bytes(mojibake_pdf(LINES, mapping), ".pdf").text
    assert "Grundschule Süd" in text and "Sanierung" in text


def test_pdf_whose_garbled_text_layer_shows_nothing_is_reported() -> None:
    with pytest.raises(ExtractionError, match=r"needs OCR|OCR found no legible text"):
        extract_bytes(mojibake_pdf(LINES, "private", invisible=True), ".pdf")


@pytest.fixture
def without_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """No Tesseract on PATH (a real missing program, not a double of our code)."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    tesseract_languages.cache_clear()
    yield
    monkeypatch.undo()
    tesseract_languages.cache_clear()


@pytest.mark.usefixtures("without_tesseract")
@pytest.mark.parametrize("mapping", ["private", "controls", "scripts"])
def test_pdf_with_a_garbled_text_layer_needs_ocr_when_there_is_none(mapping: str) -> None:
    with pytest.raises(ExtractionError, match=r"text layer is unreadable .* needs OCR") as raised:
        extract_bytes(mojibake_pdf(LINES, mapping), ".pdf")
    assert "OCR nötig" in raised.value.german


@pytest.mark.usefixtures("without_tesseract")
def test_pdf_with_one_garbled_page_keeps_the_others_and_names_the_page() -> None:
    first = "Erste Seite über Radwege am Fluss"
    data = pdf_pages([([first], None), (LINES, "private"), (["Dritte Seite"], None)])

    document = extract_bytes(data, ".pdf")

    assert [page.text for page in document.pages] == [first, "", "Dritte Seite"]
    [note] = document.notes
    assert "page 2 with an unreadable text layer" in note.english and "Seite 2" in note.german


def test_an_oparl_file_text_that_is_not_text_is_refused_per_file() -> None:
    bullets = inline_text("\uf0b7 \n" * 40)
    assert bullets.pages == () and bullets.error.startswith("File.text is not text")
    assert "kein lesbarer Text" in bullets.german
    assert inline_text("Antrag\fBegründung: Radweg").pages == ("Antrag", "Begründung: Radweg")


# --- real data: nothing real is rejected -------------------------------------------------------


def _readable_words(text: str) -> int:
    """Words of three letters or more, without the page markers of the extraction tool."""
    return len(re.findall(r"[^\W\d_]{3,}", re.sub(r"-- \d+ of \d+ --", "", text)))


def test_real_corpora_are_text_and_only_bullet_soup_is_rejected(sample_corpus: Path) -> None:
    karlsruhe = sorted(shared_path("data", "oparl-karlsruhe", "file-contents").glob("*.txt"))
    others = [
        *sorted(shared_path("seeds").glob("*")),
        *sorted(shared_path("data", "allris-html-hamburg").rglob("*.html")),
        *sorted(path for path in sample_corpus.rglob("*") if path.is_file()),
    ]
    assert len(karlsruhe) == 4354 and len(others) > 100
    rejected = {}
    for path in karlsruhe + others:
        raw = RawDocument("real", str(path), path.read_bytes(), path.suffix.lower(), "")
        try:
            extract(raw)
        except ExtractionError as error:
            if "not text" in str(error):
                rejected[path] = path.read_text(encoding="utf-8", errors="replace")
    # The Karlsruhe exports hold a dozen slides whose text layer is only their bullets (U+F0B7,
    # U+F0A7): rejected, rightly. Every text with words in it is kept.
    assert all(path in karlsruhe for path in rejected), sorted(rejected)
    assert len(rejected) < 20
    assert all(_readable_words(text) <= 3 for text in rejected.values()), {
        path.name: _readable_words(text) for path, text in rejected.items()
    }
