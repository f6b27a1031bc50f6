"""Tests of ingest.metadata against real council documents: the seeds and a Karlsruhe sample.

Expected values of the seeds and of the Karlsruhe sample were written by reading the texts in
../shared, not by running the parser. The accuracy over all Karlsruhe papers is tested in
test_metadata_karlsruhe.py, hand-written snippets per field in test_metadata_fields.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.metadata import normalize_paper_type, parse_metadata
from ingest.records import ConsultationStep, CouncilMetadata

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
KARLSRUHE = SHARED / "data" / "oparl-karlsruhe"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data folder {SHARED} is absent")


def _seed(prefix: str) -> CouncilMetadata:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return parse_metadata(path.read_text(encoding="utf-8"))


def _karlsruhe_text(file_id: str) -> str:
    return (KARLSRUHE / "file-contents" / f"{file_id}.txt").read_text(encoding="utf-8")


# --- the five seeds -------------------------------------------------------------------------

DRESDEN_CONSULTATIONS = (
    ConsultationStep("Ältestenrat", None, False, "zur Information"),
    ConsultationStep("Dienstberatung des Oberbürgermeisters", None, False, "zur Information"),
    ConsultationStep(
        "Ausschuss für Allgemeine Verwaltung, Ordnung und Sicherheit (Eigenbetrieb IT-Dienstleistungen)",
        None,
        False,
        "1. Lesung (federführend)",
    ),
    ConsultationStep(
        "Ausschuss für Allgemeine Verwaltung, Ordnung und Sicherheit (Eigenbetrieb IT-Dienstleistungen)",
        None,
        False,
        "beratend (federführend)",
    ),
    ConsultationStep("Stadtrat", None, True, "beschließend"),
)


@needs_shared
def test_dresden_a0078_pdf_text_with_spaced_heading_and_wrapped_table() -> None:
    meta = _seed("000")
    assert meta.reference == "A0078/25"
    assert meta.date == date(2025, 7, 1)
    assert meta.paper_type == "Antrag"  # from "A N T R A G"
    assert meta.originator == "Fraktion Bündnis 90/Die Grünen"
    assert meta.subject == "EIne KI-Strategie für die Dresdner Stadtverwaltung"  # typo as written
    assert meta.municipality == "Dresden"  # "Landeshauptstadt Dresden" in the Beschlussvorschlag
    # Committee names wrap over two or three PDF lines, "(federführend)" sits on a line of its own.
    assert meta.consultations == DRESDEN_CONSULTATIONS


@needs_shared
def test_dresden_a0079_markdown_text() -> None:
    meta = _seed("001")
    assert (meta.reference, meta.date, meta.paper_type) == ("A0079/25", date(2025, 7, 10), "Antrag")
    assert meta.originator == "Fraktion Bündnis 90/Die Grünen"
    assert meta.subject == "Digitalstrategie für Dresden"
    assert meta.municipality == "Dresden"
    assert meta.consultations == DRESDEN_CONSULTATIONS


@needs_shared
def test_halle_bold_reference_and_dated_consultations() -> None:
    meta = _seed("002")
    assert meta.reference == "VIII/2025/00836"
    assert meta.date == date(2025, 2, 5)
    assert meta.paper_type == "Antrag"
    assert meta.originator == "Fraktion Volt / MitBürger"  # "Verfasser:" is empty; from the Betreff
    assert meta.subject == (
        "Antrag der Fraktion Volt / MitBürger zur Erarbeitung einer KI-Strategie für die Stadt Halle (Saale)"
    )
    assert meta.municipality == "Halle (Saale)"
    assert meta.consultations == (
        ConsultationStep("Stadtrat", date(2025, 2, 26), True, "Entscheidung"),
        ConsultationStep(
            "Ausschuss für Wirtschaft, Wissenschaft und Digitalisierung",
            date(2025, 4, 9),
            True,
            "Vorberatung",
        ),
        ConsultationStep(
            "Ausschuss für Finanzen, städtische Beteiligungsverwaltung und Liegenschaften",
            date(2025, 4, 22),
            True,
            "Vorberatung",
        ),
        # "30.04.2025 28.05.2025": the first of two dates is kept
        ConsultationStep("Stadtrat", date(2025, 4, 30), True, "Entscheidung"),
    )


@needs_shared
def test_koblenz_html_form_with_gremienweg_checkboxes() -> None:
    meta = _seed("003")
    assert meta.reference == "AT/0047/2025"
    assert meta.date == date(2025, 4, 25)
    assert meta.paper_type == "Antrag"
    assert meta.originator == "004-Ratsfraktion AfD"  # "Verfasser:", not the Betreff's wording
    assert meta.subject == (
        "Antrag der AfD-Ratsfraktion: Einsatz von Künstlicher Intelligenz (KI) zur Effizienzsteigerung "
        "in der Stadtverwaltung"
    )
    # The text says "Koblenz" only in passing, never "Stadt Koblenz": not a recognisable form.
    assert meta.municipality == ""
    assert meta.consultations == (ConsultationStep("Stadtrat", date(2025, 5, 8), True, ""),)


@needs_shared
def test_luebeck_interfraktioneller_dringlichkeitsantrag_without_number_or_date() -> None:
    meta = _seed("004")
    assert meta.reference == ""  # the motion carries no number
    assert meta.date is None  # its only date is the meeting's, in the Beratungsfolge
    assert meta.paper_type == "Dringlichkeitsantrag"
    assert meta.originator == "CDU-Fraktion; Fraktion BÜ90 DIE GRÜNEN; FDP Fraktion"
    assert meta.subject == (
        "CDU, BÜ90/DIE GRÜNEN, FDP - Dringlichkeitsantrag: Konzept zur Nutzung Künstlicher Intelligenz "
        "in der Stadtverwaltung"
    )
    assert meta.municipality == "Lübeck"
    assert meta.consultations == (
        ConsultationStep("Bürgerschaft der Hansestadt Lübeck", date(2025, 9, 25), True, "zur Entscheidung"),
    )


# --- Karlsruhe: a hand-checked sample --------------------------------------------------------

NOT_CHECKED = object()

# (file id, reference, paper type, date, originator); NOT_CHECKED where the text leaves it open.
KARLSRUHE_SAMPLE: list[tuple[str, str, object, date | None, object]] = [
    ("662417", "2024/1264", "Beschlussvorlage", None, "Dez. 1; OV Wolf"),
    ("675278", "2025/1265", "Beschlussvorlage", None, "Dez. 3; Schul- und Sportamt"),
    ("672121", "2025/1182", "Beschlussvorlage", None, "Dez. 6; Tiefbauamt"),
    ("665167", "2025/0192", "Antrag", date(2025, 2, 25), "SPD"),
    ("678596", "2026/0425", "Antrag", date(2026, 5, 22), "KAL"),
    ("668164", "2025/0382/1", "Änderungsantrag", date(2025, 6, 20), "AfD"),
    ("665920", "2025/0107/1", "Änderungsantrag", date(2025, 3, 25), "CDU"),
    ("668845", "2025/0688", "Anfrage", date(2025, 7, 16), "KAL"),
    ("668919", "2025/0701", "Anfrage", date(2025, 6, 26), "GRÜNEN-Ortschaftsratsfraktion"),
    ("664291", "2025/0035", "Beschlussvorlage", None, "Dez. 3; Schul- und Sportamt"),  # "– Offenlage"
    ("672279", "DHH/2025/5203", "Antrag", date(2025, 8, 11), NOT_CHECKED),
    ("673874", "DHH/2025/4145", "Antrag", date(2025, 11, 20), "GRÜNE; Die Linke"),
    ("672675", "DHH/2025/0002", "Antrag", None, "CDU Gemeinderatsfraktion"),  # date "00.00.0000"
    ("664179", "2025/0032", "Antrag", date(2025, 1, 14), "SPD; GRÜNE; KAL; Die Linke; Volt"),
    ("666779", "", "Antrag", None, "Bündnis 90/DIE GRÜNEN-Ortschaftsratsfraktion"),  # empty form
    ("664758", "2025/1431", "Beschlussvorlage", None, "Dez. 3; BfI"),  # OParl says 2024/1431
    ("670826", "2025/0647", "Antrag", date(2025, 6, 28), NOT_CHECKED),  # "28. Juni 2025"
    ("672252", "DHH/2025/8802", "Antrag", date(2025, 11, 20), "SPD- und GRÜNE-Gemeinderatsfraktion"),
    ("669428", "2025/0780", "Antrag", date(2025, 8, 1), "FWH / FDP-Ortschaftsratsfraktion"),
    (
        "677370",
        "2026/0088/1",
        "Antrag",
        date(2026, 3, 30),
        "GRÜNE; CDU; SPD; FDP/FW; Die Linke; KAL; Volt; FÜR",
    ),
    ("674161", "2025/1208", "Beschlussvorlage", None, "Dez. 6; Amt für Hochbau und Gebäudewirtschaft"),
    ("675263", "2025/0792", "Beschlussvorlage", None, "Dez. 5; Team Sauberes Karlsruhe"),
    ("667875", "2025/0578", "Anfrage", date(2025, 4, 7), NOT_CHECKED),
    ("675041", "2025/0886", "Antrag", date(2025, 9, 16), "Volt"),  # OParl: 2025/1246, Beschlussvorlage
    ("669347", "", NOT_CHECKED, None, "BÜNDNIS 90/DIE GRÜNEN-Ortschaftsratsfraktion"),
    ("664127", "2024/0884", "Antrag", date(2024, 8, 5), "SPD"),
    ("668183", "2025/0160", "", None, "Dez. 6; Stadtplanungsamt"),  # "Konzeptbeschluss"
    ("671041", "2025/0892/1", "Änderungsantrag", date(2025, 10, 20), "Die Linke"),  # "Änderungsantag:"
    ("670103", "2025/0875", "Informationsvorlage", None, "Dez. 2; AfSta"),
    ("665844", "2025/0289", "Beschlussvorlage", None, "Dez. 1; StaDu"),
    ("679273", "2026/0504", "Antrag", date(2026, 6, 23), "SPD"),
]


@needs_shared
@pytest.mark.parametrize(("file_id", "reference", "paper_type", "when", "originator"), KARLSRUHE_SAMPLE)
def test_karlsruhe_sample_matches_hand_checked_values(
    file_id: str, reference: str, paper_type: object, when: date | None, originator: object
) -> None:
    meta = parse_metadata(_karlsruhe_text(file_id))
    assert meta.reference == reference
    assert meta.date == when
    if paper_type is not NOT_CHECKED:  # hand-checked families; the type as stated may say more
        assert meta.paper_family == paper_type
        assert normalize_paper_type(meta.paper_type) == paper_type
    if originator is not NOT_CHECKED:
        assert meta.originator == originator


@needs_shared
@pytest.mark.parametrize(
    ("file_id", "subject"),
    [
        # title wrapped after "und"; the Dienststelle above it wraps too ("Schul- und" / "Sportamt")
        (
            "675278",
            "Festlegung der Lage der täglichen Betreuungszeit im Schulkind-Bildungs- und "
            "Betreuungssystem (SKiBB)",
        ),
        (
            "672121",
            "HHS4_GR80 - Änderung der Wartungszeiten des Karoline-Luise-Tunnels (zweimal im Jahr, "
            "von nachts auf tagsüber)",
        ),
        (
            "674161",
            "Interessenbekundung im Bundesprogramm „Sanierung kommunaler Sportstätten“, "
            "Projektaufruf 2025/2026",
        ),
        ("672675", "Tiefergehende Prüfung – Zusammenlegung von Ämtern"),  # below a letter head
        ("675041", "Plauderbänke"),  # a one-word title right above "Antrag: Volt"
        ("669347", "Neues Einbahnstraßenkonzept"),  # "Thema:"
    ],
)
def test_karlsruhe_subject_is_the_title_line_with_its_wrapped_tail(file_id: str, subject: str) -> None:
    assert parse_metadata(_karlsruhe_text(file_id)).subject == subject


@needs_shared
def test_karlsruhe_consultation_rows_split_or_wrapped_in_the_pdf() -> None:
    split_after_date = parse_metadata(_karlsruhe_text("670103")).consultations
    assert split_after_date == (
        ConsultationStep("Haupt- und Finanzausschuss", date(2025, 11, 11), False, "Vorberatung"),
        ConsultationStep("Gemeinderat", date(2025, 11, 25), True, "Kenntnisnahme"),
    )
    wrapped_body = parse_metadata(_karlsruhe_text("664291")).consultations
    assert wrapped_body == (
        ConsultationStep("Sportausschuss", date(2025, 2, 12), True, "Vorberatung"),
        ConsultationStep(
            "Gemeinderat/Haupt- u. Finanzausschuss - Offenlage", date(2025, 2, 18), False, "Entscheidung"
        ),
    )
    # An empty Ortschaftsrat form: a committee name but no date, status or role; nothing is made up.
    assert parse_metadata(_karlsruhe_text("666779")).consultations == ()
