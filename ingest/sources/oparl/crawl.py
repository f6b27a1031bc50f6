"""One crawl of one OParl source: bodies → organisations, persons, meetings, papers → records.

Lists are read page by page; the files of a page are fetched together, and every paper and
meeting is handed over as a typed record (``crawl_records``) as soon as it is built: its
documents and its records of the council process, a tombstone for a deleted object
(``deleted: true``), or why it is unavailable. Organisations are handed over page by page.
The crawl writes only its own caches in the sync state (file texts, referenced objects); the
indexer batches the records into the store and records which documents each object produced.

An object that refers to something that could not be fetched for the moment (an organisation,
a person, a meeting, a consultation or agenda item given as a URL) is built again at the end of
the crawl, after the references are asked once more; if they still fail, it is handed over as
it is, marked incomplete, and fetched again at the next sync. It never silently loses a name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ingest.records import Failure
from ingest.sources.oparl.adapters import JsonObject
from ingest.sources.oparl.client import FetchError, OParlClient
from ingest.sources.oparl.crawl_records import (
    CrawledObject,
    CrawlRecord,
    Organizations,
    Tombstone,
    Unavailable,
)
from ingest.sources.oparl.files import FileFetcher, FileText
from ingest.sources.oparl.mapping import (
    build_document,
    combine_pages,
    directing_office,
    listed,
    meeting_files,
    meeting_metadata,
    municipality_name,
    oparl_doc_id,
    paper_files,
    paper_metadata,
    web_url,
)
from ingest.sources.oparl.process_mapping import meeting_records, organization_record, paper_records
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


@dataclass(slots=True)
class _Deferred:
    """An object built while some of its references were unavailable, to be built again."""

    obj: JsonObject
    kind: str  # "paper" or "meeting"
    texts: dict[str, FileText]
    municipality: str
    missing: dict[str, str] = field(default_factory=dict)  # URL → why it failed


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
        self._deferred: list[_Deferred] = []

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
        yield from self._retry_deferred()

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
        for page in self._list(body, "organization", "Organization"):
            self._remember(page, "organization")
            yield Organizations(
                tuple(organization_record(obj) for obj in page if not obj.get("deleted")),
                tuple(obj["id"] for obj in page if obj.get("deleted")),
            )
        for page in self._list(body, "person", "Person"):
            self._remember(page, "person")
        for page in self._list(body, "meeting", "Meeting"):
            yield from self._take_meetings(page, municipality)
        for page in self._list(body, "paper", "Paper"):
            yield from self._take_papers(page, municipality)

    def _remember(self, page: list[JsonObject], kind: str) -> None:
        for obj in page:
            if obj.get("deleted"):
                self._refs.forget(obj["id"])
            else:
                self._refs.remember(kind, obj)
        self._state.commit()

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
        live: list[tuple[JsonObject, dict[str, str]]] = []
        for meeting in page:
            self._processed.add(meeting["id"])
            if meeting.get("deleted"):
                self._refs.forget(meeting["id"])
                yield Tombstone(meeting["id"])
                continue
            self._refs.remember("meeting", meeting)
            unresolved = self._resolve(meeting, "agendaItem", "AgendaItem")
            for item in listed(meeting.get("agendaItem")):
                if isinstance(item, dict):
                    self._refs.remember("agendaItem", item)
            live.append((meeting, unresolved))
        texts = self._fetcher.texts([file for m, _ in live for _, _, _, file in meeting_files(m)])
        yield from self._file_failures()
        for meeting, unresolved in live:
            self._stats.meetings += 1
            yield from self._take(_Deferred(meeting, "meeting", texts, municipality, unresolved))

    def _take_papers(self, page: list[JsonObject], municipality: str) -> Iterator[CrawlRecord]:
        live: list[tuple[JsonObject, dict[str, str]]] = []
        for paper in page:
            self._processed.add(paper["id"])
            if paper.get("deleted"):
                yield Tombstone(paper["id"])
            else:
                live.append((paper, self._resolve(paper, "consultation", "Consultation")))
        texts = self._fetcher.texts([file for paper, _ in live for file in paper_files(paper)])
        yield from self._file_failures()
        for paper, unresolved in live:
            self._stats.papers += 1
            yield from self._take(_Deferred(paper, "paper", texts, municipality, unresolved))

    def _resolve(self, obj: JsonObject, field_name: str, expected: str) -> dict[str, str]:
        """Fetch the items of a list given as URLs (1.0 servers list consultations so).

        An item that is gone is dropped; one that fails for the moment stays a URL (the mapping
        skips it) and is returned with why, so that the object is built again later.
        """
        resolved: list[Any] = []
        failed: dict[str, str] = {}
        for item in listed(obj.get(field_name)):
            if isinstance(item, str):
                try:
                    item = self._repaired(self._client.get_json(item), expected)
                except FetchError as error:
                    if error.permanent:
                        continue
                    failed[item] = error.reason
            resolved.append(item)
        if resolved or field_name in obj:
            obj[field_name] = resolved
        return failed

    def _take(self, job: _Deferred, last_try: bool = False) -> Iterator[CrawlRecord]:
        """Build one object; one lacking a reference is built again at the end of the crawl."""
        build = self._build_paper if job.kind == "paper" else self._build_meeting
        self._refs.begin()
        record = self._guarded(job.obj, job.kind, build, job.texts, job.municipality)
        missing = {**job.missing, **self._refs.missing()}
        if missing and not last_try:
            self._deferred.append(_Deferred(job.obj, job.kind, job.texts, job.municipality, missing))
            return
        if missing and isinstance(record, CrawledObject):
            reason = "; ".join(f"{url}: {why}" for url, why in missing.items())
            record = replace(
                record, incomplete=record.incomplete or f"reference unavailable: {reason}"[:1000]
            )
        yield record

    def _retry_deferred(self) -> Iterator[CrawlRecord]:
        """Ask the unavailable references once more, then build their objects for good."""
        deferred, self._deferred = self._deferred, []
        for job in deferred:
            self._refs.retry(job.missing)
            field_name, expected = ("consultation", "Consultation")
            if job.kind == "meeting":
                field_name, expected = ("agendaItem", "AgendaItem")
            unresolved = self._resolve(job.obj, field_name, expected)
            yield from self._take(_Deferred(job.obj, job.kind, job.texts, job.municipality, unresolved), True)

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
        office = directing_office(paper, self._refs)
        document = build_document(oparl_doc_id(paper["id"]), url or paper["id"], url, text, metadata, office)
        incomplete = next((file.error for file in files if file.transient), "")
        return CrawledObject(paper["id"], "paper", (document,), incomplete, paper_records(paper, self._refs))

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
        records = meeting_records(meeting, self._refs)
        return CrawledObject(meeting["id"], "meeting", tuple(documents), incomplete, records)

    def _file_failures(self) -> Iterator[Failure]:
        failures = list(self._fetcher.failures)
        self._fetcher.failures.clear()
        yield from failures
