"""One crawl of one OParl source: bodies → organisations, persons, meetings, papers → records.

Lists are read page by page; the files of a page are fetched together, and every paper and
meeting is handed over as a typed record (``crawl_records``) as soon as it is built: its
documents, a tombstone for a deleted object (``deleted: true``), or why it is unavailable. The
crawl writes only its own caches in the sync state (file texts, referenced objects); the
indexer batches the records into the store and records which documents each object produced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.records import Failure
from ingest.sources.oparl.adapters import JsonObject
from ingest.sources.oparl.client import FetchError, OParlClient
from ingest.sources.oparl.crawl_records import CrawledObject, CrawlRecord, Tombstone, Unavailable
from ingest.sources.oparl.files import FileFetcher, FileText
from ingest.sources.oparl.mapping import (
    build_document,
    combine_pages,
    listed,
    meeting_files,
    meeting_metadata,
    municipality_name,
    oparl_doc_id,
    paper_files,
    paper_metadata,
    web_url,
)
from ingest.sources.oparl.references import StateReferences
from ingest.sources.oparl.state import SyncState


@dataclass(slots=True)
class CrawlStats:
    """Figures of one sync run over all its sources."""

    papers: int = 0
    meetings: int = 0
    files_downloaded: int = 0
    files_cached: int = 0
    files_inline: int = 0
    pages_fetched: int = 0  # list pages of the API
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


class SourceCrawl:
    """Crawl one System URL into records; ``since`` None means a full crawl."""

    def __init__(
        self,
        *,
        source: str,
        client: OParlClient,
        state: SyncState,
        stats: CrawlStats,
        version: str,
        since: datetime | None,
    ) -> None:
        self._source = source
        self._client = client
        self._state = state
        self._stats = stats
        self._version = version
        self._since = since
        self._refs = StateReferences(state, client, source, version)
        self._fetcher = FileFetcher(client, state, client.config.concurrency)
        self._processed: set[str] = set()

    def close(self) -> None:
        self._fetcher.close()
        counts = self._fetcher.counts
        self._stats.files_downloaded += counts.downloaded
        self._stats.files_cached += counts.cached
        self._stats.files_inline += counts.inline

    def records(self, system: JsonObject) -> Iterator[CrawlRecord]:
        """Crawl every body of ``system``, then retry what was incomplete last time.

        Lazy: the next list page is fetched when the indexer asks for the next record, so the
        pending objects are read after it has applied the records before them.
        """
        for body in self._bodies(system):
            yield from self._crawl_body(body)
        yield from self._retry_pending()

    # -- lists ----------------------------------------------------------------------------

    def _repaired(self, obj: JsonObject, expected: str) -> JsonObject:
        return self._client.adapter.repair(obj, expected, self._version)

    def _list(self, owner: JsonObject, field_name: str, expected: str) -> Iterator[list[JsonObject]]:
        url = owner.get(field_name)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return
        for page in self._client.iter_list(url, self._since):
            yield [self._repaired(obj, expected) for obj in page if isinstance(obj.get("id"), str)]

    def _bodies(self, system: JsonObject) -> Iterator[JsonObject]:
        value = system.get("body")
        if isinstance(value, str):
            for page in self._client.iter_list(value):  # all bodies, whatever changed
                for body in page:
                    yield self._body(body)
        elif isinstance(value, list):
            for item in value:
                body = self._client.get_json(item) if isinstance(item, str) else item
                if isinstance(body, dict):
                    yield self._body(body)

    def _body(self, body: JsonObject) -> JsonObject:
        body = self._repaired(body, "Body")
        self._refs.remember("body", body)
        return body

    def _crawl_body(self, body: JsonObject) -> Iterator[CrawlRecord]:
        municipality = municipality_name(_text(body.get("name")))
        for field_name, kind, expected in (
            ("organization", "organization", "Organization"),
            ("person", "person", "Person"),
        ):
            for page in self._list(body, field_name, expected):
                for obj in page:
                    if obj.get("deleted"):
                        self._refs.forget(obj["id"])
                    else:
                        self._refs.remember(kind, obj)
                self._state.commit()
        for page in self._list(body, "meeting", "Meeting"):
            yield from self._take_meetings(page, municipality)
        for page in self._list(body, "paper", "Paper"):
            yield from self._take_papers(page, municipality)

    def _retry_pending(self) -> Iterator[CrawlRecord]:
        for object_id, kind in self._state.pending(self._source):
            if object_id in self._processed:
                continue
            try:
                obj = self._client.get_json(object_id)
            except FetchError as error:
                if error.status in (404, 410):
                    yield Tombstone(object_id)
                else:
                    yield Unavailable(object_id, kind, f"still unavailable: {error.reason}")
                continue
            expected = "Meeting" if kind == "meeting" else "Paper"
            obj = self._repaired(obj, expected)
            body = obj.get("body")
            municipality = municipality_name(self._refs.body(body)) if isinstance(body, str) else ""
            if kind == "meeting":
                yield from self._take_meetings([obj], municipality)
            else:
                yield from self._take_papers([obj], municipality)

    # -- objects → documents --------------------------------------------------------------

    def _take_meetings(self, page: list[JsonObject], municipality: str) -> Iterator[CrawlRecord]:
        live = []
        for meeting in page:
            self._processed.add(meeting["id"])
            if meeting.get("deleted"):
                self._refs.forget(meeting["id"])
                yield Tombstone(meeting["id"])
                continue
            self._refs.remember("meeting", meeting)
            for item in listed(meeting.get("agendaItem")):
                if isinstance(item, dict):
                    self._refs.remember("agendaItem", item)
            live.append(meeting)
        texts = self._fetcher.texts([file for m in live for _, _, _, file in meeting_files(m)])
        yield from self._file_failures()
        for meeting in live:
            self._stats.meetings += 1
            yield self._guarded(meeting, "meeting", self._build_meeting, texts, municipality)

    def _take_papers(self, page: list[JsonObject], municipality: str) -> Iterator[CrawlRecord]:
        live = []
        for paper in page:
            self._processed.add(paper["id"])
            if paper.get("deleted"):
                yield Tombstone(paper["id"])
            else:
                self._resolve_consultations(paper)
                live.append(paper)
        texts = self._fetcher.texts([file for paper in live for file in paper_files(paper)])
        yield from self._file_failures()
        for paper in live:
            self._stats.papers += 1
            yield self._guarded(paper, "paper", self._build_paper, texts, municipality)

    def _resolve_consultations(self, paper: JsonObject) -> None:
        """1.0 servers may list consultations as URLs: fetch them (they carry the bodies)."""
        resolved: list[Any] = []
        for item in listed(paper.get("consultation")):
            if isinstance(item, str):
                try:
                    item = self._repaired(self._client.get_json(item), "Consultation")
                except FetchError:
                    continue
            resolved.append(item)
        if resolved or "consultation" in paper:
            paper["consultation"] = resolved

    def _guarded(
        self,
        obj: JsonObject,
        kind: str,
        build: Callable[[JsonObject, dict[str, FileText], str], CrawledObject],
        texts: dict[str, FileText],
        municipality: str,
    ) -> CrawledObject | Unavailable:
        try:
            return build(obj, texts, municipality)
        except Exception as error:  # one malformed object must not stop the crawl
            message = f"unexpected {type(error).__name__}: {error}"
            return Unavailable(obj["id"], kind, message, pending_reason=str(error))

    def _build_paper(self, paper: JsonObject, texts: dict[str, FileText], municipality: str) -> CrawledObject:
        files = [texts[file["id"]] for file in paper_files(paper)]
        metadata = paper_metadata(paper, self._refs, municipality)
        text = combine_pages([file.pages for file in files], metadata)
        url = web_url(paper)
        document = build_document(oparl_doc_id(paper["id"]), url or paper["id"], url, text, metadata)
        incomplete = next((file.error for file in files if file.transient), "")
        return CrawledObject(paper["id"], "paper", (document,), incomplete)

    def _build_meeting(
        self, meeting: JsonObject, texts: dict[str, FileText], municipality: str
    ) -> CrawledObject:
        documents = []
        incomplete = ""
        url = web_url(meeting)
        for part, paper_type, label, file in meeting_files(meeting):
            text = texts[file["id"]]
            incomplete = incomplete or (text.error if text.transient else "")
            metadata = meeting_metadata(meeting, paper_type, label, self._refs, municipality)
            combined = combine_pages([text.pages], metadata)
            file_url = file.get("accessUrl") if isinstance(file.get("accessUrl"), str) else ""
            documents.append(
                build_document(
                    oparl_doc_id(meeting["id"], part),
                    url or str(file_url or file["id"]),
                    url,
                    combined,
                    metadata,
                )
            )
        return CrawledObject(meeting["id"], "meeting", tuple(documents), incomplete)

    def _file_failures(self) -> Iterator[Failure]:
        failures = list(self._fetcher.failures)
        self._fetcher.failures.clear()
        yield from failures
