"""Preparing one document: extract, parse metadata, chunk. Pure, so it runs in worker processes.

Kept apart from the indexer so that a worker loads only this (under a second) and not the store
with Chroma and llama-index (five seconds per worker, paid on every ingest run). It builds the
``DocumentInfo`` record the store keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.errors import ExtractionError
from ingest.extract import extract
from ingest.extract.text import NO_TEXT_GERMAN
from ingest.metadata import parse_metadata
from ingest.records import Chunk, CouncilMetadata, DocumentInfo, Failure, Note, Page, RawDocument


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    document: DocumentInfo
    pages: tuple[Page, ...]
    chunks: tuple[Chunk, ...]
    notes: tuple[Note, ...] = ()  # what the ingest report should say about it (e.g. pages not read)


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


_METADATA_FIELDS = tuple(CouncilMetadata.__dataclass_fields__)


def merge_metadata(
    known: CouncilMetadata | None, parsed: CouncilMetadata, fallback: CouncilMetadata | None = None
) -> CouncilMetadata:
    """Source-system metadata wins field by field; the parser fills what it leaves empty, and
    ``fallback`` what both leave empty."""
    if known is None and fallback is None:
        return parsed
    known = known or CouncilMetadata()
    fallback = fallback or CouncilMetadata()
    merged = {
        name: getattr(known, name) or getattr(parsed, name) or getattr(fallback, name)
        for name in _METADATA_FIELDS
    }
    # A type and its family go together: never a family from one source and a type from another.
    source = next(
        (meta for meta in (known, parsed, fallback) if meta.paper_type or meta.paper_family), parsed
    )
    merged.update(paper_type=source.paper_type, paper_family=source.paper_family)
    return CouncilMetadata(**merged)


def prepare(raw: RawDocument, root: str, access: frozenset[str], max_words: int) -> PreparedDocument:
    """Extract, parse and chunk one document (pure: no I/O, safe in a worker process)."""
    extracted = extract(raw)
    metadata = merge_metadata(raw.known, parse_metadata(extracted.text, extracted.title_hint), raw.fallback)
    chunks = tuple(chunk_document(raw.doc_id, extracted.pages, max_words=max_words))
    if not chunks:
        raise ExtractionError("document contains no text", german=NO_TEXT_GERMAN)
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
        paper_family=metadata.paper_family,
        originator=metadata.originator,
        subject=metadata.subject,
        municipality=metadata.municipality,
        consultations=metadata.consultations,
        url=raw.extra.get("url", ""),
        access=access,
        page_count=len(extracted.pages),
        chunk_count=len(chunks),
    )
    return PreparedDocument(document, extracted.pages, chunks, extracted.notes)


def prepare_safely(
    job: tuple[RawDocument, str, frozenset[str], int],
) -> PreparedDocument | Failure:
    raw, root, access, max_words = job
    try:
        return prepare(raw, root, access, max_words)
    except ExtractionError as error:
        return Failure(raw.source, str(error), error.german)
    except Exception as error:  # a bug in one document must not stop the batch
        return Failure(
            raw.source,
            f"unexpected {type(error).__name__}: {error}",
            f"Unerwarteter Fehler beim Lesen ({type(error).__name__}).",
        )
