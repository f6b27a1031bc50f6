"""OParl objects → documents (pure mapping), on real Karlsruhe objects; expectations hand-checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.metadata import normalize_paper_type
from ingest.prepare import prepare
from ingest.records import CouncilMetadata
from ingest.sources.oparl.mapping import (
    build_document,
    combine_pages,
    content_hash,
    directing_office,
    meeting_files,
    meeting_metadata,
    municipality_name,
    oparl_doc_id,
    paper_files,
    paper_metadata,
)
from ingest.sources.oparl.references import StateReferences
from ingest.sources.oparl.state import SyncState
from tests.conftest import shared_path


@pytest.fixture
def karlsruhe_refs(tmp_path: Path) -> Iterator[StateReferences]:
    """References to the real Karlsruhe organisations and meetings, as the crawler keeps them."""
    root = shared_path("data", "oparl-karlsruhe")
    state = SyncState(tmp_path / "state.sqlite3")
    refs = StateReferences(state, None, "https://karlsruhe.test/system", "1.1")
    for organization in json.loads((root / "organizations.json").read_text(encoding="utf-8")):
        refs.remember("organization", organization)
    for path in (root / "meetings").glob("*.json"):
        meeting = json.loads(path.read_text(encoding="utf-8"))
        refs.remember("meeting", meeting)
        for item in meeting.get("agendaItem", []):
            refs.remember("agendaItem", item)
    yield refs
    state.close()


def _karlsruhe(kind: str, number: str) -> dict[str, object]:
    path = shared_path("data", "oparl-karlsruhe", kind, f"{number}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_karlsruhe_paper_metadata_comes_from_the_api(karlsruhe_refs: StateReferences) -> None:
    paper = _karlsruhe("papers", "52444")
    metadata = paper_metadata(paper, karlsruhe_refs, "Karlsruhe")
    assert metadata.reference == "2025/0938"
    assert metadata.paper_type == "Beschlussvorlage"
    assert metadata.date == date(2025, 10, 2)
    assert metadata.originator == ""  # no originator is named: the text's (or the office) fills it
    assert directing_office(paper, karlsruhe_refs).originator == "Tiefbauamt"  # underDirectionOf
    assert metadata.subject.startswith(
        "Sammel-Konzeptbeschluss und Sammel-Baubeschluss: Überleitung laufender Bau"
    )
    assert metadata.municipality == "Karlsruhe"
    steps = [(s.body, s.date, s.role, s.public) for s in metadata.consultations]
    assert steps == [
        ("Bauausschuss", date(2025, 11, 6), "Vorberatung", True),
        ("Gemeinderat", date(2025, 11, 25), "Entscheidung", True),
    ]


def test_budget_paper_types_keep_their_type_and_have_no_family(karlsruhe_refs: StateReferences) -> None:
    paper = {"id": "p", "paperType": "Haushalt THH 4100", "name": "x"}
    metadata = paper_metadata(paper, karlsruhe_refs)
    assert (metadata.paper_type, metadata.paper_family) == ("Haushalt THH 4100", "")


def _papers(value: object) -> Iterator[dict[str, object]]:
    if isinstance(value, dict):
        if "paperType" in value and isinstance(value["paperType"], str):
            yield value
        for item in value.values():
            yield from _papers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _papers(item)


def test_every_vendors_paper_type_is_kept_as_the_server_states_it(karlsruhe_refs: StateReferences) -> None:
    """SessionNet (Karlsruhe), SD.NET (Hürtgenwald), ALLRIS (Leipzig): no stated type is dropped."""
    folders = {
        "karlsruhe": shared_path("data", "oparl-karlsruhe", "papers"),
        "huertgenwald": shared_path("data", "oparl-huertgenwald", "body"),
        "leipzig": shared_path("data", "allris-leipzig", "at-92f30eb"),
    }
    stated: dict[str, set[str]] = {}
    for vendor, folder in folders.items():
        for path in sorted(folder.rglob("*.json")):
            for paper in _papers(json.loads(path.read_text(encoding="utf-8"))):
                written = " ".join(str(paper["paperType"]).split())
                metadata = paper_metadata(paper, karlsruhe_refs)
                assert metadata.paper_type == written, (path, written)
                assert metadata.paper_family == normalize_paper_type(written)
                stated.setdefault(vendor, set()).add(written)
    assert {"Tischvorlage", "Mitteilungsvorlage"} <= stated["huertgenwald"]
    assert {"Haushalt THH 4100", "Änderungs-/Ergänzungsantrag", "Offenlage"} <= stated["karlsruhe"]
    assert "Petition" in stated["leipzig"]


def test_originators_are_named_before_the_directing_office(karlsruhe_refs: StateReferences) -> None:
    paper = {
        "id": "p",
        "originatorOrganization": [{"id": "o1", "name": "Fraktion GRÜNE"}, "https://unknown/org"],
        "originatorPerson": [{"id": "p1", "name": "Erika Mustermann"}],
        "underDirectionOf": ["https://web1.karlsruhe.de/oparl/bodies/0001/organizations/gr/32806"],
    }
    assert paper_metadata(paper, karlsruhe_refs).originator == "Fraktion GRÜNE; Erika Mustermann"


def test_a_motion_names_the_faction_its_text_names_not_the_directing_office(
    karlsruhe_refs: StateReferences,
) -> None:
    """Karlsruhe's motions name no originator in the API, only the office directing them: the
    faction stated in the text is the originator, the office only when the text names none."""
    paper = {"id": "p", "paperType": "Antrag", "name": "Radweg", "underDirectionOf": ["x"]}
    office = CouncilMetadata(originator="Tiefbauamt")
    texts = {
        "Antrag\nGRÜNE-Gemeinderatsfraktion\nRadweg am Rhein\nDer Radweg soll saniert werden.": "GRÜNE",
        "Radweg am Rhein\nDer Radweg soll saniert werden.": "Tiefbauamt",
    }
    for text, expected in texts.items():
        metadata = paper_metadata(paper, karlsruhe_refs)
        raw = build_document(
            oparl_doc_id("https://x/paper/1"), "https://x/paper/1", "", text, metadata, office
        )
        assert prepare(raw, "https://x", frozenset({"public"}), 180).document.originator.startswith(expected)
    assert content_hash("t", metadata, "", office) != content_hash("t", metadata, "")


def test_meeting_invitation_is_titled_with_meeting_name_and_date(karlsruhe_refs: StateReferences) -> None:
    meeting = _karlsruhe("meetings", "10262")
    files = meeting_files(meeting)
    assert [part for part, _, _, _ in files] == ["invitation"]
    _, paper_type, label, _ = files[0]
    metadata = meeting_metadata(meeting, paper_type, label, karlsruhe_refs, "Karlsruhe")
    assert metadata.subject == "Einladung: Schulausschuss (öffentlich/nicht öffentlich) – 27.06.2025"
    assert metadata.paper_type == "Einladung"
    assert metadata.date == date(2025, 6, 27)
    assert [step.body for step in metadata.consultations] == ["Schulausschuss"]


def test_main_file_comes_before_auxiliary_files_and_duplicates_go() -> None:
    paper = {
        "auxiliaryFile": [{"id": "a1"}, {"id": "m"}, {"id": "a2"}],
        "mainFile": {"id": "m"},
    }
    assert [file["id"] for file in paper_files(paper)] == ["m", "a1", "a2"]


def test_every_file_page_stays_a_page_of_the_document() -> None:
    metadata = CouncilMetadata(
        reference="2025/0938", subject="Sammelbeschluss", paper_type="Beschlussvorlage"
    )
    text = combine_pages([["Seite eins", "Seite zwei"], ["Anlage eins"]], metadata)
    raw = build_document(oparl_doc_id("https://x/paper/1"), "https://x/paper/1", "", text, metadata)
    pages = extract(raw).pages
    assert [page.number for page in pages] == [1, 2, 3]
    assert pages[0].text.startswith("Sammelbeschluss\nBeschlussvorlage 2025/0938")
    assert pages[0].text.endswith("Seite eins")
    assert pages[1].text == "Seite zwei" and pages[2].text == "Anlage eins"
    assert raw.known is metadata and raw.suffix == ".txt"


def test_a_paper_without_file_text_is_findable_by_its_heading() -> None:
    metadata = CouncilMetadata(
        reference="102/2002", subject="Umbesetzungen im Bauausschuss", paper_type="Tischvorlage"
    )
    assert combine_pages([[], []], metadata) == "Umbesetzungen im Bauausschuss\nTischvorlage 102/2002"


def test_a_metadata_only_change_changes_the_content_hash() -> None:
    before = CouncilMetadata(reference="1", subject="Radweg")
    after = CouncilMetadata(reference="1", subject="Radweg", paper_type="Antrag")
    assert content_hash("text", before, "") != content_hash("text", after, "")
    assert content_hash("text", before, "") == content_hash(
        "text", CouncilMetadata(reference="1", subject="Radweg"), ""
    )


def test_document_ids_are_stable_and_distinct_per_meeting_file() -> None:
    meeting = "https://x/meetings/1"
    assert oparl_doc_id(meeting) == oparl_doc_id(meeting)
    assert (
        len(
            {
                oparl_doc_id(meeting),
                oparl_doc_id(meeting, "invitation"),
                oparl_doc_id(meeting, "resultsProtocol"),
            }
        )
        == 3
    )
    assert len(oparl_doc_id(meeting)) == 24


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Stadt Karlsruhe", "Karlsruhe"),
        ("Gemeinde Hürtgenwald", "Hürtgenwald"),
        ("Landkreis Märkisch-Oderland", "Landkreis Märkisch-Oderland"),
    ],
)
def test_municipality_is_the_bare_name(body: str, name: str) -> None:
    assert municipality_name(body) == name
