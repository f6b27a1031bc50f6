"""The whole Karlsruhe data crawled once per test session through the real test OParl server.

A full crawl takes one to two minutes on two cores, so every module that needs the whole data
(the process tables, process questions, the process evaluation, the UI's process views) shares
this one store and must not change its documents (adding users to its user store is fine).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.indexing.oparl_sync import OParlSync
from assistant.services import Services, build_services
from ingest.sources.oparl.mapping import oparl_doc_id
from tests.oparl_server import Json, OParlTestServer, karlsruhe


@dataclass
class Crawled:
    server: OParlTestServer
    services: Services
    seconds: float

    @property
    def objects(self) -> dict[str, Json]:
        return self.server.data.objects

    def live_papers(self) -> list[Json]:
        ids = next(ids for url, ids in self.server.data.lists.items() if url.endswith("/papers"))
        return [self.objects[i] for i in ids if not self.objects[i].get("deleted")]

    def meetings(self) -> list[Json]:
        ids = next(ids for url, ids in self.server.data.lists.items() if url.endswith("/meetings"))
        return [self.objects[i] for i in ids]

    def items(self) -> dict[str, Json]:
        return {item["id"]: item for meeting in self.meetings() for item in meeting.get("agendaItem", [])}

    def doc(self, paper: Json) -> str:
        return oparl_doc_id(self.server.local(paper["id"]))


@contextmanager
def crawl_karlsruhe(shared: Path, data_dir: Path) -> Iterator[Crawled]:
    """Serve the Karlsruhe data and crawl all of it into a store in ``data_dir``."""
    settings = Settings(data_dir=data_dir, oparl_rate_per_second=5000)
    services = build_services(settings)
    server = OParlTestServer(karlsruhe(shared))
    try:
        with server.running(), OParlSync(services.ingestor, services.store, settings) as sync:
            started = time.perf_counter()
            sync.ingest([server.system_url])
            yield Crawled(server, services, time.perf_counter() - started)
    finally:
        services.close()
