"""One crawl of one OParl source: bodies → organisations, persons, meetings, papers → pipeline.

Lists are read page by page; the files of a page are fetched together, the page's documents go
to the pipeline in batches, and only after the pipeline has written a batch does the state
record which documents each object produced. Deleted objects (``deleted: true``) remove their
documents. An interrupted crawl therefore loses at most the batch in progress, and running it
again redoes nothing that was written (the pipeline skips unchanged content hashes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.store.store import Store
from ingest.pipeline import Failure, Ingestor, IngestReport
from ingest.records import RawDocument
from ingest.sources.oparl.adapters import JsonObject
from ingest.sources.oparl.client import FetchError, OParlClient
from ingest.sources.oparl.files import FileFetcher, FileText
from ingest.sources.oparl.mapping import (
    build_document,
    combine_pages,
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

# Documents handed to the pipeline at once. Each call starts a process pool and rebuilds BM25
# (about 10 s on two cores), so batches are large; an interruption loses at most one batch, and
# the file texts of that batch stay cached, so redoing it costs list requests only.
BATCH_DOCUMENTS = 2000
BATCH_BYTES = 64_000_000
_MEETING_PARTS = ("invitation", "resultsProtocol", "verbatimProtocol")


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


@dataclass(slots=True)
class _Built:
    object_id: str
    kind: str  # "paper" or "meeting"
    documents: list[RawDocument]
    incomplete: str = ""  # why the object must be fetched again next time ("" if complete)


@dataclass(slots=True)
class _Batch:
    built: list[_Built] = field(default_factory=list)
    tombstones: list[str] = field(default_factory=list)
    documents: int = 0
    size: int = 0  # bytes of document text


def _all_doc_ids(object_id: str) -> set[str]:
    """Every document id an object can have produced (paper, or meeting files)."""
    return {oparl_doc_id(object_id)} | {oparl_doc_id(object_id, part) for part in _MEETING_PARTS}


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


class SourceCrawl:
    """Crawl one System URL into the store; ``since`` None means a full crawl."""

    def __init__(
        self,
        *,
        source: str,
        client: OParlClient,
        state: SyncState,
        ingestor: Ingestor,
        store: Store,
        report: IngestReport,
        stats: CrawlStats,
        access: frozenset[str],
        version: str,
        since: datetime | None,
        on_document: Callable[[RawDocument], None] | None = None,
    ) -> None:
        self._source = source
        self._client = client
        self._state = state
        self._ingestor = ingestor
        self._store = store
        self._report = report
        self._stats = stats
        self._access = access
        self._version = version
        self._since = since
        self._on_document = on_document
        self._refs = StateReferences(state, client, source, version)
        self._fetcher = FileFetcher(client, state, client.config.concurrency)
        self._batch = _Batch()
        self._processed: set[str] = set()
        self.seen_docs: set[str] = set()  # documents produced or kept: a full crawl prunes the rest

    def close(self) -> None:
        self._fetcher.close()
        counts = self._fetcher.counts
        self._stats.files_downloaded += counts.downloaded
        self._stats.files_cached += counts.cached
        self._stats.files_inline += counts.inline

    def run(self, system: JsonObject) -> None:
        """Crawl every body of ``system``, then retry what was incomplete last time."""
        for body in self._bodies(system):
            self._crawl_body(body)
        self._retry_pending()
        self._flush()

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

    def _crawl_body(self, body: JsonObject) -> None:
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
            self._take_meetings(page, municipality)
        for page in self._list(body, "paper", "Paper"):
            self._take_papers(page, municipality)

    def _retry_pending(self) -> None:
        for object_id, kind in self._state.pending(self._source):
            if object_id in self._processed:
                continue
            try:
                obj = self._client.get_json(object_id)
            except FetchError as error:
                if error.status in (404, 410):
                    self._batch.tombstones.append(object_id)
                else:
                    self.seen_docs |= self._state.docs_of(object_id)
                    self._report.failed.append(Failure(object_id, f"still unavailable: {error.reason}"))
                continue
            expected = "Meeting" if kind == "meeting" else "Paper"
            obj = self._repaired(obj, expected)
            body = obj.get("body")
            municipality = municipality_name(self._refs.body(body)) if isinstance(body, str) else ""
            if kind == "meeting":
                self._take_meetings([obj], municipality)
            else:
                self._take_papers([obj], municipality)

    # -- objects → documents --------------------------------------------------------------

    def _take_meetings(self, page: list[JsonObject], municipality: str) -> None:
        live = []
        for meeting in page:
            self._processed.add(meeting["id"])
            if meeting.get("deleted"):
                self._refs.forget(meeting["id"])
                self._batch.tombstones.append(meeting["id"])
                continue
            self._refs.remember("meeting", meeting)
            for item in meeting.get("agendaItem") or []:
                if isinstance(item, dict):
                    self._refs.remember("agendaItem", item)
            live.append(meeting)
        texts = self._fetcher.texts([file for m in live for _, _, _, file in meeting_files(m)])
        self._report_file_failures()
        for meeting in live:
            self._stats.meetings += 1
            self._add(self._guarded(meeting, "meeting", self._build_meeting, texts, municipality))

    def _take_papers(self, page: list[JsonObject], municipality: str) -> None:
        live = []
        for paper in page:
            self._processed.add(paper["id"])
            if paper.get("deleted"):
                self._batch.tombstones.append(paper["id"])
            else:
                self._resolve_consultations(paper)
                live.append(paper)
        texts = self._fetcher.texts([file for paper in live for file in paper_files(paper)])
        self._report_file_failures()
        for paper in live:
            self._stats.papers += 1
            self._add(self._guarded(paper, "paper", self._build_paper, texts, municipality))

    def _resolve_consultations(self, paper: JsonObject) -> None:
        """1.0 servers may list consultations as URLs: fetch them (they carry the bodies)."""
        resolved: list[Any] = []
        for item in paper.get("consultation") or []:
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
        build: Callable[[JsonObject, dict[str, FileText], str], _Built],
        texts: dict[str, FileText],
        municipality: str,
    ) -> _Built | None:
        try:
            return build(obj, texts, municipality)
        except Exception as error:  # one malformed object must not stop the crawl
            self._report.failed.append(Failure(obj["id"], f"unexpected {type(error).__name__}: {error}"))
            self.seen_docs |= self._state.docs_of(obj["id"])
            self._state.set_pending(self._source, obj["id"], kind, str(error))
            return None

    def _build_paper(self, paper: JsonObject, texts: dict[str, FileText], municipality: str) -> _Built:
        files = [texts[file["id"]] for file in paper_files(paper)]
        metadata = paper_metadata(paper, self._refs, municipality)
        text = combine_pages([file.pages for file in files], metadata, _text(paper.get("paperType")))
        url = web_url(paper)
        document = build_document(oparl_doc_id(paper["id"]), url or paper["id"], url, text, metadata)
        incomplete = next((file.error for file in files if file.transient), "")
        return _Built(paper["id"], "paper", [document], incomplete)

    def _build_meeting(self, meeting: JsonObject, texts: dict[str, FileText], municipality: str) -> _Built:
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
        return _Built(meeting["id"], "meeting", documents, incomplete)

    def _report_file_failures(self) -> None:
        for source, error in self._fetcher.failures:
            self._report.failed.append(Failure(source, error))
        self._fetcher.failures.clear()

    # -- batches → pipeline → state -------------------------------------------------------

    def _add(self, built: _Built | None) -> None:
        if built is None:
            return
        for document in built.documents:
            if self._on_document is not None:
                self._on_document(document)
            self.seen_docs.add(document.doc_id)
        self._batch.built.append(built)
        self._batch.documents += len(built.documents)
        self._batch.size += sum(len(document.data) for document in built.documents)
        if self._batch.documents >= BATCH_DOCUMENTS or self._batch.size >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        batch, self._batch = self._batch, _Batch()
        # Deletions first, so that the pipeline's BM25 rebuild at the end of the batch covers them.
        gone: set[str] = set()
        for built in batch.built:
            gone |= self._state.docs_of(built.object_id) - {document.doc_id for document in built.documents}
        for object_id in batch.tombstones:
            gone |= self._state.docs_of(object_id) | _all_doc_ids(object_id)
            self.seen_docs -= _all_doc_ids(object_id)
            self._state.set_docs(self._source, object_id, [])
            self._state.clear_pending(object_id)
        self._delete(gone - self.seen_docs)
        documents = [(document, self._source) for built in batch.built for document in built.documents]
        failed_before = len(self._report.failed)
        if documents:
            self._ingestor.ingest_documents(
                documents, total=len(documents), access=self._access, report=self._report
            )
        failed = {failure.source for failure in self._report.failed[failed_before:]}
        for built in batch.built:
            self._state.set_docs(self._source, built.object_id, [d.doc_id for d in built.documents])
            reason = built.incomplete or next(
                (f"not indexed: {d.source}" for d in built.documents if d.source in failed), ""
            )
            if reason:
                self._state.set_pending(self._source, built.object_id, built.kind, reason)
            else:
                self._state.clear_pending(built.object_id)
        self._state.commit()

    def _delete(self, doc_ids: set[str]) -> None:
        existing = [doc_id for doc_id in doc_ids if doc_id in self._store.documents()]
        if existing:
            self._store.delete(existing)
            self._state.forget_docs(existing)
            self._report.deleted += len(existing)
