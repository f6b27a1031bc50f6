"""Tests of the structure-aware chunker: exact offsets, sections, windows, page boundaries.

Sentence splitting, which chunking builds on, is tested in test_text_sentences.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from ingest.chunking import CHUNKER_VERSION, chunk_document
from ingest.records import Chunk, Page

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
KARLSRUHE = SHARED / "data" / "oparl-karlsruhe" / "file-contents"


def _pages_of(path: Path) -> list[Page]:
    text = path.read_text(encoding="utf-8")
    return [Page(number, page) for number, page in enumerate(text.split("\f"), start=1)]


def _real_documents() -> list[Path]:
    if not SHARED.is_dir():
        return []
    karlsruhe = sorted(KARLSRUHE.glob("*.txt"))
    step = max(1, len(karlsruhe) // 50)
    return sorted((SHARED / "seeds").glob("*.txt")) + karlsruhe[::step][:50]


def _words(text: str) -> int:
    return len(text.split())


def _assert_well_formed(pages: Sequence[Page], chunks: Sequence[Chunk], max_words: int) -> None:
    """Exact slices, trimmed, in order, no overlap, within budget, and no text lost."""
    by_number = {page.number: page for page in pages}
    assert [c.index for c in chunks] == list(range(len(chunks)))
    page_order = [page.number for page in pages]
    previous: tuple[int, int] = (-1, 0)
    for chunk in chunks:
        text = by_number[chunk.page].text
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text != ""
        position = (page_order.index(chunk.page), chunk.start)
        assert position >= previous, f"chunk {chunk.index} overlaps or precedes the one before"
        previous = (position[0], chunk.end)
        assert _words(chunk.text) <= int(max_words * 1.3)
    for page in pages:
        covered = bytearray(len(page.text))
        for chunk in chunks:
            if chunk.page == page.number:
                covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
        lost = "".join(ch for ch, hit in zip(page.text, covered, strict=True) if not hit)
        assert lost.strip() == "", f"text lost on page {page.number}: {lost.strip()[:80]!r}"


def _section_of(chunks: Sequence[Chunk], phrase: str) -> str:
    found = [c for c in chunks if phrase in c.text]
    assert len(found) == 1, f"{phrase!r} is in {len(found)} chunks"
    return found[0].section


def test_chunker_version_is_named() -> None:
    assert re.fullmatch(r"[a-z]+-v\d+", CHUNKER_VERSION)


# --- offsets, budget and coverage on real documents -------------------------------------------


@pytest.mark.parametrize(("max_words", "min_words"), [(180, 25), (40, 8)])
def test_real_documents_chunk_into_exact_ordered_slices_that_lose_no_text(
    max_words: int, min_words: int
) -> None:
    documents = _real_documents()
    if not documents:
        pytest.skip(f"shared documents not found at {SHARED}")
    total = 0
    for path in documents:
        pages = _pages_of(path)
        chunks = chunk_document(path.stem, pages, max_words=max_words, min_words=min_words)
        _assert_well_formed(pages, chunks, max_words)
        total += len(chunks)
    assert total > len(documents)


# --- budget ---------------------------------------------------------------------------------------


def _sentence(number: int, words: int) -> str:
    return " ".join(["Satz", str(number)] + ["wort"] * (words - 3) + ["Ende."])


def test_windows_hold_whole_sentences_within_the_budget() -> None:
    text = " ".join(_sentence(i, 10) for i in range(1, 21))
    chunks = chunk_document("d", [Page(1, text)], max_words=35, min_words=5)
    assert [_words(c.text) for c in chunks] == [30, 30, 30, 30, 30, 30, 20]
    assert all(c.text.startswith("Satz ") and c.text.endswith("Ende.") for c in chunks)


def test_small_tail_is_merged_into_the_previous_window_when_it_fits() -> None:
    text = " ".join([_sentence(1, 20), _sentence(2, 20), _sentence(3, 20), _sentence(4, 20), _sentence(5, 5)])
    chunks = chunk_document("d", [Page(1, text)], max_words=40, min_words=15)
    assert [_words(c.text) for c in chunks] == [40, 45]


def test_small_tail_stays_alone_when_merging_would_exceed_the_budget_by_more_than_30_percent() -> None:
    text = " ".join([_sentence(1, 20), _sentence(2, 20), _sentence(3, 14)])
    chunks = chunk_document("d", [Page(1, text)], max_words=40, min_words=15)
    assert [_words(c.text) for c in chunks] == [40, 14]


def test_a_sentence_longer_than_the_budget_is_cut_at_word_boundaries() -> None:
    words = [f"wort{i}" for i in range(250)]
    text = "Einleitung. " + " ".join(words) + " Schluss."
    chunks = chunk_document("d", [Page(1, text)], max_words=100, min_words=10)
    _assert_well_formed([Page(1, text)], chunks, 100)
    assert all(_words(c.text) <= 100 for c in chunks)
    assert [w for c in chunks for w in c.text.split()] == text.split()


def test_invalid_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="max_words"):
        chunk_document("d", [Page(1, "Text.")], max_words=0)
    with pytest.raises(ValueError, match="min_words"):
        chunk_document("d", [Page(1, "Text.")], max_words=10, min_words=11)


def test_whitespace_only_pages_yield_no_chunks() -> None:
    assert chunk_document("d", [Page(1, "  \n\n \t "), Page(2, "")]) == []


# --- sections -------------------------------------------------------------------------------------

MOTION = """Stadt Musterstadt
Vorlage Nr. 2025/0042
Datum: 03.03.2025

Betreff: Mehr Sitzbänke am Marktplatz

Beschlussvorschlag:

Der Gemeinderat beauftragt die Verwaltung, bis zum 1. Juli 2025 zehn neue Sitzbänke am
Marktplatz aufzustellen.

Begründung:

Viele ältere Menschen wünschen sich Sitzgelegenheiten in der Innenstadt. Die Kosten
betragen ca. 1.500 € je Bank. Die Fraktion stellt daher folgenden
Antrag an die Verwaltung zur Prüfung.

**Sachverhalt**

Der Marktplatz wurde im Jahr 2019 umgestaltet. Seitdem fehlen dort Bänke.

1. Wie viele Bänke gibt es derzeit am Marktplatz?

Derzeit stehen dort drei Bänke.

2. Wann wurden die alten Bänke entfernt?

Die alten Bänke wurden bei der
Umgestaltung entfernt.

## Anlagen

Lageplan des Marktplatzes
"""


def test_chunks_record_the_heading_of_their_section() -> None:
    chunks = chunk_document("motion", [Page(1, MOTION)])
    _assert_well_formed([Page(1, MOTION)], chunks, 180)
    assert _section_of(chunks, "Stadt Musterstadt") == ""
    assert _section_of(chunks, "Mehr Sitzbänke") == "Betreff"
    assert _section_of(chunks, "zehn neue Sitzbänke") == "Beschlussvorschlag"
    assert _section_of(chunks, "Viele ältere Menschen") == "Begründung"
    # a hard-wrapped line that starts with a keyword is no heading
    assert _section_of(chunks, "an die Verwaltung zur Prüfung") == "Begründung"
    assert _section_of(chunks, "Seitdem fehlen") == "Sachverhalt"
    assert _section_of(chunks, "drei Bänke") == "1. Wie viele Bänke gibt es derzeit am Marktplatz?"
    assert _section_of(chunks, "Umgestaltung entfernt") == "2. Wann wurden die alten Bänke entfernt?"
    assert _section_of(chunks, "Lageplan") == "Anlagen"
    # sections split chunks even though the whole motion fits one budget
    assert len(chunks) == 8


def test_each_chunk_starts_with_its_heading_line() -> None:
    chunks = chunk_document("motion", [Page(1, MOTION)])
    for chunk in chunks[1:]:
        first_line = chunk.text.splitlines()[0]
        plain = re.sub(r"[#*:]", "", first_line).strip()
        assert plain.startswith(chunk.section.rstrip("?")), (chunk.section, first_line)


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("### **Begründung:**", "Begründung"),
        ("<b>Begründung:</b>", "Begründung"),
        ("BEGRÜNDUNG:", "Begründung"),
        ("__Begründung__", "Begründung"),
        ("2. Begründung", "Begründung"),
        ("Sachverhalt / Begründung:", "Sachverhalt / Begründung"),
        ("Sachverhalt/Begründung", "Sachverhalt / Begründung"),
        ("Finanzielle Auswirkungen", "Finanzielle Auswirkungen"),
        ("Anlage(n):", "Anlage(n)"),
        ("Anlage 2: Lageplan", "Anlage 2"),
        ("Stellungnahme der Verwaltung", "Stellungnahme der Verwaltung"),
        ("TOP 5: Neubau der Grundschule", "TOP 5 Neubau der Grundschule"),
        ("Tagesordnungspunkt 3.1", "Tagesordnungspunkt 3.1"),
        ("Zu Frage 2:", "Zu Frage 2"),
        ("Zu 2.", "Zu 2."),
        ("Frage 2: Wer trägt die Kosten?", "Frage 2"),
        ("Antwort zu Frage 2", "Antwort zu Frage 2"),
    ],
)
def test_heading_markup_is_removed_from_the_label(heading: str, label: str) -> None:
    text = f"Einleitung der Vorlage.\n\n{heading}\n\nDie Verwaltung prüft den Vorschlag."
    chunks = chunk_document("d", [Page(1, text)])
    assert _section_of(chunks, "Einleitung") == ""
    assert _section_of(chunks, "prüft den Vorschlag") == label


ENQUIRY = """Anfrage der Fraktion Beispiel

Frage 1: Wie hoch waren die Kosten des Winterdienstes?
Frage 2: Wie viele Fahrzeuge sind im Einsatz?

Antwort der Verwaltung

Zu Frage 1:
Die Kosten betrugen im Jahr 2024 rund 2,3 Mio. Euro.

Zu Frage 2:
Es sind 14 Fahrzeuge im Einsatz, davon vier Streufahrzeuge.
"""


def test_numbered_questions_and_answers_are_sections() -> None:
    chunks = chunk_document("enquiry", [Page(1, ENQUIRY)])
    assert _section_of(chunks, "Kosten des Winterdienstes") == "Frage 1"
    assert _section_of(chunks, "Fahrzeuge sind im Einsatz?") == "Frage 2"
    assert _section_of(chunks, "2,3 Mio. Euro") == "Zu Frage 1"
    assert _section_of(chunks, "vier Streufahrzeuge") == "Zu Frage 2"
    # a heading without body of its own opens the next section's chunk instead of standing alone
    assert _section_of(chunks, "Antwort der Verwaltung") == "Zu Frage 1"


def test_listed_questions_without_answers_stay_in_the_enquiry_section() -> None:
    text = (
        "Anfrage:\n\nWir fragen die Verwaltung:\n\n"
        "1. Wie viele Kitaplätze fehlen\nderzeit in der Stadt?\n"
        "2. Bis wann werden neue Plätze geschaffen?\n\n"
        "Begründung:\n\nDie Wartelisten werden länger."
    )
    chunks = chunk_document("d", [Page(1, text)])
    assert _section_of(chunks, "Kitaplätze fehlen") == "Anfrage"
    assert _section_of(chunks, "neue Plätze") == "Anfrage"
    assert _section_of(chunks, "Wartelisten") == "Begründung"


def test_a_subtitle_under_a_heading_does_not_open_a_section() -> None:
    text = "Beschluss:\n\nAntrag an den Gemeinderat\n\nDer Gemeinderat stimmt der Vorlage zu."
    chunks = chunk_document("d", [Page(1, text)])
    assert [c.section for c in chunks] == ["Beschluss"]


def test_an_empty_field_heading_gives_way_to_the_next_heading() -> None:
    text = "Gegenstand:\n\nBeschlussvorschlag:\n\nDer Rat beschließt die Satzung."
    chunks = chunk_document("d", [Page(1, text)])
    assert [c.section for c in chunks] == ["Beschlussvorschlag"]
    assert chunks[0].text.startswith("Gegenstand:")


def test_a_section_continues_across_a_page_break() -> None:
    pages = [
        Page(1, "Beschlussvorschlag:\nDer Rat stimmt zu.\n\nBegründung:\nDer erste Teil der Begründung."),
        Page(2, "Der zweite Teil der Begründung folgt hier.\n\nAnlagen:\nLageplan"),
        Page(3, "Noch ein Plan zur Anlage."),
    ]
    chunks = chunk_document("d", pages)
    _assert_well_formed(pages, chunks, 180)
    assert [(c.page, c.section) for c in chunks] == [
        (1, "Beschlussvorschlag"),
        (1, "Begründung"),
        (2, "Begründung"),
        (2, "Anlagen"),
        (3, "Anlagen"),
    ]


def test_dresden_seed_has_a_beschlussvorschlag_and_a_begruendung_section() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"shared documents not found at {SHARED}")
    seeds = [
        p for p in sorted((SHARED / "seeds").glob("*.txt")) if "A0078/25" in p.read_text(encoding="utf-8")
    ]
    if not seeds:
        pytest.skip("the Dresden A0078/25 seed is not among the shared seeds")
    pages = _pages_of(seeds[0])
    chunks = chunk_document("A0078/25", pages)
    _assert_well_formed(pages, chunks, 180)
    text = pages[0].text
    # Independent oracle: where the two headings stand in the text, found with a plain regex.
    proposal = re.search(r"^\s*Beschlussvorschlag:", text, re.M)
    reasons = re.search(r"^\s*Begründung:", text, re.M)
    assert proposal is not None and reasons is not None
    for chunk in chunks:
        if chunk.end <= proposal.start():
            assert chunk.section in ("", "Gegenstand")
        elif proposal.start() <= chunk.start < text.index("Beratungsfolge"):
            assert chunk.section == "Beschlussvorschlag"
        elif chunk.start >= reasons.start():
            assert chunk.section in ("Begründung", "Anlagenverzeichnis")
    reason_chunks = [c for c in chunks if c.section == "Begründung"]
    assert reason_chunks and reason_chunks[0].start == reasons.end() - len("Begründung:")
    assert sum(_words(c.text) for c in reason_chunks) > 150


# --- page boundaries ------------------------------------------------------------------------------


def test_chunks_carry_their_page_number_and_never_span_pages() -> None:
    paragraph = " ".join(_sentence(i, 12) for i in range(1, 9))  # 96 words, one window
    pages = [
        Page(3, f"Beschlussvorschlag:\n{paragraph} Seitendrei."),
        Page(4, f"{paragraph} Seitevier."),
        Page(5, f"Begründung:\n{paragraph}\n\n{paragraph} Seitefünf."),
    ]
    chunks = chunk_document("d", pages, max_words=120, min_words=10)
    _assert_well_formed(pages, chunks, 120)
    assert [c.page for c in chunks] == [3, 4, 5, 5]
    assert [c.section for c in chunks] == [
        "Beschlussvorschlag",
        "Beschlussvorschlag",
        "Begründung",
        "Begründung",
    ]
    for chunk in chunks:
        marker = {3: "Seitendrei", 4: "Seitevier", 5: "Seitefünf"}[chunk.page]
        others = {"Seitendrei", "Seitevier", "Seitefünf"} - {marker}
        assert not any(other in chunk.text for other in others)
    assert chunks[-1].text.endswith("Seitefünf.")
    assert chunks[1].start == 0 and chunks[1].end == len(pages[1].text)
