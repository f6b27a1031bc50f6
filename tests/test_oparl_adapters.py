"""Vendor quirk adapters: one test per quirk, named after the vendor behaviour it repairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.sources.oparl.adapters import (
    ALLRIS,
    GENERIC,
    SDNET,
    SESSIONNET,
    drop_empty_urls,
    drop_not_available,
    drop_null_items,
    drop_zero_size,
    fix_mime_type,
    infer_type,
    object_type,
    parse_json_lenient,
    schema_version,
    select_adapter,
    wrap_single_objects,
)
from tests.conftest import shared_path


def test_allris_na_in_url_fields_is_dropped() -> None:
    """ALLRIS writes "N/A" into URL fields (Leipzig's System: name and website)."""
    system = {"id": "https://x/system", "name": "N/A", "website": " N/A", "body": "https://x/bodies"}
    drop_not_available(system)
    assert system == {"id": "https://x/system", "body": "https://x/bodies"}


def test_allris_empty_download_url_is_dropped() -> None:
    """ALLRIS sends ``downloadUrl: ""``; an empty string is no URL, the accessUrl stays."""
    file = {"id": "f", "accessUrl": "https://x/a.pdf", "downloadUrl": "", "name": ""}
    drop_empty_urls(file)
    assert file == {"id": "f", "accessUrl": "https://x/a.pdf", "name": ""}


def test_allris_zero_size_is_dropped() -> None:
    """ALLRIS sends ``size: 0`` for every file; a real size stays."""
    unknown, known = {"size": 0}, {"size": 1234}
    drop_zero_size(unknown)
    drop_zero_size(known)
    assert unknown == {} and known == {"size": 1234}


@pytest.mark.parametrize(
    ("sent", "repaired"),
    [
        ("pdf", "application/pdf"),
        (".DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("application/pdf", "application/pdf"),
        ("xyz", None),
    ],
)
def test_allris_bare_extension_mime_type_is_repaired(sent: str, repaired: str | None) -> None:
    """ALLRIS sends ``mimeType: "pdf"``; a bare extension becomes the MIME type, an unknown one goes."""
    file = {"mimeType": sent}
    fix_mime_type(file)
    assert file.get("mimeType") == repaired


def test_allris_single_object_where_a_list_belongs_is_wrapped() -> None:
    """ALLRIS sends one auxiliaryFile as an object and one consultation organisation as a string."""
    paper = {
        "type": "https://schema.oparl.org/1.0/Paper",
        "auxiliaryFile": {"id": "f1"},
        "underDirectionOf": "https://x/org/1",
    }
    consultation = {"type": "https://schema.oparl.org/1.0/Consultation", "organization": "https://x/org/2"}
    wrap_single_objects(paper)
    wrap_single_objects(consultation)
    assert paper["auxiliaryFile"] == [{"id": "f1"}]
    assert paper["underDirectionOf"] == ["https://x/org/1"]
    assert consultation["organization"] == ["https://x/org/2"]


def test_single_url_fields_of_other_types_are_not_wrapped() -> None:
    """The same field names are single URLs elsewhere: Membership.organization, Body.paper."""
    membership = {"type": "https://schema.oparl.org/1.1/Membership", "organization": "https://x/org/1"}
    body = {"type": "https://schema.oparl.org/1.1/Body", "paper": "https://x/papers", "organization": "u"}
    wrap_single_objects(membership)
    wrap_single_objects(body)
    assert membership["organization"] == "https://x/org/1"
    assert body == {
        "type": "https://schema.oparl.org/1.1/Body",
        "paper": "https://x/papers",
        "organization": "u",
    }


def test_allris_null_list_items_are_dropped() -> None:
    """ALLRIS sends ``[null]`` for an empty list and null for unknown fields."""
    paper = {"keyword": [None], "auxiliaryFile": [None, {"id": "f"}], "date": None, "name": "x"}
    drop_null_items(paper)
    assert paper == {"keyword": [], "auxiliaryFile": [{"id": "f"}], "name": "x"}


def test_sdnet_missing_type_is_inferred_from_the_list() -> None:
    """SD.NET (OParl 1.0) omits ``type`` on deleted objects; a present type is kept."""
    tombstone = {"id": "https://x/paper/1", "deleted": True}
    typed = {"id": "https://x/paper/2", "type": "https://schema.oparl.org/1.0/Meeting"}
    infer_type(tombstone, "Paper")
    infer_type(typed, "Paper")
    assert tombstone["type"] == "https://schema.oparl.org/1.0/Paper"
    assert object_type(typed) == "Meeting"


def test_allris_json_with_unescaped_control_characters_parses() -> None:
    """ALLRIS sends raw tabs and line breaks inside JSON strings; strict parsers reject them."""
    text = '{"name": "Antrag\tder\nFraktion"}'
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    assert parse_json_lenient(text) == {"name": "Antrag\tder\nFraktion"}


def test_truncated_json_still_fails() -> None:
    """Leniency covers control characters only: a cut-off answer must fail (and be retried)."""
    with pytest.raises(ValueError):
        parse_json_lenient('{"name": "Antr')


def test_repair_reaches_embedded_objects() -> None:
    """An adapter repairs the files and consultations embedded in a paper, with their types."""
    paper: dict[str, Any] = {
        "id": "p",
        "web": "N/A",
        "mainFile": {"id": "f", "mimeType": "pdf", "size": 0, "downloadUrl": ""},
        "consultation": [{"id": "c", "organization": "https://x/org"}],
    }
    GENERIC.repair(paper, "Paper", "1.0")
    assert "web" not in paper
    assert paper["mainFile"] == {
        "id": "f",
        "mimeType": "application/pdf",
        "type": "https://schema.oparl.org/1.0/File",
    }
    assert paper["consultation"][0]["organization"] == ["https://x/org"]


def _system(name: str) -> dict[str, object]:
    folder = shared_path("data", "oparl-mst-fixtures", "historical-bb943e0", "testdata", "systems")
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("system", "adapter"),
    [
        ("Stadt Leipzig", ALLRIS),
        ("Stadt Erkelenz", ALLRIS),
        ("Landkreis Märkisch-Oderland", ALLRIS),
        ("Gemeinde Hürtgenwald", SDNET),
        ("Stadt Krefeld", SDNET),
    ],
)
def test_adapter_is_chosen_by_the_real_system_objects_vendor(system: str, adapter: object) -> None:
    assert select_adapter(_system(system)) is adapter


def test_unknown_and_sessionnet_vendors_get_their_adapters() -> None:
    assert select_adapter({"vendor": "https://example.org", "product": "Ratsinfo 3000"}) is GENERIC
    assert select_adapter({"vendor": "https://www.somacos.de", "product": "SessionNet"}) is SESSIONNET
    # Only SD.NET reads a 404 on a list as "no entries"; only ALLRIS retries its spurious 500s more.
    assert SDNET.empty_list_on_404 and not ALLRIS.empty_list_on_404 and not GENERIC.empty_list_on_404
    assert ALLRIS.extra_retries_on_500 > GENERIC.extra_retries_on_500 == 0


def test_schema_version_of_real_systems() -> None:
    assert schema_version(_system("Stadt Leipzig")) == "1.0"
    spec = shared_path("data", "oparl-spec", "examples")
    system_files = sorted(Path(spec).rglob("System*.json"))
    if not system_files:
        pytest.skip("no System example in the OParl 1.1 spec folder")
    assert schema_version(json.loads(system_files[0].read_text(encoding="utf-8"))) == "1.1"


def test_real_allris_leipzig_paper_is_repaired_without_losing_fields() -> None:
    path = shared_path("data", "allris-leipzig", "at-92f30eb", "spec", "fixtures", "oparl-paper.json")
    paper = json.loads(path.read_text(encoding="utf-8"))
    before = json.dumps(paper, sort_keys=True)
    ALLRIS.repair(paper, "Paper", "1.0")
    # A clean paper stays as it was, apart from types inferred for embedded objects.
    assert paper["reference"] == "VII-P-00651"
    assert paper["mainFile"]["accessUrl"].startswith("https://ratsinfo.leipzig.de/")
    assert paper["mainFile"]["size"] == 199412
    assert paper["consultation"][0]["organization"] == [
        "https://ratsinfo.leipzig.de/bi/oparl/1.0/organizations.asp?typ=gr&id=2346"
    ]
    assert json.dumps(paper, sort_keys=True) == before
