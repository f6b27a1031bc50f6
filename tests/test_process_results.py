"""The result normaliser over every distinct result the real Karlsruhe and Hürtgenwald data hold,
and its rules on wordings of our own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.process.results import OUTCOMES, normalize_result
from ingest.process.state import paper_state
from ingest.process.vote_tables import read_table
from tests.conftest import shared_path
from tests.process_result_families import HUERTGENWALD, HUERTGENWALD_LONG, KARLSRUHE


def _karlsruhe_results(root: Path) -> Iterator[str]:
    for path in (root / "meetings").glob("*.json"):
        for item in json.loads(path.read_text(encoding="utf-8")).get("agendaItem", []):
            if item.get("result"):
                yield item["result"]


def _huertgenwald_results(root: Path) -> Iterator[str]:
    for path in (root / "body" / "1").glob("meeting*.json"):
        for meeting in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for item in meeting.get("agendaItem") or []:
                if isinstance(item, dict) and item.get("result") is not None:
                    yield item["result"]


def _expected(wording: str) -> str:
    if wording in HUERTGENWALD:
        return HUERTGENWALD[wording]
    return HUERTGENWALD_LONG[hashlib.sha256(wording.encode()).hexdigest()[:16]]


def test_every_karlsruhe_result_maps_to_the_family_a_reader_chooses() -> None:
    found = list(_karlsruhe_results(shared_path("data", "oparl-karlsruhe")))
    assert len(found) == 1767  # the agenda items with a result
    assert set(found) == set(KARLSRUHE), "a wording is missing from the list (or the data changed)"
    wrong = {wording: normalize_result(wording) for wording in KARLSRUHE}
    wrong = {w: got for w, got in wrong.items() if got != KARLSRUHE[w]}
    assert wrong == {}


def test_every_huertgenwald_result_maps_to_the_family_a_reader_chooses() -> None:
    found = set(_huertgenwald_results(shared_path("data", "oparl-huertgenwald")))
    listed = set(HUERTGENWALD) | {
        w for w in found if hashlib.sha256(w.encode()).hexdigest()[:16] in HUERTGENWALD_LONG
    }
    assert found == listed and len(HUERTGENWALD) + len(HUERTGENWALD_LONG) == len(found)
    wrong = {
        w[:80]: (normalize_result(w), _expected(w)) for w in found if normalize_result(w) != _expected(w)
    }
    assert wrong == {}


def test_outcomes_are_a_small_closed_set_and_nothing_is_guessed() -> None:
    assert len(OUTCOMES) == 13
    assert normalize_result(None) == normalize_result("") == normalize_result("   ") == ""
    for wording in ("siehe Anlage 3", "Der Punkt wurde besprochen.", "42", "Beschlussvorlage"):
        assert normalize_result(wording) == "unbekannt", wording


@pytest.mark.parametrize(
    ("wording", "outcome"),
    [
        ("ungeändert beschlossen", "angenommen"),  # ALLRIS Beschlussarten
        ("geändert beschlossen", "geändert angenommen"),
        ("mit Änderungen beschlossen", "geändert angenommen"),
        ("ohne Votum", "ohne Abstimmung"),
        ("überwiesen an den Bauausschuss", "verwiesen"),
        ("zurückgestellt", "vertagt"),
        ("7 Ja-Stimmen, 7 Nein-Stimmen", "abgelehnt"),  # a tie rejects
        ("a) einstimmig b) 3 Ja-Stimmen, 9 Nein-Stimmen", "teilweise angenommen"),
        ("Der Antrag wird mehrheitlich abgelehnt. Darüber hinaus einstimmig beschlossen: …", "abgelehnt"),
        ("Alternative 1: 6 Ja-Stimmen, 2 Nein-Stimmen; Alternative 2: 2 Ja-Stimmen", "unbekannt"),
    ],
)
def test_rules_on_wordings_of_our_own(wording: str, outcome: str) -> None:
    assert normalize_result(wording) == outcome


def test_a_vote_table_is_read_only_when_every_consistent_reading_agrees() -> None:
    # Rows 1+9+6+3+3+2+1 = 25 members: "2410" can only be 24-1-0.
    assert read_table("BM1CDU81SPD6Grüne3FFH3FDP2Hr. X1", "2410") is True
    assert read_table("BM100CDU1400SPD500FDP030Grüne020Hr. Y010", "2060") is True  # 20-6-0
    assert read_table("BM1CDU12SPD6Grüne12FFH3FDP2Hr. X1", "7138") is False  # 7-13-8
    # "214" with rows adding up to 16 or 25: 2-14 rejects, 21-4 adopts; not read.
    assert read_table("BM1CDU13SPD4Grüne3FFH2FDP2Hr. X", "214") is None


class _Step:
    def __init__(self, day: str | None, body: str, result: str = "", cancelled: bool = False) -> None:
        from datetime import date

        self.day = date.fromisoformat(day) if day else None
        self.bodies = (body,)
        self.result = result
        self.outcome = normalize_result(result)
        self.meeting_cancelled = cancelled


def test_the_state_of_a_paper_says_only_what_its_consultations_hold() -> None:
    from datetime import date

    today = date(2025, 12, 1)
    assert paper_state([], today).text == "noch nicht beraten"
    referred = [_Step("2025-04-29", "Gemeinderat", "verwiesen in Fachausschuss")]
    assert paper_state(referred, today).text == (
        "verwiesen am 29.04.2025 im Gemeinderat; keine weitere Beratung bekannt"
    )
    settled = [*referred, _Step("2025-07-25", "Kulturausschuss", "erledigt")]
    assert paper_state(settled, today).text == "erledigt am 25.07.2025 im Kulturausschuss"
    coming = [
        _Step("2025-11-04", "Kulturausschuss", "vorberaten ohne Änderungen"),
        _Step("2025-12-09", "Gemeinderat"),
    ]
    state = paper_state(coming, today)
    assert (state.kind, state.text) == (
        "offen",
        "offen: nächste Beratung am 09.12.2025 im Gemeinderat; "
        "zuletzt vorberaten am 04.11.2025 im Kulturausschuss",
    )
    assert paper_state([_Step("2025-11-25", "Gemeinderat", "einstimmig beschlossen")], today).text == (
        "beschlossen am 25.11.2025 im Gemeinderat"
    )
    assert paper_state([_Step("2025-10-01", "Bezirksversammlung", "")], today).text == (
        "beraten am 01.10.2025 in der Bezirksversammlung, kein Ergebnis bekannt"
    )
    unclear = paper_state([_Step("2019-03-12", "Rat", "JaNeinEnthaltungBM1CDU13Gesamt214")], today)
    assert unclear.kind == "unklar" and "„JaNeinEnthaltung" in unclear.text
