"""Tests of ingest.metadata against real council documents and hand-written snippets.

Expected values of the seeds and of the Karlsruhe sample were written by reading the texts in
../shared, not by running the parser. The Karlsruhe accuracy tests compare with the city's
OParl records, which were entered by the council office independently of the PDFs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ingest.metadata import PAPER_TYPES, normalize_paper_type, parse_metadata
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
    if paper_type is not NOT_CHECKED:
        assert meta.paper_type == paper_type
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


# --- Karlsruhe: accuracy over all main files --------------------------------------------------

# Karlsruhe's papers leave "mainFile" empty; the main document is the first auxiliary file
# named after the kind of paper ("Beschlussvorlage", "Antrag Grötzingen", "Antrag CDU_019", ...).
MAIN_FILE_NAMES = (
    "Beschlussvorlage",
    "Informationsvorlage",
    "Antrag",
    "Anfrage",
    "Änderungs",
    "Ergänzungs",
    "Offenlage",
)


@dataclass(frozen=True)
class Case:
    file_id: str
    paper: dict[str, Any]
    meta: CouncilMetadata


def _file_id(file: object) -> str:
    return str(file["id"] if isinstance(file, dict) else file).rstrip("/").rsplit("/", 1)[-1]


def _main_file_id(paper: dict[str, Any]) -> str | None:
    if paper.get("mainFile"):
        return _file_id(paper["mainFile"])
    for file in paper.get("auxiliaryFile") or []:
        assert isinstance(file, dict)
        if str(file.get("name", "")).startswith(MAIN_FILE_NAMES):
            return _file_id(file)
    return None


@cache
def _karlsruhe_cases() -> tuple[Case, ...]:
    cases = []
    for path in sorted((KARLSRUHE / "papers").glob("*.json")):
        paper = json.loads(path.read_text(encoding="utf-8"))
        file_id = None if paper.get("deleted") else _main_file_id(paper)
        if file_id and (KARLSRUHE / "file-contents" / f"{file_id}.txt").exists():
            cases.append(Case(file_id, paper, parse_metadata(_karlsruhe_text(file_id))))
    return tuple(cases)


@cache
def _meeting_day(url: str) -> date | None:
    path = KARLSRUHE / "meetings" / f"{_file_id(url)}.json"
    if not path.exists():
        return None
    start = json.loads(path.read_text(encoding="utf-8")).get("start") or ""
    return date.fromisoformat(start[:10]) if start else None


def _rate(hits: int, total: int) -> float:
    assert total > 0
    return hits / total


@needs_shared
def test_karlsruhe_reference_matches_oparl_for_main_files() -> None:
    cases = _karlsruhe_cases()
    assert len(cases) >= 1000
    misses = [
        (c.file_id, c.paper["reference"], c.meta.reference)
        for c in cases
        if c.meta.reference != c.paper["reference"]
    ]
    accuracy = 1 - _rate(len(misses), len(cases))
    print(f"reference: {accuracy:.3f} of {len(cases)} main files")
    # Misses are mostly texts that say another number than OParl (a "/1" suffix missing, a typo).
    assert accuracy >= 0.95, misses[:20]


@needs_shared
def test_karlsruhe_reference_is_never_a_date_or_free_text() -> None:
    for case in _karlsruhe_cases():
        ref = case.meta.reference
        assert ref == "" or (
            any(ch.isdigit() for ch in ref) and ("/" in ref or "-" in ref) and " " not in ref
        ), ref


@needs_shared
def test_karlsruhe_paper_type_matches_oparl_for_main_files() -> None:
    compared = [c for c in _karlsruhe_cases() if normalize_paper_type(str(c.paper["paperType"]))]
    misses = [
        (c.file_id, c.paper["paperType"], c.meta.paper_type)
        for c in compared
        if c.meta.paper_type != normalize_paper_type(str(c.paper["paperType"]))
    ]
    accuracy = 1 - _rate(len(misses), len(compared))
    print(f"paper_type: {accuracy:.3f} of {len(compared)} (Haushalt THH and Offenlage left out)")
    # Misses are mostly OParl filing an "Ergänzungsantrag" heading as "Antrag" or vice versa.
    assert accuracy >= 0.95, misses[:20]


@needs_shared
def test_karlsruhe_receipt_date_is_close_to_the_oparl_date() -> None:
    """A motion's "Eingang:" date is when it arrived; OParl's date is when it was filed, the same
    day or a few days later. A parsed date after the filing date would be a wrong date."""
    compared = [
        c
        for c in _karlsruhe_cases()
        if c.meta.date
        and normalize_paper_type(str(c.paper["paperType"])) in {"Antrag", "Anfrage", "Änderungsantrag"}
    ]
    filed = {c.file_id: date.fromisoformat(str(c.paper["date"])) for c in compared}
    same_day = _rate(sum(c.meta.date == filed[c.file_id] for c in compared), len(compared))
    not_later = _rate(sum(c.meta.date <= filed[c.file_id] for c in compared if c.meta.date), len(compared))
    print(f"date: same day {same_day:.3f}, not after filing {not_later:.3f} of {len(compared)}")
    assert len(compared) >= 300
    assert same_day >= 0.45
    assert not_later >= 0.95


@needs_shared
def test_karlsruhe_vorlagen_without_a_date_line_get_no_date() -> None:
    """Beschlussvorlagen state no paper date; the dates in their Gremien table are meetings."""
    vorlagen = [c for c in _karlsruhe_cases() if c.paper["paperType"] == "Beschlussvorlage"]
    with_date = [c.file_id for c in vorlagen if c.meta.date is not None]
    assert len(vorlagen) >= 300
    assert len(with_date) <= 0.02 * len(vorlagen), with_date


@needs_shared
def test_karlsruhe_originator_names_the_submitting_factions() -> None:
    submitters = json.loads((KARLSRUHE / "paper-submitters.json").read_text(encoding="utf-8"))
    factions: dict[str, str] = submitters["factions"]
    compared = hits = 0
    for case in _karlsruhe_cases():
        keys = submitters["papers"].get(_file_id(str(case.paper["id"])))
        if not keys or normalize_paper_type(str(case.paper["paperType"])) not in {
            "Antrag",
            "Anfrage",
            "Änderungsantrag",
        }:
            continue
        compared += 1
        hits += all(factions[key].lower() in case.meta.originator.lower() for key in keys)
    print(f"originator: all submitting factions named in {_rate(hits, compared):.3f} of {compared}")
    assert compared >= 300
    assert _rate(hits, compared) >= 0.85


@needs_shared
def test_karlsruhe_consultations_meet_on_the_oparl_meeting_days() -> None:
    compared = hits = 0
    for case in _karlsruhe_cases():
        consultations = case.paper.get("consultation") or []
        assert isinstance(consultations, list)
        days = {_meeting_day(c["meeting"]) for c in consultations if c.get("meeting")} - {None}
        if days:
            compared += 1
            hits += bool(days & {step.date for step in case.meta.consultations})
        for step in case.meta.consultations:
            assert 3 <= len(step.body) <= 150 and not step.body.endswith("."), step
    print(f"consultations: a parsed row on an OParl meeting day in {_rate(hits, compared):.3f} of {compared}")
    # Budget motions carry no table, and planned dates move; most papers still line up.
    assert _rate(hits, compared) >= 0.7


@needs_shared
def test_karlsruhe_municipality_is_karlsruhe_when_stated() -> None:
    named = [c.meta.municipality for c in _karlsruhe_cases() if c.meta.municipality]
    assert len(named) >= 400
    assert _rate(named.count("Karlsruhe"), len(named)) >= 0.97


# --- synthetic snippets ------------------------------------------------------------------------


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
        ("Haushalt THH 4100", ""),
        ("Offenlage", ""),
        ("Antragsteller", ""),
        ("", ""),
    ],
)
def test_normalize_paper_type(raw: str, expected: str) -> None:
    assert normalize_paper_type(raw) == expected


def test_every_normalised_type_is_listed() -> None:
    samples = ["Antrag", "Änderungsantrag", "Dringlichkeitsantrag", "Anfrage", "Beschlussvorlage", "Bericht"]
    assert all(normalize_paper_type(s) in PAPER_TYPES for s in samples)


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
