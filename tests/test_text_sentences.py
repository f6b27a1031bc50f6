"""Tests of the German sentence splitter (ingest.text.sentences) that chunking, the answerers and
the judge share."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.text.sentences import split_sentences

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
KARLSRUHE = SHARED / "data" / "oparl-karlsruhe" / "file-contents"


def _real_documents() -> list[Path]:
    if not SHARED.is_dir():
        return []
    karlsruhe = sorted(KARLSRUHE.glob("*.txt"))
    step = max(1, len(karlsruhe) // 50)
    return sorted((SHARED / "seeds").glob("*.txt")) + karlsruhe[::step][:50]


def test_real_sentences_are_trimmed_ordered_and_cover_the_text() -> None:
    documents = _real_documents()
    if not documents:
        pytest.skip(f"shared documents not found at {SHARED}")
    for path in documents[:20]:
        text = path.read_text(encoding="utf-8")
        position = 0
        for start, end in split_sentences(text):
            assert start >= position and text[position:start].strip() == ""
            assert text[start:end].strip() == text[start:end] != ""
            position = end
        assert text[position:].strip() == ""


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_abbreviations_do_not_end_sentences() -> None:
    text = (
        "Die Kosten betragen ca. 1.500 € bzw. 3,5 % des Budgets, vgl. S. 4 der Vorlage. "
        "Laut Nr. 4 Abs. 2 gilt dies z. B. für Vereine, d. h. auch für den Sportverein e. V. in der Stadt. "
        "Prof. Dr. Müller (Tel. 123) ist i. d. R. erreichbar, ggf. auch inkl. Vertretung gem. Plan. "
        "Die Geschäftsstelle liegt in der Kaiserstr. 12 bzw. in der Str. am Markt, u. a. für Beratungen. "
        "Das gilt z.B. für i.d.R. kleine Vereine."
    )
    assert _sentences(text) == [
        "Die Kosten betragen ca. 1.500 € bzw. 3,5 % des Budgets, vgl. S. 4 der Vorlage.",
        "Laut Nr. 4 Abs. 2 gilt dies z. B. für Vereine, d. h. auch für den Sportverein e. V. in der Stadt.",
        "Prof. Dr. Müller (Tel. 123) ist i. d. R. erreichbar, ggf. auch inkl. Vertretung gem. Plan.",
        "Die Geschäftsstelle liegt in der Kaiserstr. 12 bzw. in der Str. am Markt, u. a. für Beratungen.",
        "Das gilt z.B. für i.d.R. kleine Vereine.",
    ]


def test_dates_ordinals_and_amounts_do_not_end_sentences() -> None:
    text = (
        "Am 1. Juli 2025 tagt der Rat im 2. Quartal erneut. Die Sitzung am 01.07.2025 ist öffentlich. "
        "Sie endet am 31.12.2025. Der Betrag von 1.500,50 € wurde 1928. Neu ist nichts. "
        "Wie hoch sind die Kosten? Das ist unklar! Wir fragen nach."
    )
    assert _sentences(text) == [
        "Am 1. Juli 2025 tagt der Rat im 2. Quartal erneut.",
        "Die Sitzung am 01.07.2025 ist öffentlich.",
        "Sie endet am 31.12.2025.",
        "Der Betrag von 1.500,50 € wurde 1928.",
        "Neu ist nichts.",
        "Wie hoch sind die Kosten?",
        "Das ist unklar!",
        "Wir fragen nach.",
    ]


def test_quotes_and_brackets_after_the_full_stop_belong_to_the_sentence() -> None:
    text = "Das Motto lautet „Stadt für alle.“ Danach folgt der Plan (siehe Anlage.) Ende."
    assert _sentences(text) == [
        "Das Motto lautet „Stadt für alle.“",
        "Danach folgt der Plan (siehe Anlage.)",
        "Ende.",
    ]


def test_list_items_are_sentences_of_their_own() -> None:
    text = (
        "Die Strategie umfasst:\n- erstens die Analyse\n- zweitens die Umsetzung.\n"
        "1. Punkt eins\n2. Punkt zwei\na) Unterpunkt\n• Aufzählung mit Punkt\n"
        "  - eingerückter Punkt, der\n    umbrochen ist"
    )
    assert _sentences(text) == [
        "Die Strategie umfasst:",
        "- erstens die Analyse",
        "- zweitens die Umsetzung.",
        "1. Punkt eins",
        "2. Punkt zwei",
        "a) Unterpunkt",
        "• Aufzählung mit Punkt",
        "- eingerückter Punkt, der\n    umbrochen ist",
    ]


def test_hard_wrapped_lines_are_joined_and_blank_lines_end_sentences() -> None:
    text = (
        "Der Gemeinderat hat in seiner Sitzung\nam 12. März 2025 beschlossen, die\n"
        "Verwaltung zu beauftragen. Die Umsetzung ist im\n2. Quartal 2026 geplant.\n"
        "Ein Absatz ohne Punkt\n\n \nZweiter Absatz"
    )
    assert _sentences(text) == [
        "Der Gemeinderat hat in seiner Sitzung\nam 12. März 2025 beschlossen, die\n"
        "Verwaltung zu beauftragen.",
        "Die Umsetzung ist im\n2. Quartal 2026 geplant.",
        "Ein Absatz ohne Punkt",
        "Zweiter Absatz",
    ]


def test_heading_lines_are_sentences_of_their_own() -> None:
    text = "Gegenstand:\nNeue Bänke am Markt\nBegründung:\nDie Verwaltung prüft.\n### Anlagen\nPlan"
    assert _sentences(text) == [
        "Gegenstand:",
        "Neue Bänke am Markt",
        "Begründung:",
        "Die Verwaltung prüft.",
        "### Anlagen",
        "Plan",
    ]


def test_a_numbered_date_after_a_colon_is_no_list_item_in_any_spelling_of_the_month() -> None:
    for month in ("Juli", "März", "Maerz", "Jänner", "Sept"):
        text = f"Termine:\n1. {month} 2026 Stadtrat"
        assert _sentences(text) == [text]
    assert _sentences("Punkte:\n1. Radweg") == ["Punkte:", "1. Radweg"]
