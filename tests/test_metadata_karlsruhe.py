"""Accuracy of ingest.metadata over all Karlsruhe main files, against the city's OParl records.

The OParl records were entered by the council office independently of the PDFs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ingest.metadata import normalize_paper_type, parse_metadata
from ingest.records import CouncilMetadata

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
KARLSRUHE = SHARED / "data" / "oparl-karlsruhe"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data folder {SHARED} is absent")


def _karlsruhe_text(file_id: str) -> str:
    return (KARLSRUHE / "file-contents" / f"{file_id}.txt").read_text(encoding="utf-8")


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
        (c.file_id, c.paper["paperType"], c.meta.paper_family)
        for c in compared
        if c.meta.paper_family != normalize_paper_type(str(c.paper["paperType"]))
    ]
    accuracy = 1 - _rate(len(misses), len(compared))
    print(f"paper family: {accuracy:.3f} of {len(compared)} (Haushalt THH and Offenlage left out)")
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
