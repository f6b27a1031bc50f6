"""Full crawls of the real Karlsruhe (OParl 1.1) and Hürtgenwald (OParl 1.0) data: the acceptance tests.

Slow (a minute or two each); they print crawl time, pages per second and resync time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from assistant.access import LOCAL_OPERATOR
from assistant.indexing.oparl_sync import OParlSync
from assistant.services import Services
from ingest.sources.oparl.mapping import oparl_doc_id
from tests.conftest import SHARED, shared_path
from tests.oparl_server import Json, OParlTestServer, huertgenwald, karlsruhe

pytestmark = pytest.mark.slow
_WORD = re.compile(r"\b[A-Za-zÄÖÜäöüß]{9,}\b")


def _papers(server: OParlTestServer) -> list[Json]:
    data = server.data
    body = next(obj for obj in data.objects.values() if str(obj.get("type", "")).endswith("/Body"))
    return [data.objects[i] for i in data.lists[body["paper"]]]


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    # The default of 5 requests per second is for real servers; this one is ours.
    return make_services(oparl_rate_per_second=5000, oparl_concurrency=4)


def test_karlsruhe_full_crawl_resync_change_and_delete(services: Services) -> None:
    shared_path("data", "oparl-karlsruhe")
    server = OParlTestServer(karlsruhe(SHARED))
    with server.running(), OParlSync(services.ingestor, services.store, services.settings) as sync:
        started = time.perf_counter()
        first = sync.ingest([server.system_url])
        crawl_seconds = time.perf_counter() - started

        papers = _papers(server)
        live = [p for p in papers if not p.get("deleted")]
        dead = [p for p in papers if p.get("deleted")]
        assert (len(live), len(dead)) == (1470, 268)
        documents = services.store.documents()
        assert first.crawl.papers == 1470
        assert all(oparl_doc_id(server.local(p["id"])) in documents for p in live)
        assert not any(oparl_doc_id(server.local(p["id"])) in documents for p in dead)
        # Every file text reached its paper: a sample of words of every 25th file, inline or PDF.
        files = [
            (p, f) for p in live for f in p.get("auxiliaryFile", []) if f["accessUrl"] in server.data.files
        ]
        for paper, file in files[::25]:
            words = _WORD.findall(server.data.files[file["accessUrl"]].pages[0])[:15]
            pages = services.store.catalog.pages(oparl_doc_id(server.local(paper["id"])))
            stored = "\n".join(page.text for page in pages)
            assert all(word in stored for word in words), file["id"]
        pages_total = sum(document.page_count for document in documents.values())

        server.requests.clear()
        started = time.perf_counter()
        resync = sync.sync()
        resync_seconds = time.perf_counter() - started
        assert server.file_requests() == [] and resync.crawl.files_downloaded == 0
        assert resync.report.chunks == 0 and resync.report.added == resync.report.updated == 0

        changed, gone = live[100], live[200]
        server.modify(changed["id"], name="Zebrastreifen am Quittenweg")
        server.delete(gone["id"])
        started = time.perf_counter()
        update = sync.sync()
        update_seconds = time.perf_counter() - started
        assert (update.report.updated, update.report.deleted, update.report.added) == (1, 1, 0)
        hits = services.retriever.search("Zebrastreifen am Quittenweg", LOCAL_OPERATOR, None, k=10)
        top = list(dict.fromkeys(hit.document.doc_id for hit in hits))[:3]
        assert oparl_doc_id(server.local(changed["id"])) in top
        changed_doc = services.store.documents()[oparl_doc_id(server.local(changed["id"]))]
        assert changed_doc.title == "Zebrastreifen am Quittenweg"
        hits = services.retriever.search(gone["reference"], LOCAL_OPERATOR, None, k=20)
        assert oparl_doc_id(server.local(gone["id"])) not in {hit.document.doc_id for hit in hits}
        assert services.store.check().consistent

    print(
        f"\nKarlsruhe: {len(documents)} documents, {pages_total} pages, {first.report.chunks} chunks, "
        f"{first.crawl.files_downloaded} files downloaded, {first.crawl.files_inline} inline, "
        f"{first.crawl.pages_fetched} list pages, {first.crawl.requests} requests; "
        f"crawl {crawl_seconds:.1f} s ({pages_total / crawl_seconds:.0f} document pages/s, "
        f"{first.crawl.requests / crawl_seconds:.0f} requests/s); resync {resync_seconds:.2f} s; "
        f"sync of 1 change + 1 deletion {update_seconds:.2f} s"
    )


def test_huertgenwald_1_0_full_crawl_completes_despite_its_quirks(services: Services) -> None:
    shared_path("data", "oparl-huertgenwald")
    server = OParlTestServer(huertgenwald(SHARED))
    with server.running(), OParlSync(services.ingestor, services.store, services.settings) as sync:
        started = time.perf_counter()
        first = sync.ingest([server.system_url])
        crawl_seconds = time.perf_counter() - started
        papers = _papers(server)
        live = [p for p in papers if not p.get("deleted")]
        untyped_tombstones = [p for p in papers if p.get("deleted") and "type" not in p]
        assert len(live) == 2097 and len(untyped_tombstones) == 18
        assert not first.report.failed
        assert first.crawl.papers == 2097
        documents = services.store.documents()
        assert all(oparl_doc_id(server.local(p["id"])) in documents for p in live)
        sample = documents[oparl_doc_id(server.local(live[0]["id"]))]
        assert sample.reference == live[0]["reference"] and sample.municipality == "Hürtgenwald"

        server.requests.clear()
        started = time.perf_counter()
        resync = sync.sync()  # SD.NET answers every empty list with 404
        resync_seconds = time.perf_counter() - started
        assert not resync.report.failed and resync.report.chunks == 0 and server.file_requests() == []

    print(
        f"\nHürtgenwald: {len(documents)} documents, {first.crawl.files_downloaded} files downloaded, "
        f"{first.crawl.requests} requests; crawl {crawl_seconds:.1f} s; resync {resync_seconds:.2f} s"
    )
