"""The council process of the whole Karlsruhe data (OParl 1.1) through the real test server.

The session's one full crawl (tests/karlsruhe_crawl.py, about two minutes): every history is
compared with the JSON the server holds, linked papers appear on both sides, lists, meetings,
CLI and API shapes. Tests that change the server's data run on a small subset in
test_process_sync.py.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from assistant.access import LOCAL_OPERATOR
from assistant.api.app import create_app
from assistant.auth.users import UserStore
from assistant.cli import app as cli_app
from assistant.models import SearchFilters
from assistant.service import Caller, history_text
from assistant.store.process_views import ProcessViews
from ingest.metadata import normalize_paper_type
from ingest.process.results import normalize_result
from tests.karlsruhe_crawl import Crawled
from tests.oparl_server import Json
from tests.servers import serve_in_thread

pytestmark = pytest.mark.slow
OPERATOR = Caller(LOCAL_OPERATOR, "cli")


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


@pytest.fixture(scope="module")
def crawled(karlsruhe_crawl: Crawled) -> Crawled:
    """The whole Karlsruhe crawl, made once per test session (tests/karlsruhe_crawl.py)."""
    return karlsruhe_crawl


def _expected_steps(crawled: Crawled, paper: Json) -> list[tuple[Any, ...]]:
    """(date, bodies, role, TOP, title, result) of each consultation as the JSON holds it, by date."""
    organizations = {o["id"]: o["name"] for o in crawled.objects.values() if "/organizations/" in o["id"]}
    items = crawled.items()
    rows, seen = [], set()
    for position, consultation in enumerate(paper.get("consultation", [])):
        if consultation["id"] in seen:
            continue  # Karlsruhe lists one consultation twice
        seen.add(consultation["id"])
        meeting = crawled.objects.get(consultation.get("meeting", ""))
        item = items.get(consultation.get("agendaItem", ""), {})
        day = date.fromisoformat(meeting["start"][:10]) if meeting else None
        bodies = "; ".join(dict.fromkeys(organizations[o] for o in consultation.get("organization", [])))
        row = (day, bodies, consultation.get("role", ""), _text(item.get("number")), _text(item.get("name")))
        rows.append(((day or date.max, position), (*row, _text(item.get("result")))))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def test_every_history_lists_its_consultations_in_order_with_the_results_the_server_holds(
    crawled: Crawled,
) -> None:
    process = crawled.services.process
    papers = [paper for paper in crawled.live_papers() if paper.get("consultation")]
    assert len(papers) == 1470
    compared = results = 0
    for paper in papers:
        history = process.history(OPERATOR, crawled.doc(paper))
        got = [(s.date, s.body, s.role, s.agenda_item, s.agenda_item_title, s.result) for s in history.steps]
        assert got == _expected_steps(crawled, paper), paper["reference"]
        assert all(s.outcome == normalize_result(s.result) for s in history.steps)
        assert history.reference == paper["reference"] and history.paper_type == paper["paperType"]
        compared += len(got)
        results += sum(1 for s in history.steps if s.result)
    assert (compared, results) == (1762, 1508)  # 1,763 listed, one of them twice


def test_the_process_tables_hold_what_the_json_holds(crawled: Crawled) -> None:
    counts = ProcessViews(crawled.services.store.catalog).counts()
    items = crawled.items()
    links = sum(
        len(p.get(k, [])) for p in crawled.live_papers() for k in ("superordinatedPaper", "subordinatedPaper")
    )
    assert counts == {
        "organizations": 97,
        "papers": 1470,
        "consultations": 1762,
        "links": links,
        "meetings": 344,
        "agenda_items": len(items),
    }
    assert len(items) == 2498 and sum(1 for item in items.values() if item.get("result")) == 1767
    print(f"\nKarlsruhe process: {counts}, crawl {crawled.seconds:.1f} s")


def test_linked_papers_appear_on_both_sides(crawled: Crawled) -> None:
    process = crawled.services.process
    live = {paper["id"]: paper for paper in crawled.live_papers()}
    checked = 0
    for paper in live.values():
        for field_name, relation, inverse in (
            ("superordinatedPaper", "übergeordnet", "untergeordnet"),
            ("subordinatedPaper", "untergeordnet", "übergeordnet"),
        ):
            for other_id in paper.get(field_name, []):
                if other_id not in live:
                    continue
                other = live[other_id]
                mine = process.history(OPERATOR, crawled.doc(paper)).linked
                theirs = process.history(OPERATOR, crawled.doc(other)).linked
                assert (crawled.doc(other), relation) in {(p.doc_id, p.relation) for p in mine}
                assert (crawled.doc(paper), inverse) in {(p.doc_id, p.relation) for p in theirs}
                checked += 1
    assert checked > 150


def test_the_seebuehne_example_of_the_issue(crawled: Crawled) -> None:
    process = crawled.services.process
    amendment = process.history(OPERATOR, "2024/0884/2")
    assert [(s.date, s.body, s.outcome) for s in amendment.steps] == [
        (date(2025, 4, 29), "Gemeinderat", "verwiesen"),
        (date(2025, 7, 25), "Kulturausschuss", "erledigt"),
    ]
    assert amendment.state.text == "erledigt am 25.07.2025 im Kulturausschuss"
    concept = process.history(OPERATOR, "2024/0884/3")
    assert concept.state.text == "beschlossen am 25.11.2025 im Gemeinderat"
    assert concept.steps[0].date == date(2025, 11, 4) and concept.steps[-1].result == "einstimmig beschlossen"
    text = history_text(concept)  # the history as a source for answers
    assert "Stand: beschlossen am 25.11.2025 im Gemeinderat" in text
    assert "25.11.2025, im Gemeinderat, Entscheidung, TOP 5" in text
    minutes = concept.steps[-1].minutes
    assert minutes is not None and "Konzept zur Bespielung der Seebühne" in " ".join(minutes.text.split())
    page = crawled.services.store.catalog.pages(minutes.doc_id)[minutes.page - 1]
    assert page.text[minutes.start : minutes.end] == minutes.text


def test_minutes_are_cited_where_the_protocol_is_indexed(crawled: Crawled) -> None:
    process = crawled.services.process
    views = ProcessViews(crawled.services.store.catalog)
    with_protocol = found = 0
    for paper in crawled.live_papers():
        for step in process.history(OPERATOR, crawled.doc(paper)).steps:
            meeting = views.meeting(step.meeting_id) if step.meeting_id else None
            if meeting is None or not meeting.results_protocol_doc or not step.agenda_item_title:
                continue
            with_protocol += 1
            if step.minutes is not None:
                found += 1
                assert step.minutes.doc_id == meeting.results_protocol_doc
                assert f"TOP {step.agenda_item}" in step.minutes.text
    assert with_protocol > 100 and found >= 0.9 * with_protocol, (found, with_protocol)


def test_lists_antraege_of_a_year_that_were_rejected_exactly_from_data(crawled: Crawled) -> None:
    filters = SearchFilters(
        paper_types=("Antrag",), date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), result="abgelehnt"
    )
    listed = crawled.services.process.papers(OPERATOR, filters, per_page=200)
    documents = crawled.services.store.documents()
    expected = set()
    for paper in crawled.live_papers():
        document = documents[crawled.doc(paper)]
        if document.paper_type != "Antrag" or not (date(2025, 1, 1) <= document.date <= date(2025, 12, 31)):
            continue
        results = [row[-1] for row in _expected_steps(crawled, paper) if row[-1]]
        if results and normalize_result(results[-1]) == "abgelehnt":
            expected.add(paper["reference"])
    assert expected and {row.reference for row in listed.papers} == expected
    assert listed.total == len(expected) and listed.facets.results[0].value == "abgelehnt"
    every = crawled.services.process.papers(OPERATOR, SearchFilters(), per_page=1)
    assert every.total == 1470 and sum(f.count for f in every.facets.results) < 1470
    assert normalize_paper_type("Änderungs-/Ergänzungsantrag") == "Änderungsantrag"


def test_meetings_and_agendas_are_those_of_the_json(crawled: Crawled) -> None:
    process = crawled.services.process
    council = next(o for o in crawled.objects.values() if o.get("name") == "Gemeinderat")
    expected = [
        m
        for m in crawled.meetings()
        if council["id"] in m["organization"] and "2025-01-01" <= m["start"][:10] <= "2025-12-31"
    ]
    listed = process.meetings(OPERATOR, "Gemeinderat", date(2025, 1, 1), date(2025, 12, 31))
    assert [m.start[:10] for m in listed.meetings if m.bodies == ["Gemeinderat"]] == sorted(
        m["start"][:10] for m in expected
    )
    meeting_json = max(expected, key=lambda m: len(m.get("agendaItem", [])))
    key = next(
        m.meeting_id
        for m in listed.meetings
        if m.start == meeting_json["start"] and m.bodies == ["Gemeinderat"]
    )
    agenda = process.meeting(OPERATOR, key).agenda
    items = sorted(meeting_json["agendaItem"], key=lambda item: item["order"])
    assert [(a.number, a.title, a.result) for a in agenda] == [
        (_text(i["number"]), _text(i["name"]), _text(i.get("result"))) for i in items
    ]
    papers = {c["id"]: p for p in crawled.live_papers() for c in p.get("consultation", [])}
    for item, out in zip(items, agenda, strict=True):
        paper = papers.get(item.get("consultation", ""))
        assert (out.paper.reference if out.paper else None) == (paper["reference"] if paper else None)


def test_related_papers_are_earlier_and_exclude_the_paper_and_its_links(crawled: Crawled) -> None:
    found = crawled.services.process.related(OPERATOR, "2024/0884/3", k=10)
    concept = crawled.services.store.documents()[found.doc_id]
    assert found.related and all(r.date is not None and r.date < concept.date for r in found.related)
    assert found.doc_id not in {r.doc_id for r in found.related}
    assert {"2024/0884/1", "2024/0884/2"} & {r.reference for r in found.related}  # the same subject
    assert [r.score for r in found.related] == sorted((r.score for r in found.related), reverse=True)


def test_cli_shapes(crawled: Crawled) -> None:
    env = {"RATSINFO_DATA_DIR": str(crawled.services.settings.data_dir)}

    def run(*args: str) -> Any:
        result = CliRunner().invoke(cli_app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    history = json.loads(run("history", "2024/0884/3", "--json"))
    assert history["state"]["text"] == "beschlossen am 25.11.2025 im Gemeinderat"
    assert history["steps"][-1].keys() >= {
        "date",
        "body",
        "role",
        "agenda_item",
        "result",
        "outcome",
        "minutes",
    }
    listed = json.loads(
        run("papers", "--type", "Antrag", "--result", "abgelehnt", "--json", "--per-page", "5")
    )
    assert listed["total"] > 5 and len(listed["papers"]) == 5
    meetings = json.loads(run("meetings", "--body", "Kulturausschuss", "--from", "2025-07-01", "--json"))
    agenda = json.loads(run("agenda", meetings["meetings"][0]["meeting_id"], "--json"))
    assert agenda["agenda"] and agenda["bodies"] == ["Kulturausschuss"]
    csv_text = run("papers", "--result", "zurückgezogen", "--csv", "-")
    assert csv_text.splitlines()[0].startswith("Aktenzeichen;Titel;Art")
    assert (
        len(csv_text.splitlines())
        == 1 + json.loads(run("papers", "--result", "zurückgezogen", "--json"))["total"]
    )
    assert "Frühere Vorlagen" in run("related", "2024/0884/3", "-k", "3")
    missing = CliRunner().invoke(cli_app, ["history", "1999/0000", "--json"], env=env)
    assert missing.exit_code == 4


def test_api_shapes_and_missing_papers(crawled: Crawled, tmp_path: Path) -> None:
    settings = crawled.services.settings
    token = UserStore(settings.users_path).add("karla")[1]
    headers = {"Authorization": f"Bearer {token}"}
    with serve_in_thread(create_app(settings, services=crawled.services, ui=False)) as base:
        history = httpx.get(f"{base}/api/v1/papers/2024/0884/3/history", headers=headers, timeout=30)
        assert history.status_code == 200 and history.json()["reference"] == "2024/0884/3"
        by_id = httpx.get(
            f"{base}/api/v1/papers/{history.json()['doc_id']}/history", headers=headers, timeout=30
        )
        assert by_id.json() == history.json()
        for wanted in ("1999/0000", "0" * 24):
            response = httpx.get(f"{base}/api/v1/papers/{wanted}/history", headers=headers, timeout=30)
            assert response.status_code == 404 and response.json() == {"detail": f"no paper {wanted!r}"}
        listed = httpx.get(
            f"{base}/api/v1/papers",
            params={"types": "Antrag", "result": "abgelehnt", "per_page": 3, "page": 2},
            headers=headers,
            timeout=30,
        ).json()
        assert listed["page"] == 2 and len(listed["papers"]) == 3 and listed["facets"]["results"]
        bad = httpx.get(f"{base}/api/v1/papers", params={"result": "vielleicht"}, headers=headers, timeout=30)
        assert bad.status_code == 422
        for not_a_date in ("0.0", "1700000000", "31.12.2025"):  # pydantic alone reads numbers as Unix time
            response = httpx.get(f"{base}/api/v1/papers", params={"date_from": not_a_date}, headers=headers)
            assert response.status_code == 422, not_a_date
        typo = httpx.get(f"{base}/api/v1/papers", params={"per_pag": 3}, headers=headers, timeout=30)
        assert typo.status_code == 422 and "per_pag" in typo.json()["detail"]  # not silently ignored
        csv_response = httpx.get(
            f"{base}/api/v1/papers.csv", params={"result": "vertagt"}, headers=headers, timeout=30
        )
        assert csv_response.headers["content-type"].startswith("text/csv")
        assert csv_response.content.startswith("\ufeffAktenzeichen".encode())
        meetings = httpx.get(
            f"{base}/api/v1/meetings", params={"body": "Gemeinderat"}, headers=headers, timeout=30
        )
        key = meetings.json()["meetings"][0]["meeting_id"]
        detail = httpx.get(f"{base}/api/v1/meetings/{key}", headers=headers, timeout=30).json()
        assert detail["agenda"][0].keys() >= {"number", "title", "public", "result", "outcome", "paper"}
        assert httpx.get(f"{base}/api/v1/meetings/{'f' * 24}", headers=headers, timeout=30).status_code == 404
        related = httpx.get(
            f"{base}/api/v1/papers/2024/0884/3/related", params={"k": 3}, headers=headers, timeout=30
        )
        assert related.status_code == 200 and len(related.json()["related"]) == 3
        search = httpx.post(
            f"{base}/api/v1/search",
            json={"query": "Seebühne", "result": "erledigt"},
            headers=headers,
            timeout=30,
        ).json()
        erledigt = crawled.services.process.outcome_documents(LOCAL_OPERATOR, "erledigt")
        assert search["results"] and {hit["doc_id"] for hit in search["results"]} <= erledigt
