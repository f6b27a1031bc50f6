"""The Beratungsfolge of documents read from folders: an ALLRIS vo020 page and a paper whose text
states it. Kept as consultations keyed by the document, bodies and dates as stated; a result
only where the page states one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from assistant.access import LOCAL_OPERATOR
from assistant.audit import AuditLog
from assistant.models import SearchFilters
from assistant.service import AuditRecorder, Caller, ProcessService
from assistant.services import Services
from tests.conftest import shared_path

OPERATOR = Caller(LOCAL_OPERATOR, "cli")


def _process(services: Services, today: date) -> ProcessService:
    """The service of ``services`` with a fixed today (the state depends on it)."""
    recorder = AuditRecorder(lambda: AuditLog(services.settings.audit_path))
    return ProcessService(services.store, services.retriever, recorder, today=lambda: today)


def test_an_allris_vo020_page_keeps_its_beratungsfolge_and_the_result_it_states(
    tmp_path: Path, make_services: Callable[..., Services]
) -> None:
    page = shared_path("data", "allris-html-hamburg", "test", "fixtures", "files", "allris", "eimsbuettel")
    html = (page / "vo020.html").read_bytes()
    # The real page was saved before its sessions; give the first one the Beschlussart ALLRIS shows.
    first_result_cell = b'<td class="text3">&nbsp;</td>'
    assert html.count(first_result_cell) >= 2
    decided = html.replace(
        first_result_cell, '<td class="text3">ungeändert beschlossen</td>'.encode("latin-1"), 1
    )
    folder = tmp_path / "allris"
    folder.mkdir()
    (folder / "vo020.html").write_bytes(decided)
    services = make_services()
    assert not services.ingestor.ingest([str(folder)]).failed
    history = _process(services, date(2026, 8, 1)).history(OPERATOR, "22-2368")
    assert [(s.date, s.body, s.role, s.result, s.outcome) for s in history.steps] == [
        (date(2026, 7, 23), "Hauptausschuss", "Kenntnisnahme", "ungeändert beschlossen", "angenommen"),
        (date(2026, 8, 31), "Regionalausschuss Lokstedt/Niendorf/Schnelsen", "Kenntnisnahme", "", ""),
        (None, "Bezirksversammlung", "Kenntnisnahme", "", ""),
    ]
    assert history.state.text == (
        "offen: nächste Beratung am 31.08.2026 im Regionalausschuss Lokstedt/Niendorf/Schnelsen; "
        "zuletzt beschlossen am 23.07.2026 im Hauptausschuss"
    )
    assert all(step.meeting_id == "" and step.minutes is None for step in history.steps)


def test_a_paper_whose_text_states_its_beratungsfolge_has_a_history_without_invented_results(
    sample_services: Services,
) -> None:
    process = _process(sample_services, date(2026, 1, 15))
    history = process.history(OPERATOR, "BV/2025/037")
    assert [(s.date, s.body, s.role, s.public) for s in history.steps] == [
        (date(2025, 7, 1), "Ausschuss für Umwelt und Klimaschutz", "Vorberatung", True),
        (date(2025, 7, 3), "Bau- und Verkehrsausschuss", "Vorberatung", True),
        (date(2025, 7, 15), "Stadtrat", "Entscheidung", True),
    ]
    assert all(step.result == step.outcome == "" for step in history.steps)
    assert history.state.kind == "ohne Ergebnis"
    assert history.state.text == "beraten am 15.07.2025 im Stadtrat, kein Ergebnis bekannt"
    early = _process(sample_services, date(2025, 7, 2)).history(OPERATOR, "BV/2025/037")
    assert early.state.text == "offen: nächste Beratung am 03.07.2025 im Bau- und Verkehrsausschuss"
    listed = process.papers(OPERATOR, SearchFilters(body="Umwelt und Klimaschutz"), per_page=200)
    assert "BV/2025/037" in {row.reference for row in listed.papers}
    assert all(any("Umwelt und Klimaschutz" in body for body in row.bodies) for row in listed.papers)
    assert process.papers(OPERATOR, SearchFilters(result="angenommen")).total == 0  # none is stated
