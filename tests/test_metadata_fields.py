"""Tests of ingest.metadata on hand-written snippets, field by field."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.metadata import PAPER_FAMILIES, normalize_paper_type, paper_type_and_family, parse_metadata
from ingest.records import ConsultationStep, CouncilMetadata


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A N T R A G", "Antrag"),
        ("## Antrag", "Antrag"),
        ("Antrag der Fraktion DIE LINKE", "Antrag"),
        ("Interfraktioneller Antrag", "Antrag"),
        ("Änderungs-/Ergänzungsantrag", "Änderungsantrag"),
        ("Ergänzungsantrag", "Änderungsantrag"),
        ("Dringlichkeitsantrag", "Dringlichkeitsantrag"),
        ("Große Anfrage", "Große Anfrage"),
        ("Kleine Anfrage der Gruppe X", "Kleine Anfrage"),
        ("Anfrage", "Anfrage"),
        ("Beschlussvorlage – Offenlage", "Beschlussvorlage"),
        ("Informationsvorlage", "Informationsvorlage"),
        ("Mitteilungsvorlage", "Mitteilungsvorlage"),
        ("Antwort der Verwaltung", "Stellungnahme"),
        ("Stellungnahme der Verwaltung", "Stellungnahme"),
        ("Protokoll", "Niederschrift"),
        ("Niederschrift über die 3. Sitzung", "Niederschrift"),
        ("Tagesordnung", "Tagesordnung"),
        ("Einladung", "Einladung"),
        ("Beschlussempfehlung öffentlich", "Beschlussempfehlung"),
        ("Auskunftsersuchen nach § 27 BezVG", "Anfrage"),
        ("Einwohneranfrage", "Anfrage"),
        ("Neufassung Antrag", "Antrag"),
        ("Beantwortung einer Anfrage", "Stellungnahme"),
        ("Eingabe", "Petition"),
        ("Haushalt THH 4100", ""),
        ("Offenlage", ""),
        ("Tischvorlage", ""),
        ("Antragsteller", ""),
        ("", ""),
    ],
)
def test_normalize_paper_type(raw: str, expected: str) -> None:
    assert normalize_paper_type(raw) == expected


def test_every_normalised_type_is_listed() -> None:
    samples = ["Antrag", "Änderungsantrag", "Dringlichkeitsantrag", "Anfrage", "Beschlussvorlage", "Bericht"]
    assert all(normalize_paper_type(s) in PAPER_FAMILIES for s in samples)
    assert all(normalize_paper_type(family) == family for family in PAPER_FAMILIES)


@pytest.mark.parametrize(
    ("written", "stated", "family"),
    [
        ("A N T R A G", "Antrag", "Antrag"),
        ("ANTRAG", "Antrag", "Antrag"),
        ("GROSSE ANFRAGE", "Große Anfrage", "Große Anfrage"),
        ("  Interfraktioneller   Antrag ", "Interfraktioneller Antrag", "Antrag"),
        ("Änderungs-/Ergänzungsantrag", "Änderungs-/Ergänzungsantrag", "Änderungsantrag"),
        ("Auskunftsersuchen nach § 27 BezVG", "Auskunftsersuchen nach § 27 BezVG", "Anfrage"),
        ("Eingabe", "Eingabe", "Petition"),
        ("Haushalt THH 4100", "Haushalt THH 4100", ""),
        ("Tischvorlage", "Tischvorlage", ""),
        ("", "", ""),
    ],
)
def test_a_stated_type_is_kept_as_written_beside_its_family(written: str, stated: str, family: str) -> None:
    assert paper_type_and_family(written) == (stated, family)


def test_the_parser_keeps_the_labelled_type_and_the_words_of_a_type_heading() -> None:
    labelled = parse_metadata("Drucksache-Art: Beschlussempfehlung\nBetreff: Umleitung der Buslinie\n")
    heading = parse_metadata("INTERFRAKTIONELLER ANTRAG der Fraktionen A und B\n\nBetreff: Radweg\n")
    unknown = parse_metadata("Vorlagenart: Haushaltsbegleitbeschluss\nBetreff: Haushalt 2026\n")

    assert (labelled.paper_type, labelled.paper_family) == ("Beschlussempfehlung", "Beschlussempfehlung")
    assert (heading.paper_type, heading.paper_family) == ("Interfraktioneller Antrag", "Antrag")
    assert (unknown.paper_type, unknown.paper_family) == ("Haushaltsbegleitbeschluss", "")


def test_text_without_a_reference_gets_none() -> None:
    text = "Antrag\n\nFraktion Beispiel\n\nBetreff: Mehr Bänke im Stadtpark\n\nBegründung:\nDas ist nötig.\n"
    meta = parse_metadata(text)
    assert meta.reference == ""
    assert meta.date is None
    assert (meta.paper_type, meta.originator, meta.subject) == (
        "Antrag",
        "Fraktion Beispiel",
        "Mehr Bänke im Stadtpark",
    )


def test_numbers_and_dates_in_the_body_never_become_reference_or_date() -> None:
    text = (
        "Antrag\n\nBetreff: Satzungsänderung\n\nBegründung:\n"
        "Nach § 2025/12 der Satzung und der Vorlage 2024/0815 vom 03.04.2024 ist zu prüfen,\n"
        "Vorlage Nr.: 2023/0001\n"  # a labelled number, but in the body
        "12.05.2024\n"
    )
    meta = parse_metadata(text)
    assert meta.reference == ""
    assert meta.date is None


def test_a_date_behind_a_reference_label_is_not_a_reference() -> None:
    assert parse_metadata("Vorlage Nr.: 12.03.2025\nDatum: 12.03.2025\n").reference == ""


@pytest.mark.parametrize(
    ("header", "reference"),
    [
        ("Drucksache: VII-A-07860-NF-04", "VII-A-07860-NF-04"),
        ("Drucksachennummer: 21-01234", "21-01234"),
        ("Vorlage Nr. 0123/2024", "0123/2024"),
        ("Drucksache:\n\n21-01234", "21-01234"),  # value on the next line
        ("ANTRAG\nDHH/2025/0002", "DHH/2025/0002"),
        ("Vorlagen-Nummer: **VIII/2025/00836**", "VIII/2025/00836"),
    ],
)
def test_reference_next_to_its_label(header: str, reference: str) -> None:
    assert parse_metadata(header + "\n\nBegründung:\nText.\n").reference == reference


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Datum: 1. Juli 2025", date(2025, 7, 1)),
        ("Eingang: 01.07.2025", date(2025, 7, 1)),
        ("Datum: 01.07.25", date(2025, 7, 1)),
        ("Eingang: 00.00.0000", None),  # a template placeholder
        ("Datum: 31.02.2025", None),
    ],
)
def test_labelled_dates(line: str, expected: date | None) -> None:
    assert parse_metadata(f"Anfrage\n{line}\n").date == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Datum: 5. Jänner 2026", date(2026, 1, 5)),  # Austrian
        ("Datum: 5. Mär. 2026", date(2026, 3, 5)),
        ("Datum: 5. Maerz 2026", date(2026, 3, 5)),
        ("Datum: 5. Jun 2026", date(2026, 6, 5)),
        ("Datum: 5. Sept. 2026", date(2026, 9, 5)),
    ],
)
def test_dates_with_every_spelling_of_the_month_table(line: str, expected: date) -> None:
    assert parse_metadata(f"Anfrage\n{line}\n").date == expected


def test_date_standing_alone_in_a_letter_head() -> None:
    text = (
        "SPD-Fraktion, Marktplatz 1, 12345 Musterstadt\n\nHerrn Oberbürgermeister\n\n20.11.2025\n\nANTRAG\n"
    )
    meta = parse_metadata(text)
    assert meta.date == date(2025, 11, 20)
    assert meta.originator == "SPD-Fraktion"


def test_interfraktioneller_antrag_joins_its_factions() -> None:
    text = (
        "Interfraktioneller Antrag\nVorlage Nr.: 2025/0001\nInterfraktioneller Antrag: SPD, GRÜNE und KAL\n"
    )
    assert parse_metadata(text).originator == "SPD; GRÜNE; KAL"


def test_anfrage_der_fraktion_names_the_originator() -> None:
    text = "Anfrage\nVorlage Nr.: 2025/0002\nFußweg am Bach\nAnfrage der CDU-Ortschaftsratsfraktion\n"
    meta = parse_metadata(text)
    assert (meta.originator, meta.subject) == ("CDU-Ortschaftsratsfraktion", "Fußweg am Bach")


def test_vorlage_of_the_administration_names_dezernat_and_dienststelle() -> None:
    text = (
        "Beschlussvorlage\nVorlage Nr.: 2025/0003\nVerantwortlich: Dez. 1\nDienststelle: Tiefbauamt\n"
        "Neue Brücke\n"
    )
    meta = parse_metadata(text)
    assert (meta.paper_type, meta.originator, meta.subject) == (
        "Beschlussvorlage",
        "Dez. 1; Tiefbauamt",
        "Neue Brücke",
    )


def test_prose_mentioning_a_fraktion_is_not_an_originator() -> None:
    text = "Anfrage\nVorlage Nr.: 2025/0004\nMit dieser Anfrage möchte die Fraktion den Stand erfragen\n"
    assert parse_metadata(text).originator == ""


def test_subject_in_bold_tags_on_the_line_below_its_label() -> None:
    text = "# Antrag\n<b>Betreff:</b>\t\n<b>Neue Sitzbänke</b>\nGremienweg:\n"
    assert parse_metadata(text).subject == "Neue Sitzbänke"


def test_title_hint_only_when_the_text_has_no_subject() -> None:
    assert parse_metadata("", title_hint="Haushaltssatzung 2025").subject == "Haushaltssatzung 2025"
    assert parse_metadata("", title_hint="Microsoft Word - Vorlage.docx").subject == ""
    assert parse_metadata("Betreff: Radweg\n", title_hint="Anderes").subject == "Radweg"


def test_dringlichkeitsantrag_in_the_title_line_refines_antrag() -> None:
    text = "## Interfraktioneller Antrag\n\n## SPD, FDP - Dringlichkeitsantrag: Mehr Licht\n"
    assert parse_metadata(text).paper_type == "Dringlichkeitsantrag"


def test_consultation_table_followed_by_prose_invents_no_body() -> None:
    text = (
        "Antrag\nBeratungsfolge\n"
        "Hauptausschuss 12.03.2025 Ö Vorberatung\n"
        "Die Verwaltung wird beauftragt, die Beleuchtung des Weges bis zum Jahresende zu verbessern.\n"
        "Die Sitzung ist nicht öffentlich\n"
    )
    assert parse_metadata(text).consultations == (
        ConsultationStep("Hauptausschuss", date(2025, 3, 12), True, "Vorberatung"),
    )


def test_consultation_heading_without_rows_gives_no_steps() -> None:
    text = "Antrag\nBeratungsfolge:\nDer Antrag soll im Ausschuss beraten werden.\nDanach im Rat.\n"
    assert parse_metadata(text).consultations == ()


@pytest.mark.parametrize(
    ("text", "municipality"),
    [
        ("Der Gemeinderat der Stadt Karlsruhe beschließt.", "Karlsruhe"),  # in the header
        ("Antrag an die Bürgerschaft der Hansestadt Lübeck", "Lübeck"),
        ("Gemeinde Hürtgenwald\nDer Rat beschließt.", "Hürtgenwald"),
        ("Die Stadt Halle (Saale) soll eine Strategie entwickeln.", "Halle (Saale)"),
        ("Karlsruhe und Ettlingen arbeiten zusammen.", ""),  # no recognisable form
        ("Die Stadt Ettlingen und die Stadt Pforzheim ...", ""),  # a tie is unclear
        ("Die Stadt Verwaltung prüft.", ""),  # not a name
    ],
)
def test_municipality(text: str, municipality: str) -> None:
    assert parse_metadata(text).municipality == municipality


def test_a_single_passing_mention_deep_in_the_body_is_not_the_municipality() -> None:
    text = (
        "Antrag\n\nBegründung:\n"
        + "Text ohne Ortsangabe.\n" * 300
        + "Wie die Stadt Freiburg zeigt, geht das.\n"
    )
    assert parse_metadata(text).municipality == ""


def test_empty_text_gives_empty_metadata() -> None:
    assert parse_metadata("") == CouncilMetadata()
