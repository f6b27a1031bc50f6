"""Reads the files of a folder ingest, skipping those unchanged since the last one by their stat.

A re-ingest of an unchanged corpus used to read and hash every file; now a file whose size and
mtime match its recorded state (see ``file_states``) and whose document the catalog holds with
the recorded hash costs one ``stat``. Access is still decided per file, so a changed manifest or
``--group`` changes permissions of skipped files too, without re-embedding them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from assistant.errors import ExtractionError
from assistant.store.store import Store
from ingest.records import RawDocument
from ingest.sources.access_manifest import AccessManifests
from ingest.sources.file_states import FileState, FileStates, observed
from ingest.sources.folder import SourceFile, file_doc_id, read_file

FILE_STATES_NAME = "file-states.sqlite3"


class IncrementalFolderReader:
    """One ingest run's reads: ``documents()`` yields what must be read, ``finish()`` records states."""

    def __init__(
        self,
        store: Store,
        access: frozenset[str],
        max_bytes: int,
        on_failure: Callable[[str, str], None],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self._store = store
        self._access = access
        self._max_bytes = max_bytes
        self._on_failure = on_failure
        self._on_progress = on_progress
        self._states = FileStates(store.data_dir / FILE_STATES_NAME)
        self._manifests = AccessManifests()
        self._observed: dict[str, FileState] = {}
        self._skipped = 0
        self._done = 0  # what the pipeline last reported as done
        self.unchanged = 0
        self.present: set[str] = set()  # not read, but never to be pruned: unreadable or unchanged
        self.access_of: dict[str, frozenset[str]] = {}  # per file: a folder's manifest beats --group

    def progress(self, done: int, total: int) -> None:
        """The pipeline's progress callback: adds the files skipped so far."""
        self._done = done
        if self._on_progress:
            self._on_progress(done + self._skipped, total)

    def documents(self, files: Sequence[SourceFile]) -> Iterator[tuple[RawDocument, str]]:
        """(raw document, root) of every file that must be read; consumed under the writer lock."""
        # Loaded here, not in __init__: the pipeline consumes this generator holding the lock.
        recorded = self._states.load()
        known = self._store.documents()
        now_ns = time.time_ns()
        for source_file in files:
            doc_id = file_doc_id(source_file.path)
            try:
                granted = self._manifests.access_for(source_file.path, Path(source_file.root))
                access = granted or self._access
                try:
                    stat = source_file.path.stat()
                except OSError as error:
                    raise ExtractionError(f"cannot read file: {error.strerror or error}") from error
                state = recorded.get(doc_id)
                previous = known.get(doc_id)
                if (
                    state is not None
                    and previous is not None
                    and previous.content_hash == state.content_hash
                    and state.matches(stat)
                ):
                    self._skip(doc_id, previous.access, access, len(files))
                    continue
                raw = read_file(source_file, self._max_bytes)
            except ExtractionError as error:
                self.present.add(doc_id)
                self._on_failure(source_file.source, str(error))
                continue
            self._observed[doc_id] = observed(stat, raw.content_hash, now_ns)
            self.access_of[doc_id] = access
            yield raw, source_file.root

    def _skip(self, doc_id: str, old: frozenset[str], new: frozenset[str], total: int) -> None:
        self.unchanged += 1
        self._skipped += 1
        self.present.add(doc_id)
        if old != new:  # permissions change without reading or re-embedding
            self._store.set_access(doc_id, new)
        if self._on_progress:
            self._on_progress(self._done + self._skipped, total)

    def finish(self) -> None:
        """Record the states of files whose document the catalog now holds with the hash read."""
        hashes = self._store.catalog.hashes()
        self._states.record(
            (doc_id, state)
            for doc_id, state in self._observed.items()
            if hashes.get(doc_id) == state.content_hash
        )
