"""The indexer: applies what the readers report to the store. source → read → prepare → embed → store.

Readers (``ingest/sources``) get a read-only snapshot of the store and report each document as
new, changed, unchanged (perhaps with new access) or unreadable (``ingest.sources.outcomes``);
only this module writes: it sets access without re-embedding, prepares what is new or changed
(``ingest.prepare``: extract, parse metadata, chunk; pure, in worker processes), embeds and
writes in batches, prunes, and leaves the rebuild of BM25 to the store (``refresh_bm25``).

Incremental and idempotent: a document's id comes from its absolute path (or OParl id), its
content hash decides whether anything happens; files whose size and mtime are as last recorded
are not even read, so a re-run over an unchanged folder costs a stat per file.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Concatenate, ParamSpec, TypeVar

from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.indexing.report import IngestReport
from assistant.indexing.workers import Job, prepare_all
from assistant.store.passage_vectors import EmbedCounts, passage_vectors
from assistant.store.search_text import search_text
from assistant.store.store import DocumentWrite, Store
from ingest.access_labels import PUBLIC
from ingest.prepare import PreparedDocument
from ingest.records import Failure
from ingest.sources.file_states import FILE_STATES_NAME, FileState, FileStates
from ingest.sources.folder import SourceFile, discover
from ingest.sources.incremental_folder import FolderSnapshot, read_files
from ingest.sources.outcomes import ReadOutcome, Unchanged, Unreadable

PUBLIC_ACCESS = frozenset({PUBLIC})

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _exclusive(
    method: Callable[Concatenate[Ingestor, _P], _R],
) -> Callable[Concatenate[Ingestor, _P], _R]:
    """Run ``method`` holding the data dir's writer lock (StoreBusyError if another writer runs)."""

    @functools.wraps(method)
    def locked(self: Ingestor, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._store.writing("ingest"):
            return method(self, *args, **kwargs)

    return locked


class Ingestor:
    def __init__(self, store: Store, embedder: Embedder, settings: Settings) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings

    def ingest(
        self,
        arguments: Sequence[str],
        access: frozenset[str] = PUBLIC_ACCESS,
        prune: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
        report: IngestReport | None = None,
    ) -> IngestReport:
        """Ingest files and folders; with ``prune``, delete documents gone from those folders.

        ``report``: filled as the run goes (e.g. chunks written so far, for a progress display).

        Files unchanged since the last ingest (same size and mtime, see ``file_states``) are not
        read again; a bad file is reported and, still present, never pruned.
        """
        report = report if report is not None else IngestReport()
        files, roots = _discover(arguments, report)
        states = FileStates(self._store.data_dir / FILE_STATES_NAME)
        with self._store.writing("ingest"):  # the snapshot stays true until the run applied it
            snapshot = FolderSnapshot(MappingProxyType(self._store.documents()), states.load())
            return self.ingest_documents(
                read_files(files, snapshot, access, int(self._settings.max_file_mb * 1e6)),
                len(files),
                prune_roots=roots if prune else (),
                report=report,
                on_progress=on_progress,
                file_states=states,
            )

    @_exclusive
    def ingest_documents(
        self,
        outcomes: Iterable[ReadOutcome],
        total: int = 0,
        prune_roots: Sequence[str] = (),
        report: IngestReport | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        file_states: FileStates | None = None,
    ) -> IngestReport:
        """Apply a reader's outcomes, consumed one by one: the first of a doc_id counts.

        ``prune_roots``: delete documents of these roots that no outcome named (an unreadable
        document is named, so it stays). ``file_states``: record there the file states observed
        by the reader, for the files whose content the store now holds.
        """
        started = time.perf_counter()
        report = report or IngestReport()
        jobs: list[Job] = []
        updates: set[str] = set()  # changed documents (the others are new)
        observed: dict[str, FileState] = {}
        seen: set[str] = set()
        done = 0
        for outcome in outcomes:
            if outcome.doc_id in seen:  # the same file named twice
                done += 1
                continue
            seen.add(outcome.doc_id)
            if isinstance(outcome, Unreadable):
                report.failed.append(Failure(outcome.source, outcome.error, outcome.message))
                continue
            if outcome.observed is not None:
                observed[outcome.doc_id] = outcome.observed
            if isinstance(outcome, Unchanged):
                report.unchanged += 1
                if outcome.new_access is not None:  # permissions change without re-embedding
                    self._store.set_access(outcome.doc_id, outcome.new_access)
                    report.changes.access_changed.add(outcome.doc_id)
                done += 1
                if on_progress:
                    on_progress(done, total)
                continue
            if not outcome.new:
                updates.add(outcome.doc_id)
            jobs.append((outcome.raw, outcome.root, outcome.access, self._settings.chunk_max_words))
        for batch in _batches(prepare_all(jobs), report, self._settings.ingest_batch_chunks):
            self._write(batch, updates, report)
            done += len(batch)
            if on_progress:
                on_progress(done, total)
        if prune_roots:
            gone = [
                doc_id
                for root in prune_roots
                for doc_id in self._store.catalog.doc_ids_under_root(root)
                if doc_id not in seen
            ]
            self._store.delete(gone)
            report.deleted += len(gone)
            report.changes.documents_deleted(gone)
        self._store.refresh_bm25()
        if file_states is not None:
            hashes = self._store.catalog.hashes()
            file_states.record(
                (doc_id, state)
                for doc_id, state in observed.items()
                if hashes.get(doc_id) == state.content_hash
            )
        report.seconds += time.perf_counter() - started
        return report

    def _write(self, batch: list[PreparedDocument], updates: set[str], report: IngestReport) -> None:
        texts = [
            search_text(prepared.document, chunk.section, chunk.text)
            for prepared in batch
            for chunk in prepared.chunks
        ]
        counts = EmbedCounts()
        vectors = passage_vectors(texts, self._embedder, self._store.catalog, self._store.vectors, counts)
        report.embedded += counts.embedded
        writes = []
        offset = 0
        for prepared in batch:
            count = len(prepared.chunks)
            writes.append(
                DocumentWrite(
                    prepared.document, prepared.pages, prepared.chunks, vectors[offset : offset + count]
                )
            )
            offset += count
            report.warnings.extend(
                Failure(prepared.document.source, note.english, note.german) for note in prepared.notes
            )
            if prepared.document.doc_id in updates:
                report.updated += 1
            else:
                report.added += 1
            report.changes.document_added(prepared.document.doc_id, prepared.document.doc_id not in updates)
        self._store.write(writes)
        report.chunks += len(texts)


def _discover(arguments: Sequence[str], report: IngestReport) -> tuple[list[SourceFile], list[str]]:
    """The files under the arguments, and the folders among them (the scope of ``--prune``)."""
    files: list[SourceFile] = []
    roots: list[str] = []
    for argument in arguments:
        try:
            found = list(discover(argument))
        except FileNotFoundError as error:
            report.failed.append(Failure(argument, str(error), "Datei oder Ordner nicht gefunden."))
            continue
        except OSError as error:
            message = f"Datei oder Ordner lässt sich nicht lesen ({error.strerror or error})."
            report.failed.append(Failure(argument, str(error), message))
            continue
        files.extend(found)
        # Prune only inside folders that were walked, never the parent of a single file.
        if Path(argument).expanduser().resolve().is_dir():
            roots.append(str(Path(argument).expanduser().resolve()))
    return files, roots


def _batches(
    results: Iterable[PreparedDocument | Failure], report: IngestReport, size: int
) -> Iterator[list[PreparedDocument]]:
    """Prepared documents in batches of about ``size`` chunks; failures go to the report."""
    batch: list[PreparedDocument] = []
    chunk_count = 0
    for result in results:
        if isinstance(result, Failure):
            report.failed.append(result)
            continue
        batch.append(result)
        chunk_count += len(result.chunks)
        if chunk_count >= size:
            yield batch
            batch, chunk_count = [], 0
    if batch:
        yield batch
