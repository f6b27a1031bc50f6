"""Readers report typed outcomes against a read-only snapshot and never need the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ingest.records import DocumentInfo, RawDocument
from ingest.sources.file_states import FileState
from ingest.sources.folder import discover, file_doc_id, read_file
from ingest.sources.incremental_folder import FolderSnapshot, read_files
from ingest.sources.outcomes import ToIndex, Unchanged, Unreadable, classify
from tests.conftest import REPO

PUBLIC = frozenset({"public"})


def _raw(doc_id: str, content_hash: str) -> RawDocument:
    return RawDocument(doc_id, f"{doc_id}.txt", b"text", ".txt", content_hash)


def _known(doc_id: str, content_hash: str, access: frozenset[str] = PUBLIC) -> DocumentInfo:
    return DocumentInfo(doc_id, f"{doc_id}.txt", "/root", content_hash, "txt", "Titel", access=access)


def test_the_content_hash_against_the_snapshot_decides_new_changed_or_unchanged() -> None:
    known = {"a": _known("a", "h1"), "b": _known("b", "h1", frozenset({"gremium"}))}

    new = classify(_raw("n", "h1"), "/root", PUBLIC, known)
    changed = classify(_raw("a", "h2"), "/root", PUBLIC, known)
    same = classify(_raw("a", "h1"), "/root", PUBLIC, known)
    regrouped = classify(_raw("b", "h1"), "/root", PUBLIC, known)

    assert isinstance(new, ToIndex) and new.new
    assert isinstance(changed, ToIndex) and not changed.new
    assert same == Unchanged("a", None)
    assert regrouped == Unchanged("b", PUBLIC)


def test_the_folder_reader_skips_a_file_by_its_recorded_state_and_reports_the_unreadable(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("alt.txt", "neu.txt", "verschwunden.txt"):
        (folder / name).write_text(f"Vorlage {name}\n", encoding="utf-8")
    stamp = time.time_ns() - 3600 * 1_000_000_000
    os.utime(folder / "alt.txt", ns=(stamp, stamp))
    (folder / "ratsinfo-access.json").write_text(json.dumps({"neu.txt": ["gremium-a"]}))
    files = list(discover(str(folder)))
    old = next(f for f in files if f.path.name == "alt.txt")
    old_hash = read_file(old, 10**6).content_hash
    stat = old.path.stat()
    snapshot = FolderSnapshot(
        documents={file_doc_id(old.path): _known(file_doc_id(old.path), old_hash)},
        file_states={file_doc_id(old.path): FileState(stat.st_size, stat.st_mtime_ns, old_hash)},
    )
    (folder / "verschwunden.txt").unlink()

    outcomes = {type(o).__name__: o for o in read_files(files, snapshot, PUBLIC, 10**6)}

    assert set(outcomes) == {"Unchanged", "ToIndex", "Unreadable"}
    assert outcomes["Unchanged"] == Unchanged(file_doc_id(old.path), None)  # skipped: not read
    fresh = outcomes["ToIndex"]
    assert isinstance(fresh, ToIndex) and fresh.new and fresh.access == frozenset({"gremium-a"})
    assert fresh.observed is not None and fresh.observed.content_hash == fresh.raw.content_hash
    gone = outcomes["Unreadable"]
    assert isinstance(gone, Unreadable) and "cannot read file" in gone.error


def test_readers_and_prepare_load_nothing_above_ingest() -> None:
    """Worker processes import ``ingest.prepare`` alone: no store, no Chroma, no assistant."""
    code = (
        "import sys, ingest.sources.incremental_folder, ingest.sources.oparl.crawl, ingest.prepare; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('assistant', 'eval', 'ui', 'chromadb')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert loaded.stdout.strip() == "[]"
