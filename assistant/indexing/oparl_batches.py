"""Applies the records of one OParl crawl to the store, in batches, and keeps the sync state in step.

Documents go to the indexer in large batches; only after a batch is written does the state
record which documents each object produced (and which objects must be fetched again). Deleted
objects remove their documents. An interrupted crawl therefore loses at most the batch in
progress, and running it again redoes nothing that was written (unchanged content hashes are
skipped).

The records of the council process (papers, consultations, links, meetings, agenda items,
organisations) are written with each batch, after its documents; a deleted object's records go
with it. The documents of a non-public meeting carry the access labels of its bodies instead of
the source's access (``ingest.access_labels.body_label``): the service layer decides who they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from assistant.indexing.pipeline import Ingestor
from assistant.indexing.report import IngestReport
from assistant.store.process_tables import ProcessBatch
from assistant.store.store import Store
from ingest.access_labels import body_labels
from ingest.process.records import MeetingRecords, PaperRecords
from ingest.records import Failure, RawDocument
from ingest.sources.oparl.crawl_records import (
    CrawledObject,
    CrawlRecord,
    Organizations,
    Tombstone,
    Unavailable,
)
from ingest.sources.oparl.mapping import all_doc_ids
from ingest.sources.oparl.state import SyncState
from ingest.sources.outcomes import ReadOutcome, classify

# Documents handed to the indexer at once. Each call may start a process pool and rebuilds BM25
# (about 10 s on two cores), so batches are large; an interruption loses at most one batch, and
# the file texts of that batch stay cached, so redoing it costs list requests only.
BATCH_DOCUMENTS = 2000
BATCH_BYTES = 64_000_000


@dataclass(slots=True)
class _Batch:
    process: ProcessBatch
    objects: list[CrawledObject] = field(default_factory=list)
    tombstones: list[str] = field(default_factory=list)
    documents: int = 0
    size: int = 0  # bytes of document text


def _access_of(crawled: CrawledObject, source_access: frozenset[str]) -> frozenset[str]:
    """A non-public meeting's documents are for its bodies' groups; all else has the source's."""
    records = crawled.process
    if isinstance(records, MeetingRecords) and records.meeting.public is False:
        return body_labels([*records.meeting.organizations, *records.meeting.bodies])
    return source_access


class CrawlIndexer:
    """Index the records of one source's crawl; ``seen_docs`` then names what a full crawl keeps."""

    def __init__(
        self,
        *,
        source: str,
        state: SyncState,
        ingestor: Ingestor,
        store: Store,
        report: IngestReport,
        access: frozenset[str],
        on_document: Callable[[RawDocument], None] | None = None,
    ) -> None:
        self._source = source
        self._state = state
        self._ingestor = ingestor
        self._store = store
        self._report = report
        self._access = access
        self._on_document = on_document
        self._batch = _Batch(ProcessBatch(source))
        self.seen_docs: set[str] = set()  # documents produced or kept: a full crawl prunes the rest
        # Process records produced or kept (by kind of object): a full crawl prunes the rest.
        self.seen: dict[str, set[str]] = {"paper": set(), "meeting": set(), "organization": set()}

    def index(self, records: Iterable[CrawlRecord]) -> None:
        """Apply every record (the crawl runs as they are consumed), then write the last batch."""
        for record in records:
            if isinstance(record, CrawledObject):
                self._add(record)
            elif isinstance(record, Organizations):
                self._batch.process.organizations.extend(record.organizations)
                self._batch.process.deleted_organizations.extend(record.deleted)
                self.seen["organization"].update(o.org_id for o in record.organizations)
            elif isinstance(record, Tombstone):
                self._batch.tombstones.append(record.object_id)
                self._batch.process.deleted.append(record.object_id)
            elif isinstance(record, Unavailable):
                self._report.failed.append(Failure(record.object_id, record.error))
                self.seen_docs |= self._state.docs_of(record.object_id)
                self.seen.setdefault(record.kind, set()).add(record.object_id)
                if record.pending_reason:
                    self._state.set_pending(
                        self._source, record.object_id, record.kind, record.pending_reason
                    )
            else:
                self._report.failed.append(record)
        self._flush()

    def _add(self, crawled: CrawledObject) -> None:
        for document in crawled.documents:
            if self._on_document is not None:
                self._on_document(document)
            self.seen_docs.add(document.doc_id)
        self.seen.setdefault(crawled.kind, set()).add(crawled.object_id)
        if isinstance(crawled.process, PaperRecords):
            self._batch.process.papers.append(crawled.process)
        elif isinstance(crawled.process, MeetingRecords):
            self._batch.process.meetings.append(crawled.process)
        self._batch.objects.append(crawled)
        self._batch.documents += len(crawled.documents)
        self._batch.size += sum(len(document.data) for document in crawled.documents)
        if self._batch.documents >= BATCH_DOCUMENTS or self._batch.size >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        batch, self._batch = self._batch, _Batch(ProcessBatch(self._source))
        # Deletions first, so that the rebuild of BM25 at the end of the batch covers them.
        gone: set[str] = set()
        for crawled in batch.objects:
            gone |= self._state.docs_of(crawled.object_id) - {d.doc_id for d in crawled.documents}
        for object_id in batch.tombstones:
            gone |= self._state.docs_of(object_id) | all_doc_ids(object_id)
            self.seen_docs -= all_doc_ids(object_id)
            for seen in self.seen.values():
                seen.discard(object_id)
            self._state.set_docs(self._source, object_id, [])
            self._state.clear_pending(object_id)
        self._delete(gone - self.seen_docs)
        documents = [document for crawled in batch.objects for document in crawled.documents]
        access = {
            d.doc_id: _access_of(crawled, self._access)
            for crawled in batch.objects
            for d in crawled.documents
        }
        failed_before = len(self._report.failed)
        if documents:
            self._ingestor.ingest_documents(
                self._outcomes(documents, access), total=len(documents), report=self._report
            )
        self._report.changes.process.update(self._store.apply_process(batch.process))
        failed = {failure.source for failure in self._report.failed[failed_before:]}
        for crawled in batch.objects:
            self._state.set_docs(self._source, crawled.object_id, [d.doc_id for d in crawled.documents])
            reason = crawled.incomplete or next(
                (f"not indexed: {d.source}" for d in crawled.documents if d.source in failed), ""
            )
            if reason:
                self._state.set_pending(self._source, crawled.object_id, crawled.kind, reason)
            else:
                self._state.clear_pending(crawled.object_id)
        self._state.commit()

    def _outcomes(
        self, documents: Sequence[RawDocument], access: dict[str, frozenset[str]]
    ) -> Iterator[ReadOutcome]:
        # A generator: the snapshot is taken when the indexer starts consuming, holding the lock.
        known = self._store.documents()
        for document in documents:
            yield classify(document, self._source, access[document.doc_id], known)

    def _delete(self, doc_ids: set[str]) -> None:
        existing = [doc_id for doc_id in doc_ids if doc_id in self._store.documents()]
        if existing:
            self._store.delete(existing)
            self._state.forget_docs(existing)
            self._report.deleted += len(existing)
            self._report.changes.documents_deleted(existing)
