"""Crawl and sync OParl sources through a real server into a real store (small real subsets).

The full Karlsruhe and Hürtgenwald crawls are in test_oparl_full.py (slow).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.access import LOCAL_OPERATOR
from assistant.config import Settings
from assistant.indexing import oparl_batches
from assistant.indexing.oparl_sync import OParlSync, SyncResult
from assistant.models import SearchFilters
from assistant.services import Services, build_services
from ingest.records import RawDocument
from ingest.sources.oparl.mapping import oparl_doc_id
from ingest.sources.oparl.state import SyncState
from tests.conftest import SHARED, shared_path
from tests.oparl_server import Dataset, Json, OParlTestServer, huertgenwald, karlsruhe

_WORD = re.compile(r"\b[A-Za-zÄÖÜäöüß]{9,}\b")


@dataclass
class Crawled:
    server: OParlTestServer
    services: Services
    sync: OParlSync
    first: SyncResult

    def papers(self) -> list[Json]:
        """The live papers the server lists."""
        data = self.server.data
        body = next(obj for obj in data.objects.values() if str(obj.get("type", "")).endswith("/Body"))
        return [data.objects[i] for i in data.lists[body["paper"]] if not data.objects[i].get("deleted")]

    def tombstones(self) -> list[Json]:
        data = self.server.data
        body = next(obj for obj in data.objects.values() if str(obj.get("type", "")).endswith("/Body"))
        return [data.objects[i] for i in data.lists[body["paper"]] if data.objects[i].get("deleted")]

    def doc(self, paper: Json) -> str:
        return oparl_doc_id(self.server.local(paper["id"]))

    def text(self, paper: Json) -> str:
        return "\n".join(page.text for page in self.services.store.catalog.pages(self.doc(paper)))

    def search(self, query: str, filters: SearchFilters | None = None) -> list[str]:
        passages = self.services.retriever.search(query, LOCAL_OPERATOR, filters, k=10)
        return [passage.document.doc_id for passage in passages]


def _settings(tmp_path: Path, timeout_s: float = 5) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", oparl_rate_per_second=2000, oparl_timeout_s=timeout_s, oparl_retries=3
    )


@contextmanager
def _crawled(
    tmp_path: Path, data: Dataset, timeout_s: float = 5, **server_faults: object
) -> Iterator[Crawled]:
    services = build_services(_settings(tmp_path, timeout_s))
    server = OParlTestServer(data)
    for name, value in server_faults.items():
        setattr(server.faults, name, value)
    with server.running():
        sync = OParlSync(services.ingestor, services.store, services.settings, backoff_s=0.01)
        try:
            first = sync.ingest([server.system_url])
            yield Crawled(server, services, sync, first)
        finally:
            sync.close()
            services.close()


@pytest.fixture
def karlsruhe_crawl(tmp_path: Path) -> Iterator[Crawled]:
    """A fresh crawl of a Karlsruhe subset, for tests that change the server or the store."""
    shared_path("data", "oparl-karlsruhe")
    with _crawled(tmp_path, karlsruhe(SHARED, limit=40, pdf_every=3)) as crawled:
        yield crawled


@pytest.fixture(scope="module")
def karlsruhe_read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """One crawl of the same subset shared by the tests that only look."""
    shared_path("data", "oparl-karlsruhe")
    with _crawled(tmp_path_factory.mktemp("oparl"), karlsruhe(SHARED, limit=40, pdf_every=3)) as crawled:
        yield crawled


def _pdf_only_file(crawled: Crawled) -> tuple[Json, Json, str]:
    """A paper, one of its files served only as a PDF, and that file's text."""
    for paper in crawled.papers():
        for file in paper.get("auxiliaryFile", []):
            source = crawled.server.data.files.get(file["accessUrl"])
            if "text" not in file and source and len(_WORD.findall(source.pages[0])) > 20:
                return paper, file, source.pages[0]
    raise AssertionError("the subset has no PDF-only file with text")


def test_first_crawl_ingests_every_live_paper_and_skips_tombstones(karlsruhe_read_only: Crawled) -> None:
    crawled = karlsruhe_read_only
    documents = crawled.services.store.documents()
    live, dead = crawled.papers(), crawled.tombstones()
    assert dead, "the subset should contain deleted papers"
    assert crawled.first.crawl.papers == len(live)
    assert all(crawled.doc(paper) in documents for paper in live)
    assert not any(crawled.doc(paper) in documents for paper in dead)
    meeting_files = sum(
        1
        for meeting_id in crawled.server.data.lists[
            next(iter(k for k in crawled.server.data.lists if k.endswith("/meetings")))
        ]
        for key in ("invitation", "resultsProtocol")
        if key in crawled.server.data.objects[meeting_id]
    )
    assert len(documents) == len(live) + meeting_files
    assert crawled.first.crawl.files_inline > 0 and crawled.first.crawl.files_downloaded > 0
    assert {doc.root for doc in documents.values()} == {crawled.server.system_url}


def test_paper_text_holds_inline_and_downloaded_file_texts(karlsruhe_read_only: Crawled) -> None:
    crawled = karlsruhe_read_only
    paper, _, pdf_text = _pdf_only_file(crawled)
    stored = crawled.text(paper)
    words = set(_WORD.findall(pdf_text)[:40])
    assert words and all(word in stored for word in words)
    inline = next(
        f
        for p in crawled.papers()
        for f in p.get("auxiliaryFile", [])
        if len(_WORD.findall(f.get("text", ""))) > 20
    )
    owner = next(p for p in crawled.papers() if inline in p.get("auxiliaryFile", []))
    assert all(word in crawled.text(owner) for word in _WORD.findall(inline["text"])[:40])


def test_paper_metadata_comes_from_the_api(karlsruhe_read_only: Crawled) -> None:
    crawled = karlsruhe_read_only
    paper = next(
        p for p in crawled.papers() if p.get("consultation") and p["paperType"] == "Beschlussvorlage"
    )
    document = crawled.services.store.documents()[crawled.doc(paper)]
    assert document.reference == paper["reference"]
    assert document.paper_type == "Beschlussvorlage"
    assert document.date is not None and document.date.isoformat() == paper["date"]
    assert document.title == " ".join(paper["name"].split())
    assert document.municipality == "Karlsruhe"
    organizations = {
        o["id"]: o["name"] for o in crawled.server.data.objects.values() if "/organizations/" in o["id"]
    }
    expected = {organizations[org] for c in paper["consultation"] for org in c.get("organization", [])}
    assert set(document.bodies) == expected


def test_search_finds_papers_by_reference_and_file_text_and_filters(karlsruhe_read_only: Crawled) -> None:
    crawled = karlsruhe_read_only
    paper, _, pdf_text = _pdf_only_file(crawled)
    assert crawled.doc(paper) in crawled.search(paper["reference"])[:3]
    phrase = " ".join(_WORD.findall(pdf_text)[5:12])
    assert crawled.doc(paper) in crawled.search(phrase)[:5]
    body = crawled.services.store.documents()[crawled.doc(paper)].bodies
    if body:
        found = crawled.search(phrase, SearchFilters(body=body[0]))
        assert found and all(body[0] in crawled.services.store.documents()[d].bodies for d in found)
    wrong_type = next(t for t in ("Antrag", "Anfrage", "Informationsvorlage") if t != paper["paperType"])
    assert crawled.doc(paper) not in crawled.search(phrase, SearchFilters(paper_types=(wrong_type,)))


def test_a_second_sync_with_nothing_changed_downloads_and_embeds_nothing(karlsruhe_crawl: Crawled) -> None:
    crawled = karlsruhe_crawl
    crawled.server.requests.clear()
    result = crawled.sync.sync()
    assert crawled.server.file_requests() == []
    assert result.report.chunks == 0 and result.report.added == 0 and result.report.updated == 0
    assert result.crawl.files_downloaded == 0 and result.report.deleted == 0
    assert all("modified_since=" in path for path in crawled.server.requests if "/bodies/0001/" in path)


def test_sync_updates_a_changed_paper_and_removes_a_deleted_one(karlsruhe_crawl: Crawled) -> None:
    crawled = karlsruhe_crawl
    pdf_paper, pdf_file, _ = _pdf_only_file(crawled)
    renamed, gone = [paper for paper in crawled.papers() if paper["id"] != pdf_paper["id"]][:2]
    crawled.server.modify(renamed["id"], name="Zebrastreifen am Quittenweg")
    crawled.server.delete(gone["id"])
    crawled.server.replace_file_text(
        pdf_paper["id"], pdf_file["id"], "Neue Fassung: Photovoltaik auf Turnhallendächern"
    )
    crawled.server.requests.clear()

    result = crawled.sync.sync()

    assert result.report.updated == 2 and result.report.deleted == 1 and result.report.added == 0
    assert crawled.server.file_requests() == [
        crawled.server.original(pdf_file["accessUrl"])[len(crawled.server.data.origin) :]
    ]
    documents = crawled.services.store.documents()
    assert documents[crawled.doc(renamed)].title == "Zebrastreifen am Quittenweg"
    assert crawled.doc(gone) not in documents
    assert crawled.doc(gone) not in crawled.search(gone["reference"])
    assert crawled.search("Zebrastreifen Quittenweg")[0] == crawled.doc(renamed)
    assert crawled.search("Photovoltaik Turnhallendächern")[0] == crawled.doc(pdf_paper)
    assert crawled.services.store.check().consistent


def test_an_interrupted_crawl_resumes_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared_path("data", "oparl-karlsruhe")
    monkeypatch.setattr(oparl_batches, "BATCH_DOCUMENTS", 8)
    services = build_services(_settings(tmp_path))
    server = OParlTestServer(karlsruhe(SHARED, limit=40))
    seen: list[str] = []

    def interrupt(document: RawDocument) -> None:
        seen.append(document.doc_id)
        if len(seen) == 30:
            raise KeyboardInterrupt  # as Ctrl-C would, in the middle of a batch

    with server.running():
        with OParlSync(services.ingestor, services.store, services.settings, backoff_s=0.01) as sync:
            sync.on_document = interrupt
            with pytest.raises(KeyboardInterrupt):
                sync.ingest([server.system_url])
        written = len(services.store.documents())
        assert 0 < written < 30
        with OParlSync(services.ingestor, services.store, services.settings, backoff_s=0.01) as sync:
            assert sync.sources() == [server.system_url]
            result = sync.sync()  # never finished: a full crawl again
    assert result.report.unchanged == written
    total = len(services.store.documents())
    assert result.report.added == total - written
    chunk_ids = [chunk.chunk_id for chunk in services.store.catalog.iter_chunks()]
    assert len(chunk_ids) == len(set(chunk_ids))
    assert services.store.check().consistent
    services.close()


def test_a_failing_list_page_stops_the_crawl_until_the_next_sync(karlsruhe_crawl: Crawled) -> None:
    crawled = karlsruhe_crawl
    changed = crawled.papers()[-1]
    crawled.server.modify(changed["id"], name="Spielplatz Rintheimer Feld")
    crawled.server.faults.error_500 = {"/papers": 100}
    state_path = crawled.services.settings.data_dir / "oparl_state.sqlite3"
    before = SyncState(state_path)
    started = before.last_start(crawled.server.system_url)
    before.close()

    failed = crawled.sync.sync()

    assert any("crawl stopped" in failure.error for failure in failed.report.failed)
    after = SyncState(state_path)
    assert after.last_start(crawled.server.system_url) == started  # not advanced: nothing is lost
    after.close()
    crawled.server.faults.error_500 = {}
    repeated = crawled.sync.sync()
    assert repeated.report.updated == 1 and not repeated.report.failed
    assert crawled.services.store.documents()[crawled.doc(changed)].title == "Spielplatz Rintheimer Feld"


def test_a_file_that_fails_for_the_moment_is_fetched_at_the_next_sync(tmp_path: Path) -> None:
    shared_path("data", "oparl-karlsruhe")
    data = karlsruhe(SHARED, limit=40, pdf_every=3)
    services = build_services(_settings(tmp_path))
    server = OParlTestServer(data)
    with (
        server.running(),
        OParlSync(services.ingestor, services.store, services.settings, backoff_s=0.01) as sync,
    ):
        crawled = Crawled(server, services, sync, SyncResult())
        paper, file, text = _pdf_only_file(crawled)
        path = server.original(file["accessUrl"])[len(data.origin) :]
        server.faults.error_500 = {path: 100}
        first = sync.ingest([server.system_url])
        assert any(failure.source == server.local(file["accessUrl"]) for failure in first.report.failed)
        words = set(_WORD.findall(text)[:40])
        assert sum(word in crawled.text(paper) for word in words) < len(words)
        server.faults.error_500 = {}
        second = sync.sync()  # the paper did not change, but it is pending
        assert second.report.updated == 1 and second.crawl.files_downloaded == 1
        assert all(word in crawled.text(paper) for word in words)
        assert services.store.documents()[crawled.doc(paper)].municipality == "Karlsruhe"
    services.close()


def test_crawl_completes_despite_500s_slow_answers_and_dropped_connections(tmp_path: Path) -> None:
    shared_path("data", "oparl-karlsruhe")
    faults = {
        "error_every": 7,
        "drop": {"/papers": 1, "downloadfiles": 2},
        "slow": {"/meetings": 1},
        "slow_seconds": 2.0,
    }
    with _crawled(tmp_path / "faulty", karlsruhe(SHARED, limit=40), timeout_s=1, **faults) as faulty:
        assert faulty.first.crawl.retries >= 4
        faulty_documents = sorted(doc.content_hash for doc in faulty.services.store.documents().values())
        faulty_errors = sorted(f.error for f in faulty.first.report.failed)
    with _crawled(tmp_path / "clean", karlsruhe(SHARED, limit=40)) as clean:
        clean_documents = sorted(doc.content_hash for doc in clean.services.store.documents().values())
        clean_errors = sorted(f.error for f in clean.first.report.failed)
    # The content hash covers text, API metadata and web address: the same documents.
    assert faulty_documents == clean_documents
    assert faulty_errors == clean_errors  # only the files that have no text at all


def test_allris_quirks_do_not_stop_the_crawl(tmp_path: Path) -> None:
    shared_path("data", "oparl-huertgenwald")
    with _crawled(tmp_path, huertgenwald(SHARED, limit=25, allris=True), error_every=6) as crawled:
        assert crawled.first.crawl.retries > 0
        assert not crawled.first.report.failed
        documents = crawled.services.store.documents()
        papers = crawled.papers()
        assert crawled.first.crawl.papers == len(papers)
        for paper in papers:
            document = documents[crawled.doc(paper)]
            assert document.reference == paper["reference"]
            assert document.url == ""  # "N/A" is no web address
            assert document.source == crawled.server.local(paper["id"])
            assert "\t" not in document.title and document.title == " ".join(paper["name"].split())
        with_bodies = [documents[crawled.doc(p)] for p in papers if p.get("consultation")]
        assert with_bodies and all(document.bodies and all(document.bodies) for document in with_bodies)
        file_names = [paper["mainFile"]["name"] for paper in papers]
        assert all(
            name.split("(")[0].strip() in crawled.text(paper)
            for name, paper in zip(file_names, papers, strict=True)
        )


def test_sdnet_1_0_sync_reads_404_as_nothing_changed(tmp_path: Path) -> None:
    shared_path("data", "oparl-huertgenwald")
    with _crawled(tmp_path, huertgenwald(SHARED, limit=30)) as crawled:
        assert not crawled.first.report.failed
        crawled.server.requests.clear()
        result = crawled.sync.sync()
        assert not result.report.failed and result.report.chunks == 0
        statuses = [path for path in crawled.server.requests if "modified_since" in path]
        assert statuses  # the lists were asked, answered 404, and read as empty
