"""ALLRIS net paper pages (vo020, ISO-8859-1) from Hamburg's district assemblies.

Expected values are read by hand from the pages' header tables.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.access import LOCAL_OPERATOR
from assistant.config import Settings
from assistant.models import SearchFilters
from assistant.services import build_services
from ingest.sources.allris_html import is_vo020, read_vo020
from ingest.sources.folder import SourceFile, read_file
from tests.conftest import shared_path


def _page(district: str, page: str = "vo020") -> bytes:
    folder = shared_path("data", "allris-html-hamburg", "test", "fixtures", "files", "allris")
    return (folder / district / f"{page}.html").read_bytes()


def test_only_vo020_pages_are_recognised() -> None:
    assert is_vo020(_page("altona"))
    for page in ("to010", "to020", "au020", "fr020"):
        assert not is_vo020(_page("altona", page))
        assert read_vo020(_page("altona", page)) is None
    assert read_vo020(b"<html><body><h1>Drucksache - 1</h1></body></html>") is None


def test_altona_motion_with_a_dated_session() -> None:
    metadata = read_vo020(_page("altona"))
    assert metadata is not None
    assert metadata.reference == "22-2362"
    assert metadata.subject == "Umleitung der Metrobuslinie 1 Beschlussempfehlung des Mobilitätsausschusses"
    assert metadata.originator == "Geschäftsstelle der Bezirksversammlung"  # Federführend, no Verfasser
    # "Beschlussempfehlung öffentlich": the type, then the visibility ALLRIS appends to it.
    assert (metadata.paper_type, metadata.paper_family) == ("Beschlussempfehlung", "Beschlussempfehlung")
    assert [(s.body, s.date) for s in metadata.consultations] == [("Hauptausschuss", date(2026, 7, 9))]


def test_bergedorf_authors_one_per_line_and_umlauts_in_iso_8859_1() -> None:
    metadata = read_vo020(_page("bergedorf"))
    assert metadata is not None
    assert metadata.reference == "22-0916"
    assert metadata.originator == "Fraktion GRÜNE Bergedorf; Fraktion DIE LINKE; SPD-Fraktion"
    assert metadata.subject.startswith("Unterstützungs-, Schutz- und Distanzierungsangebote für Menschen")
    assert [(s.body, s.date) for s in metadata.consultations] == [("Bezirksversammlung Bergedorf", None)]


def test_eimsbuettel_beratungsfolge_with_roles_and_dates() -> None:
    metadata = read_vo020(_page("eimsbuettel"))
    assert metadata is not None
    assert (metadata.paper_type, metadata.paper_family) == (
        "Mitteilungsvorlage der Verwaltung",
        "Mitteilungsvorlage",
    )
    assert metadata.originator == "D1 - Dezernat Steuerung und Service"
    assert [(s.body, s.date, s.role) for s in metadata.consultations] == [
        ("Hauptausschuss", date(2026, 7, 23), "Kenntnisnahme"),
        ("Regionalausschuss Lokstedt/Niendorf/Schnelsen", date(2026, 8, 31), "Kenntnisnahme"),
        ("Bezirksversammlung", None, "Kenntnisnahme"),
    ]


@pytest.mark.parametrize(
    ("district", "reference", "paper_type", "originator"),
    [
        ("hamburg_mitte", "23-1862", "Antrag", "Fachamt Interner Service"),
        ("hamburg_nord", "22-2402", "Antrag", "Thorsten Schmidt; Daniela Clément"),
        (
            "harburg",
            "22-1940.01",
            "Antwort / Stellungnahme des Bezirksamtes",
            "D 4 - Dezernat Wirtschaft, Bauen und Umwelt",
        ),
        ("wandsbek", "22-3995", "Eingabe", "Interner Service"),
    ],
)
def test_header_fields_of_the_other_districts(
    district: str, reference: str, paper_type: str, originator: str
) -> None:
    metadata = read_vo020(_page(district))
    assert metadata is not None
    assert (metadata.reference, metadata.paper_type, metadata.originator) == (
        reference,
        paper_type,
        originator,
    )


def test_harburg_family_tree_is_not_read_as_beratungsfolge() -> None:
    metadata = read_vo020(_page("harburg"))
    assert metadata is not None
    assert [s.body for s in metadata.consultations] == ["Hauptausschuss"]


def test_the_betreff_script_is_not_part_of_the_subject() -> None:
    metadata = read_vo020(_page("altona"))
    assert metadata is not None and "function" not in metadata.subject and "CDATA" not in metadata.subject


def test_folder_ingest_uses_the_page_table_as_known_metadata(tmp_path: Path) -> None:
    source = tmp_path / "export" / "eimsbuettel-vo020.html"
    source.parent.mkdir()
    shutil.copyfile(
        shared_path(
            "data", "allris-html-hamburg", "test", "fixtures", "files", "allris", "eimsbuettel", "vo020.html"
        ),
        source,
    )
    raw = read_file(SourceFile(source, str(source), str(source.parent)), max_bytes=10_000_000)
    assert raw.known is not None and raw.known.reference == "22-2368"
    services = build_services(Settings(data_dir=tmp_path / "data"))
    report = services.ingestor.ingest([str(source.parent)])
    assert report.added == 1 and not report.failed
    document = next(iter(services.store.documents().values()))
    assert document.reference == "22-2368"
    assert (document.paper_type, document.paper_family) == (
        "Mitteilungsvorlage der Verwaltung",
        "Mitteilungsvorlage",
    )
    assert document.bodies == (
        "Hauptausschuss",
        "Regionalausschuss Lokstedt/Niendorf/Schnelsen",
        "Bezirksversammlung",
    )
    assert document.title.startswith("Aufwertung für den Voßbarg in Niendorf-Nord")
    services.close()


# The Drucksache-Art of each vo020 page as its table states it (read by hand), and its family.
VO020_TYPES = {
    "altona": ("Beschlussempfehlung", "Beschlussempfehlung"),
    "bergedorf": ("Auskunftsersuchen nach § 27 BezVG", "Anfrage"),
    "eimsbuettel": ("Mitteilungsvorlage der Verwaltung", "Mitteilungsvorlage"),
    "hamburg_mitte": ("Antrag", "Antrag"),
    "hamburg_nord": ("Antrag", "Antrag"),
    "harburg": ("Antwort / Stellungnahme des Bezirksamtes", "Stellungnahme"),
    "wandsbek": ("Eingabe", "Petition"),
}


def test_all_seven_vo020_pages_keep_their_drucksache_art_and_the_type_filter_finds_them(
    tmp_path: Path,
) -> None:
    folder = shared_path("data", "allris-html-hamburg", "test", "fixtures", "files", "allris")
    assert sorted(path.parent.name for path in folder.glob("*/vo020.html")) == sorted(VO020_TYPES)
    export = tmp_path / "export"
    export.mkdir()
    for district in VO020_TYPES:
        shutil.copyfile(folder / district / "vo020.html", export / f"{district}.html")
    services = build_services(Settings(data_dir=tmp_path / "data"))
    try:
        report = services.ingestor.ingest([str(export)])
        assert report.added == 7 and not report.failed, report.failed
        documents = {Path(d.source).stem: d for d in services.store.documents().values()}
        assert {name: (d.paper_type, d.paper_family) for name, d in documents.items()} == VO020_TYPES

        def found(paper_type: str) -> set[str]:
            hits = services.retriever.search(
                "Bezirksversammlung Drucksache",
                LOCAL_OPERATOR,
                SearchFilters(paper_types=(paper_type,)),
                k=50,
            )
            return {Path(hit.document.source).stem for hit in hits}

        for district, (stated, family) in VO020_TYPES.items():
            assert district in found(stated), (district, stated)  # the type as stated ...
            assert district in found(stated.upper()), (district, stated)  # ... in any case
            assert district in found(family), (district, family)  # ... and its family
        assert found("Antrag") == {"hamburg_mitte", "hamburg_nord"}
        assert found("Eingabe") == {"wandsbek"}
    finally:
        services.close()
