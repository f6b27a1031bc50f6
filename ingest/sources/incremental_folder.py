"""Reads the files of a folder ingest against a snapshot of the index, skipping unchanged ones by stat.

A re-ingest of an unchanged corpus used to read and hash every file; now a file whose size and
mtime match its recorded state (see ``file_states``) and whose document the snapshot holds with
the recorded hash costs one ``stat``. Access is still decided per file (a folder's manifest beats
``--group``), so a changed manifest or ``--group`` changes permissions of skipped files too,
without re-embedding them.

The reader reports one outcome per file (see ``outcomes``) and writes nothing: the indexer
applies the outcomes to the store and records the observed file states.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ExtractionError
from ingest.records import DocumentInfo
from ingest.sources.access_manifest import AccessManifests
from ingest.sources.file_states import FileState, observed
from ingest.sources.folder import SourceFile, file_doc_id, read_file, unreadable_file
from ingest.sources.outcomes import ReadOutcome, Unchanged, Unreadable, classify


@dataclass(frozen=True, slots=True)
class FolderSnapshot:
    """What the index holds before a folder run: its documents and the file states recorded."""

    documents: Mapping[str, DocumentInfo]
    file_states: Mapping[str, FileState]


def read_files(
    files: Sequence[SourceFile], snapshot: FolderSnapshot, access: frozenset[str], max_bytes: int
) -> Iterator[ReadOutcome]:
    """One outcome per file, in order; a file is read only when the indexer asks for its outcome.

    ``access`` is what a file gets when no access manifest above it names its groups.
    """
    manifests = AccessManifests()
    now_ns = time.time_ns()
    for source_file in files:
        yield _outcome(source_file, snapshot, manifests, access, max_bytes, now_ns)


def _outcome(
    source_file: SourceFile,
    snapshot: FolderSnapshot,
    manifests: AccessManifests,
    default_access: frozenset[str],
    max_bytes: int,
    now_ns: int,
) -> ReadOutcome:
    doc_id = file_doc_id(source_file.path)
    try:
        access = manifests.access_for(source_file.path, Path(source_file.root)) or default_access
        stat = _stat(source_file.path)
        state = snapshot.file_states.get(doc_id)
        previous = snapshot.documents.get(doc_id)
        if (
            state is not None
            and previous is not None
            and previous.content_hash == state.content_hash
            and state.matches(stat)
        ):  # not read: permissions may still change, without reading or re-embedding
            return Unchanged(doc_id, None if previous.access == access else access)
        raw = read_file(source_file, max_bytes)
    except ExtractionError as error:
        return Unreadable(doc_id, source_file.source, str(error), error.german)
    return classify(
        raw, source_file.root, access, snapshot.documents, observed(stat, raw.content_hash, now_ns)
    )


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except OSError as error:
        raise unreadable_file(error) from error
