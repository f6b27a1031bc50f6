"""Quotable sentences (assistant.answering.quotes): cleaned for reading, lead-ins kept, noise dropped."""

from __future__ import annotations

from assistant.answering.quotes import clean, quotes_of


def test_labels_markers_and_markdown_are_stripped() -> None:
    assert clean("Betreff: Lückenschluss im Radwegenetz") == "Lückenschluss im Radwegenetz."
    assert clean("- **Antwort:** Die Verwaltung prüft das.") == "Die Verwaltung prüft das."
    assert clean("Zu Frage 2: Der Platz ist gesperrt") == "Der Platz ist gesperrt."
    assert clean("### Gegenstand: Neubau der Kita") == "Neubau der Kita."
    assert clean("3. die Planung bis 2026 vorzulegen;") == "die Planung bis 2026 vorzulegen."
    assert clean("Die Technolo-\ngie wird getestet") == "Die Technologie wird getestet."
    # A label that carries meaning stays: "Gesamtkosten" is part of the statement.
    assert clean("Gesamtkosten: 7.100.000 Euro") == "Gesamtkosten: 7.100.000 Euro."


def test_a_list_item_is_quoted_with_its_lead_in() -> None:
    text = (
        "Der Stadtrat beauftragt die Verwaltung,\n\n"
        "1. für den Abschnitt an der Weserpromenade einen Radweg mit einer Breite von 2,50 Metern "
        "zu planen;\n\n"
        "2. die Entwurfsplanung bis zum 30.09.2025 vorzulegen."
    )
    quotes, dropped = quotes_of(text)
    assert [q.text for q in quotes] == [
        "Der Stadtrat beauftragt die Verwaltung, für den Abschnitt an der Weserpromenade einen Radweg "
        "mit einer Breite von 2,50 Metern zu planen.",
        "Der Stadtrat beauftragt die Verwaltung, die Entwurfsplanung bis zum 30.09.2025 vorzulegen.",
    ]
    assert len(quotes[0].spans) == 2 and text[slice(*quotes[0].spans[0])].startswith("Der Stadtrat")
    assert [d.reason for d in dropped] == ["Einleitung einer Aufzählung"]


def test_questions_short_lines_and_rows_of_figures_are_not_quoted() -> None:
    text = (
        "Wie viele Plätze gibt es?\n\nAnlage 3\n\n"
        "2026 2027 2028 6.000 € 6.000 € 6.000 €.\n\nJa: 26 Nein: 16 Enthaltungen: 3."
    )
    quotes, dropped = quotes_of(text)
    assert [q.text for q in quotes] == ["Ja: 26 Nein: 16 Enthaltungen: 3."]
    assert {d.reason for d in dropped} == {"Frage", "zu kurz", "Tabellenzeile ohne Aussage"}


def test_a_block_of_fields_becomes_one_quote_per_field() -> None:
    text = "Drucksache Nr.: A/2025/014\nDatum: 14.03.2025\nEinreicher: Fraktion Bündnis 90/Die Grünen\n"
    quotes, _ = quotes_of(text)
    assert [q.text for q in quotes] == [
        "Drucksache Nr.: A/2025/014.",
        "Datum: 14.03.2025.",
        "Einreicher: Fraktion Bündnis 90/Die Grünen.",
    ]
    for quote in quotes:
        start, end = quote.spans[0]
        assert clean(text[start:end]) == quote.text
