"""Ingest and sync OParl sources: the entry point of ``ratsinfo ingest --oparl`` and ``ratsinfo sync``.

``ingest`` crawls a source completely (and deletes documents and process records the server no
longer lists);
``sync`` asks every known source only for what changed since its last successful crawl began,
minus a safety overlap (``oparl_overlap_minutes``), and removes documents of deleted objects.
A source's crawl start is recorded only when its crawl finished, so an interrupted or failed
crawl is simply asked again next time.

The crawl (``ingest.sources.oparl``) reads; ``oparl_batches`` writes what it hands over.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from assistant.config import Settings
from assistant.indexing.oparl_batches import CrawlIndexer
from assistant.indexing.pipeline import PUBLIC_ACCESS, Ingestor
from assistant.indexing.report import IngestReport
from assistant.store.store import Store
from ingest.records import Failure, RawDocument
from ingest.sources.oparl.adapters import schema_version, select_adapter
from ingest.sources.oparl.client import ClientConfig, FetchError, OParlClient
from ingest.sources.oparl.crawl import CrawlStats, SourceCrawl
from ingest.sources.oparl.state import STATE_FILE, SyncState

__all__ = ["STATE_FILE", "OParlSync", "SyncResult"]


@dataclass(slots=True)
class SyncResult:
    """The indexer's report (documents) and the crawl's figures (requests, files)."""

    report: IngestReport = field(default_factory=IngestReport)
    crawl: CrawlStats = field(default_factory=CrawlStats)
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The IngestReport's dict plus the crawl figures; ``seconds`` is the whole run."""
        data = self.report.to_dict()
        data["ingest_seconds"] = data.pop("seconds")
        figures = asdict(self.crawl)
        figures["seconds"] = round(self.crawl.seconds, 3)
        data.update(figures)
        data["sources"] = list(self.sources)
        return data


class OParlSync:
    """Crawls OParl sources into the store and remembers where each one stands."""

    def __init__(
        self,
        ingestor: Ingestor,
        store: Store,
        settings: Settings,
        *,
        backoff_s: float = 0.5,
        on_document: Callable[[RawDocument], None] | None = None,
    ) -> None:
        self._ingestor = ingestor
        self._store = store
        self._config = ClientConfig(
            rate_per_second=settings.oparl_rate_per_second,
            concurrency=settings.oparl_concurrency,
            timeout_s=settings.oparl_timeout_s,
            retries=settings.oparl_retries,
            backoff_s=backoff_s,
            max_bytes=int(settings.max_file_mb * 1e6),
        )
        self._overlap = timedelta(minutes=settings.oparl_overlap_minutes)
        self._state = SyncState(settings.data_dir / STATE_FILE)
        self.on_document = on_document  # called with every document before the indexer gets it

    def close(self) -> None:
        self._state.close()

    def __enter__(self) -> OParlSync:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def sources(self) -> list[str]:
        """System URLs of every source ingested so far."""
        return self._state.sources()

    def ingest(
        self,
        system_urls: Sequence[str],
        access: frozenset[str] = PUBLIC_ACCESS,
        report: IngestReport | None = None,
    ) -> SyncResult:
        """Crawl each source completely; documents it no longer lists are deleted."""
        return self._run(system_urls, full=True, access=access, report=report)

    def sync(
        self, system_urls: Sequence[str] | None = None, report: IngestReport | None = None
    ) -> SyncResult:
        """Fetch what changed in each known source (or in ``system_urls``) since its last crawl."""
        return self._run(self.sources() if system_urls is None else system_urls, full=False, report=report)

    def _run(
        self,
        system_urls: Sequence[str],
        *,
        full: bool,
        access: frozenset[str] | None = None,
        report: IngestReport | None = None,
    ) -> SyncResult:
        started = time.perf_counter()
        result = SyncResult(report=report or IngestReport())
        for system_url in system_urls:
            result.sources.append(system_url)
            try:
                self._crawl(system_url, full, access, result)
            except FetchError as error:
                result.report.failed.append(
                    Failure(system_url, f"crawl stopped, will be repeated next time: {error}")
                )
        self._store.refresh_bm25()  # deletions may have come after the indexer's last batch
        result.crawl.seconds += time.perf_counter() - started
        return result

    def _crawl(self, system_url: str, full: bool, access: frozenset[str] | None, result: SyncResult) -> None:
        started = datetime.now(UTC)
        access = self._state.register(system_url, started, access)
        last = None if full else self._state.last_start(system_url)
        since = last - self._overlap if last else None
        with OParlClient(self._config) as client:
            system = client.get_json(system_url)
            client.adapter = select_adapter(system)
            version = schema_version(system)
            client.adapter.repair(system, "System", version)
            crawl = SourceCrawl(
                source=system_url,
                client=client,
                state=self._state,
                stats=result.crawl,
                version=version,
                since=since,
            )
            indexer = CrawlIndexer(
                source=system_url,
                state=self._state,
                ingestor=self._ingestor,
                store=self._store,
                report=result.report,
                access=access,
                on_document=self.on_document,
            )
            try:
                indexer.index(crawl.records(system))
                if since is None:
                    self._prune(system_url, indexer.seen_docs, result.report)
                    pruned = self._store.prune_process(
                        system_url,
                        indexer.seen["paper"],
                        indexer.seen["meeting"],
                        indexer.seen["organization"],
                    )
                    result.report.changes.process.update(pruned)
            finally:
                crawl.close()
                result.crawl.requests += client.requests
                result.crawl.retries += client.retries
                result.crawl.pages_fetched += client.list_pages
        self._state.finish(system_url, started, client.adapter.name)

    def _prune(self, system_url: str, seen: set[str], report: IngestReport) -> None:
        """After a complete crawl: documents of this source that no list mentioned are gone."""
        gone = sorted(self._store.catalog.doc_ids_under_root(system_url) - seen)
        if gone:
            self._store.delete(gone)
            self._state.forget_docs(gone)
            report.deleted += len(gone)
            report.changes.documents_deleted(gone)
