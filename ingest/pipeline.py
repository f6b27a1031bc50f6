"""The ingest pipeline: source → extract → parse metadata → chunk → embed → store.

Incremental and idempotent: a document's id comes from its absolute path, its content hash
decides whether anything happens. Unchanged documents are skipped before extraction; files
whose size and mtime are as last recorded are not even read, so a re-run over an unchanged
folder costs a stat per file. Extraction, parsing and chunking are pure (``ingest.prepare``)
and run in worker processes; embedding and store writes are batched.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from assistant.access import PUBLIC
from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.models import DocumentInfo
from assistant.store.bm25_index import saved_generation
from assistant.store.search_text import search_text
from assistant.store.store import DocumentWrite, Store
from ingest.prepare import Failure, PreparedDocument, merge_metadata, prepare, prepare_safely
from ingest.records import RawDocument
from ingest.sources.folder import SourceFile, discover
from ingest.sources.incremental_folder import IncrementalFolderReader

__all__ = [
    "PUBLIC_ACCESS",
    "Failure",
    "IngestReport",
    "Ingestor",
    "PreparedDocument",
    "merge_metadata",
    "prepare",
]

PUBLIC_ACCESS = frozenset({PUBLIC})
_PARALLEL_FROM = 64  # below this many documents a process pool costs more than it saves
# ... and below this many bytes: starting the pool takes a second or two, while a few hundred
# small or empty texts are prepared inline in well under one.
_PARALLEL_BYTES = 2_000_000


@dataclass(slots=True)
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0  # chunks embedded and written in this run
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": [{"source": f.source, "error": f.error} for f in self.failed],
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }


def _prepared(
    jobs: list[tuple[RawDocument, str, frozenset[str], int]],
) -> Iterator[PreparedDocument | Failure]:
    workers = min(os.cpu_count() or 1, 8)
    small = sum(len(raw.data) for raw, *_ in jobs) < _PARALLEL_BYTES
    if len(jobs) < _PARALLEL_FROM or small or workers == 1:
        yield from map(prepare_safely, jobs)
        return
    # forkserver: forking a process that has loaded torch or Chroma's threads is unsafe. The
    # server imports the (light) preparation module once and forks workers that have it;
    # "__main__" stays preloaded, as by default, or each worker would import it again.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "ingest.prepare"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(prepare_safely, jobs, chunksize=16)


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
    ) -> IngestReport:
        """Ingest files and folders; with ``prune``, delete documents gone from those folders.

        Files unchanged since the last ingest (same size and mtime, see ``incremental_folder``)
        are not read again; a bad file is reported and, still present, never pruned.
        """
        report = IngestReport()
        files, roots = self._discover(arguments, report)
        reader = IncrementalFolderReader(
            self._store,
            access,
            int(self._settings.max_file_mb * 1e6),
            on_failure=lambda source, error: report.failed.append(Failure(source, error)),
            on_progress=on_progress,
        )
        self.ingest_documents(
            reader.documents(files),
            len(files),
            access=access,
            prune_roots=roots if prune else (),
            present=reader.present,
            report=report,
            on_progress=reader.progress,
            access_of=reader.access_of,
        )
        report.unchanged += reader.unchanged
        reader.finish()
        return report

    @_exclusive
    def ingest_documents(
        self,
        documents: Iterable[tuple[RawDocument, str]],
        total: int = 0,
        access: frozenset[str] = PUBLIC_ACCESS,
        prune_roots: Sequence[str] = (),
        present: set[str] | None = None,
        report: IngestReport | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        access_of: Mapping[str, frozenset[str]] | None = None,
    ) -> IngestReport:
        """Ingest (raw document, root) pairs from any source; the hash decides what is redone.

        ``prune_roots``: delete documents of these roots that were neither among ``documents``
        nor in ``present`` (ids of documents that exist but could not be read this time).
        ``access_of``: doc_id → access for documents that differ from ``access``; it may be
        filled while ``documents`` is consumed.
        """
        started = time.perf_counter()
        report = report or IngestReport()
        known = self._store.documents()
        jobs: list[tuple[RawDocument, str, frozenset[str], int]] = []
        seen: set[str] = set()
        done = 0
        for raw, root in documents:
            done += 1
            if raw.doc_id in seen:
                continue
            seen.add(raw.doc_id)
            doc_access = access_of.get(raw.doc_id, access) if access_of is not None else access
            previous = known.get(raw.doc_id)
            if previous is not None and previous.content_hash == raw.content_hash:
                report.unchanged += 1
                if previous.access != doc_access:  # permissions change without re-embedding
                    self._store.set_access(raw.doc_id, doc_access)
                if on_progress:
                    on_progress(done, total)
                continue
            jobs.append((raw, root, doc_access, self._settings.chunk_max_words))
        done -= len(jobs)
        for batch in self._batches(_prepared(jobs), report, self._settings.ingest_batch_chunks):
            self._write(batch, known, report)
            done += len(batch)
            if on_progress:
                on_progress(done, total)
        if prune_roots:
            gone = [
                doc_id
                for root in prune_roots
                for doc_id in self._store.catalog.doc_ids_under_root(root)
                if doc_id not in seen and doc_id not in (present or set())
            ]
            self._store.delete(gone)
            report.deleted += len(gone)
        if saved_generation(self._settings.bm25_dir) != self._store.catalog.generation:
            self._store.bm25()  # rebuild now, not on the first query; an unchanged store keeps its own
        report.seconds += time.perf_counter() - started
        return report

    @staticmethod
    def _discover(arguments: Sequence[str], report: IngestReport) -> tuple[list[SourceFile], list[str]]:
        files: list[SourceFile] = []
        roots: list[str] = []
        for argument in arguments:
            try:
                found = list(discover(argument))
            except (FileNotFoundError, OSError) as error:
                report.failed.append(Failure(argument, str(error)))
                continue
            files.extend(found)
            # Prune only inside folders that were walked, never the parent of a single file.
            if Path(argument).expanduser().resolve().is_dir():
                roots.append(str(Path(argument).expanduser().resolve()))
        return files, roots

    @staticmethod
    def _batches(
        results: Iterable[PreparedDocument | Failure], report: IngestReport, size: int
    ) -> Iterator[list[PreparedDocument]]:
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

    def _write(
        self, batch: list[PreparedDocument], known: dict[str, DocumentInfo], report: IngestReport
    ) -> None:
        texts = [
            search_text(prepared.document, chunk.section, chunk.text)
            for prepared in batch
            for chunk in prepared.chunks
        ]
        vectors = self._embedder.embed_passages(texts)
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
            if prepared.document.doc_id in known:
                report.updated += 1
            else:
                report.added += 1
        self._store.write(writes)
        report.chunks += len(texts)
