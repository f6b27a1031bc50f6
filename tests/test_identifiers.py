"""Identifiers are found: reference numbers, codes, TOP numbers and dates are BM25 tokens of their
own, a query naming a visible document's reference ranks it first, and a query that is nothing but
a reference opens that paper (service, API, CLI; the UI in test_ui_client.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from assistant.access import LOCAL_OPERATOR, Principal
from assistant.api.app import create_app
from assistant.audit import AuditLog
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.indexing.oparl_sync import OParlSync
from assistant.service import AssistantService, Caller
from assistant.service.opening import reference_only
from assistant.services import Services, build_services
from ingest.text.identifiers import identifiers, reference_candidates
from ingest.text.words import search_terms
from tests.conftest import SHARED
from tests.oparl_server import OParlTestServer, karlsruhe
from tests.servers import serve_in_thread

OUTSIDER = Principal(name="bernd", groups=frozenset({"fraktion-spd"}))
MEMBER = Principal(name="anna", groups=frozenset({"fraktion-gruen"}))
SECRET = "FG/2025/001"  # restricted to fraktion-gruen in the sample corpus
PUBLIC = "A/2025/014"


def test_every_reference_shape_of_the_data_is_one_token_beside_its_parts() -> None:
    shapes = [
        "2025/0190", "2024/1329/3", "A0078/25", "VIII/2025/00836", "AT/0047/2025", "A/2025/014",
        "DHH/2025/6612", "21-01234", "Prüfmarke-Quendel-01",
    ]  # fmt: skip
    for shape in shapes:
        terms = search_terms(f"Drucksache {shape}, siehe dort.")
        assert shape.lower() in terms, shape
        assert len(terms) > 2, shape  # the parts stay searchable too
    assert identifiers("am 25.11.2025 und am 5.3.2025 (2025-03-05)") == [
        "2025-11-25",
        "2025-03-05",
        "2025-03-05",
    ]
    assert identifiers("TOP 5, TOP Ö 3.1 und Tagesordnungspunkt 12") == [
        "3.1", "top 5", "top 3.1", "top 12", "ö 3.1",
    ]  # fmt: skip
    assert identifiers("und/oder z.B. die Sitzung") == []  # no digit: words, not identifiers
    assert "baden-württemberg" in identifiers("in Baden-Württemberg")


def test_a_bare_reference_is_told_from_a_question_that_mentions_one() -> None:
    for query in (
        "2025/0190",
        " Drucksache 2025/0190 ",
        "Vorlage Nr. 2025/0190",
        "Drucksachen-Nr.: 2025/0190?",
    ):
        assert reference_only(query) == "2025/0190", query
    assert reference_only("80/2019 2. Ergänzung") == "80/2019 2. ergänzung"
    for query in ("Was steht in 2025/0190?", "Haushalt 2025/0190", "2025/0190 Radweg"):
        assert reference_only(query) != "2025/0190", query  # more than a reference: a search
    for query in ("Drucksache", "Radweg", "Nr. 5"):
        assert reference_only(query) == "", query  # no reference at all
    assert "2025/0190" in reference_candidates("Was beschließt (Drucksache 2025/0190)?")


def test_a_unique_code_finds_its_one_document_among_twenty_near_twins(
    make_services: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "codes"
    folder.mkdir()
    for number in range(1, 21):
        code = (number % 20) + 1  # not the file's own number: nothing but the code can tell them apart
        # The parts "01" and "08" stand in every text, some more often, as in real documents.
        attachments = ", ".join(["01", "08"] * (number % 5 + 1))
        (folder / f"vermerk-{number:02d}.txt").write_text(
            f"Vermerk {number} zur Prüfung der Kassenbelege\n\nDie Prüfung der Belege ist abgeschlossen. "
            f"Die Belege tragen die Prüfmarke-Quendel-{code:02d} als Nachweis der Prüfung und wurden im "
            f"Archiv des Rechnungsprüfungsamts abgelegt. Anlagen: {attachments}.",
            encoding="utf-8",
        )
    services = make_services()
    assert services.ingestor.ingest([str(folder)]).added == 20
    for code, holder in (
        ("Prüfmarke-Quendel-01", "vermerk-20.txt"),
        ("Prüfmarke-Quendel-08", "vermerk-07.txt"),
    ):
        found = services.service.search(Caller(LOCAL_OPERATOR, "cli"), code, k=5).results
        assert found and Path(found[0].source).name == holder, (code, [Path(h.source).name for h in found])


def test_a_bm25_index_of_the_old_tokenisation_is_rebuilt_not_misread(
    make_services: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Vermerk\n\nDie Belege tragen die Prüfmarke-Quendel-01.", encoding="utf-8")
    (folder / "b.txt").write_text("Vermerk\n\nDie Belege tragen die Prüfmarke-Quendel-08.", encoding="utf-8")
    services = make_services()
    services.ingestor.ingest([str(folder)])
    saved = services.settings.bm25_dir / (services.settings.bm25_dir / "CURRENT").read_text().strip()
    # What an index and a build record of the previous version look like: no tokenisation named.
    (saved / "terms.json").unlink()
    record = json.loads(services.store.catalog.get_meta("build") or "{}")
    services.store.catalog.set_meta(
        "build", json.dumps({k: v for k, v in record.items() if k != "search_terms"})
    )
    services.close()

    reopened = make_services()
    assert not reopened.store.check().bm25_current  # not taken for current ...
    assert json.loads(reopened.store.catalog.get_meta("build") or "{}")["search_terms"] >= 2
    assert reopened.store.bm25().idf("prüfmarke-quendel-01") is not None  # ... but rebuilt
    assert reopened.store.check().bm25_current and (saved / "terms.json").is_file()


@pytest.fixture()
def service(sample_services: Services, tmp_path: Path) -> AssistantService:
    audited: AssistantService = sample_services.service.audited_by(AuditLog(tmp_path / "audit.sqlite3"))
    return audited


def test_a_restricted_reference_neither_ranks_nor_opens_for_another_group(
    service: AssistantService, tmp_path: Path
) -> None:
    secret = next(doc for doc in service.visible_documents(MEMBER) if doc.reference == SECRET)
    for query in (SECRET, f"Drucksache {SECRET}", f"Was steht in {SECRET}?"):
        member = service.search(Caller(MEMBER, "cli"), query, k=5)
        assert member.results[0].doc_id == secret.doc_id, query
        outsider = service.search(Caller(OUTSIDER, "cli"), query, k=5)
        assert secret.doc_id not in {hit.doc_id for hit in outsider.results}, query
        assert outsider.opened is None
        asked = service.ask(Caller(OUTSIDER, "cli"), query)
        assert asked.opened is None and secret.doc_id not in {c.doc_id for c in asked.citations}
        assert secret.title not in asked.model_dump_json()
    assert service.search(Caller(MEMBER, "cli"), f"Drucksache {SECRET}").opened.doc_id == secret.doc_id
    opened_for_outsider = [r for r in AuditLog(tmp_path / "audit.sqlite3").records() if r.user == "bernd"]
    assert opened_for_outsider and all(secret.doc_id not in r.returned for r in opened_for_outsider)


def test_ask_with_a_reference_ranks_the_paper_first_and_a_bare_one_opens_it(
    service: AssistantService,
) -> None:
    paper = next(doc for doc in service.visible_documents(OUTSIDER) if doc.reference == PUBLIC)
    stream = service.stream(Caller(OUTSIDER, "cli"), f"Worum geht es in {PUBLIC}?")
    assert stream.passages[0].document.doc_id == paper.doc_id
    events = list(stream)
    assert events[0]["event"] == "citations" and events[0]["opened"] is None
    bare = list(service.stream(Caller(OUTSIDER, "api"), f"Vorlage {PUBLIC}"))
    assert bare[0]["opened"]["doc_id"] == paper.doc_id
    assert bare[-1]["event"] == "done" and bare[-1]["response"]["opened"]["reference"] == PUBLIC
    assert service.ask(Caller(OUTSIDER, "cli"), PUBLIC.lower()).opened.doc_id == paper.doc_id
    assert service.search(Caller(OUTSIDER, "cli"), "A/2099/999").opened is None  # unknown: just a search


# -- the API and the CLI -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(sample_services: Services) -> Iterator[httpx.Client]:
    """The API as a user without groups (public documents only)."""
    token = UserStore(sample_services.settings.users_path).add("identifier-test")[1]
    app = create_app(sample_services.settings, services=sample_services)
    headers = {"Authorization": f"Bearer {token}"}
    with serve_in_thread(app) as url, httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        yield client


def test_the_api_opens_a_bare_reference_and_keeps_a_restricted_one_hidden(api: httpx.Client) -> None:
    found = api.post("/api/v1/search", json={"query": f"Drucksache {PUBLIC}"}).json()
    assert found["opened"]["reference"] == PUBLIC
    assert found["results"][0]["doc_id"] == found["opened"]["doc_id"]
    assert api.get(f"/api/v1/documents/{found['opened']['doc_id']}").status_code == 200
    asked = api.post("/api/v1/ask", json={"question": PUBLIC}).json()
    assert asked["opened"]["doc_id"] == found["opened"]["doc_id"]
    hidden = api.post("/api/v1/search", json={"query": SECRET}).json()
    assert hidden["opened"] is None and all(hit["reference"] != SECRET for hit in hidden["results"])
    assert api.post("/api/v1/search", json={"query": "Radweg"}).json()["opened"] is None


def test_ratsinfo_search_with_a_bare_reference_shows_the_paper_first_and_says_so(
    sample_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.cli import app

    monkeypatch.setenv("RATSINFO_DATA_DIR", str(sample_services.settings.data_dir))
    monkeypatch.delenv("RATSINFO_EMBED_MODEL")  # the store's recorded model (the default), not hashing
    result = CliRunner().invoke(app, ["search", PUBLIC, "-k", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Drucksache {PUBLIC} geöffnet: ")
    assert f"{PUBLIC} · " in lines[3]  # the first result's metadata line
    UserStore(sample_services.settings.users_path).add("cli-outsider", ["fraktion-spd"])
    hidden = CliRunner().invoke(app, ["search", f"Nr. {SECRET}", "--user", "cli-outsider", "--json"])
    as_json = json.loads(hidden.stdout)
    assert as_json["opened"] is None and all(hit["reference"] != SECRET for hit in as_json["results"])


# -- 120 real Karlsruhe papers crawled through OParl ------------------------------------------------


@pytest.fixture(scope="module")
def karlsruhe_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The first 120 Karlsruhe papers (18 of them deleted) crawled from a real OParl server."""
    data = tmp_path_factory.mktemp("karlsruhe-120") / "data"
    services = build_services(Settings(data_dir=data, oparl_rate_per_second=2000))
    server = OParlTestServer(karlsruhe(SHARED, limit=120))
    with server.running():
        sync = OParlSync(services.ingestor, services.store, services.settings, backoff_s=0.01)
        try:
            sync.ingest([server.system_url])
        finally:
            sync.close()
    yield services
    services.close()


def test_every_crawled_karlsruhe_paper_is_found_first_by_its_reference(karlsruhe_services: Services) -> None:
    papers = [doc for doc in karlsruhe_services.store.documents().values() if doc.reference]
    assert len(papers) == 102  # the live papers of the first 120
    service, caller = karlsruhe_services.service, Caller(LOCAL_OPERATOR, "cli")
    missed = []
    for paper in papers:
        bare = service.search(caller, paper.reference, k=5)
        question = service.search(
            caller, f"Was beschließt der Gemeinderat zur Vorlage {paper.reference}?", k=5
        )
        if (
            bare.results[0].doc_id != paper.doc_id
            or bare.opened is None
            or bare.opened.doc_id != paper.doc_id
            or question.results[0].doc_id != paper.doc_id
            or question.opened is not None
        ):
            missed.append(paper.reference)
    assert missed == []
