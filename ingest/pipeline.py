"""The ingest pipeline: source → extract → parse metadata → chunk → embed → store.

Incremental and idempotent: a document's id comes from its absolute path, its content hash
decides whether anything happens. Unchanged documents are skipped before extraction, so a
re-run over an unchanged corpus only reads and hashes files. Extraction, parsing and chunking
are pure and run in worker processes; embedding and store writes are batched.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from assistant.access import PUBLIC
from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.errors import ExtractionError
from assistant.models import DocumentInfo
from assistant.store.store import DocumentWrite, Store
from ingest.chunking import chunk_document
from ingest.extract import extract
from ingest.metadata import parse_metadata
from ingest.records import Chunk, CouncilMetadata, Page, RawDocument
from ingest.sources.folder import SourceFile, discover, file_doc_id, read_file

PUBLIC_ACCESS = frozenset({PUBLIC})
_BATCH_CHUNKS = 2048  # chunks embedded and written together
_PARALLEL_FROM = 64  # below this many documents a process pool costs more than it saves


@dataclass(slots=True)
class Failure:
    source: str
    error: str


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


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    document: DocumentInfo
    pages: tuple[Page, ...]
    chunks: tuple[Chunk, ...]


def _title(subject: str, title_hint: str, pages: Sequence[Page], source: str) -> str:
    if subject:
        return subject
    if title_hint:
        return title_hint.strip()
    for page in pages:
        for line in page.text.splitlines():
            if len(line.strip()) > 3:
                return line.strip().lstrip("#* ").strip()[:200]
    return Path(source).stem


def merge_metadata(known: CouncilMetadata | None, parsed: CouncilMetadata) -> CouncilMetadata:
    """Source-system metadata wins field by field; the parser fills what it leaves empty."""
    if known is None:
        return parsed
    return CouncilMetadata(
        **{
            name: getattr(known, name) or getattr(parsed, name)
            for name in CouncilMetadata.__dataclass_fields__
        }
    )


def prepare(raw: RawDocument, root: str, access: frozenset[str], max_words: int) -> PreparedDocument:
    """Extract, parse and chunk one document (pure: no I/O, safe in a worker process)."""
    extracted = extract(raw)
    metadata = merge_metadata(raw.known, parse_metadata(extracted.text, extracted.title_hint))
    chunks = tuple(chunk_document(raw.doc_id, extracted.pages, max_words=max_words))
    if not chunks:
        raise ExtractionError("document contains no text")
    document = DocumentInfo(
        doc_id=raw.doc_id,
        source=raw.source,
        root=root,
        content_hash=raw.content_hash,
        media_type=raw.suffix.lstrip("."),
        title=_title(metadata.subject, extracted.title_hint, extracted.pages, raw.source),
        reference=metadata.reference,
        date=metadata.date,
        paper_type=metadata.paper_type,
        originator=metadata.originator,
        subject=metadata.subject,
        municipality=metadata.municipality,
        consultations=metadata.consultations,
        url=raw.extra.get("url", ""),
        access=access,
        page_count=len(extracted.pages),
        chunk_count=len(chunks),
    )
    return PreparedDocument(document, extracted.pages, chunks)


def _prepare_safely(
    job: tuple[RawDocument, str, frozenset[str], int],
) -> PreparedDocument | Failure:
    raw, root, access, max_words = job
    try:
        return prepare(raw, root, access, max_words)
    except ExtractionError as error:
        return Failure(raw.source, str(error))
    except Exception as error:  # a bug in one document must not stop the batch
        return Failure(raw.source, f"unexpected {type(error).__name__}: {error}")


def _prepared(
    jobs: list[tuple[RawDocument, str, frozenset[str], int]],
) -> Iterator[PreparedDocument | Failure]:
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < _PARALLEL_FROM or workers == 1:
        yield from map(_prepare_safely, jobs)
        return
    # forkserver: forking a process that has loaded torch or Chroma's threads is unsafe.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_prepare_safely, jobs, chunksize=16)


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
        """Ingest files and folders; with ``prune``, delete documents gone from those folders."""
        report = IngestReport()
        files, roots = self._discover(arguments, report)
        max_bytes = int(self._settings.max_file_mb * 1e6)
        unreadable: set[str] = set()  # still present, so never pruned: a bad file loses nothing

        def read_all() -> Iterator[tuple[RawDocument, str]]:
            for source_file in files:
                try:
                    yield read_file(source_file, max_bytes), source_file.root
                except ExtractionError as error:
                    unreadable.add(file_doc_id(source_file.path))
                    report.failed.append(Failure(source_file.source, str(error)))

        return self.ingest_documents(
            read_all(),
            len(files),
            access=access,
            prune_roots=roots if prune else (),
            present=unreadable,
            report=report,
            on_progress=on_progress,
        )

    def ingest_documents(
        self,
        documents: Iterable[tuple[RawDocument, str]],
        total: int = 0,
        access: frozenset[str] = PUBLIC_ACCESS,
        prune_roots: Sequence[str] = (),
        present: set[str] | None = None,
        report: IngestReport | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        """Ingest (raw document, root) pairs from any source; the hash decides what is redone.

        ``prune_roots``: delete documents of these roots that were neither among ``documents``
        nor in ``present`` (ids of documents that exist but could not be read this time).
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
            previous = known.get(raw.doc_id)
            if previous is not None and previous.content_hash == raw.content_hash:
                report.unchanged += 1
                if previous.access != access:  # permissions change without re-embedding
                    self._store.set_access(raw.doc_id, access)
                if on_progress:
                    on_progress(done, total)
                continue
            jobs.append((raw, root, access, self._settings.chunk_max_words))
        done -= len(jobs)
        for batch in self._batches(_prepared(jobs), report):
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
        self._store.bm25()  # rebuild now, not on the first query
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
        results: Iterable[PreparedDocument | Failure], report: IngestReport
    ) -> Iterator[list[PreparedDocument]]:
        batch: list[PreparedDocument] = []
        chunk_count = 0
        for result in results:
            if isinstance(result, Failure):
                report.failed.append(result)
                continue
            batch.append(result)
            chunk_count += len(result.chunks)
            if chunk_count >= _BATCH_CHUNKS:
                yield batch
                batch, chunk_count = [], 0
        if batch:
            yield batch

    def _write(
        self, batch: list[PreparedDocument], known: dict[str, DocumentInfo], report: IngestReport
    ) -> None:
        texts = [chunk.text for prepared in batch for chunk in prepared.chunks]
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
