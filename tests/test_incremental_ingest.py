"""A re-ingest skips files by size and mtime; the content hash still decides when they differ."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.access import LOCAL_OPERATOR
from assistant.services import Services
from ingest.records import RawDocument
from ingest.sources import incremental_folder
from ingest.sources.folder import SourceFile, file_doc_id
from tests.test_ingest_pipeline import DOCUMENTS, _write_corpus

HOUR_NS = 3600 * 1_000_000_000


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files the folder source actually read (a spy on the real reader)."""
    seen: list[str] = []
    real_read = incremental_folder.read_file

    def spy(source_file: SourceFile, max_bytes: int) -> RawDocument:
        seen.append(source_file.path.name)
        return real_read(source_file, max_bytes)

    monkeypatch.setattr(incremental_folder, "read_file", spy)
    return seen


def _age(folder: Path, seconds_ago: int = 3600) -> None:
    """Set every file's mtime well before now: out of the racy window."""
    stamp = time.time_ns() - seconds_ago * 1_000_000_000
    for path in folder.iterdir():
        os.utime(path, ns=(stamp, stamp))


def test_reingest_of_an_unchanged_folder_reads_no_file(
    services: Services, tmp_path: Path, reads: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    _age(corpus)
    services.ingestor.ingest([str(corpus)])
    reads.clear()

    again = services.ingestor.ingest([str(corpus)])

    assert reads == []
    assert (again.unchanged, again.added, again.updated, again.chunks) == (len(DOCUMENTS), 0, 0, 0)


def test_a_changed_file_with_a_new_mtime_is_read_and_reindexed(
    services: Services, tmp_path: Path, reads: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    _age(corpus, 7200)
    services.ingestor.ingest([str(corpus)])
    changed = corpus / "vorlage-schwimmbad.txt"
    extended = DOCUMENTS["vorlage-schwimmbad.txt"] + "\nDer Kiosk wird verpachtet.\n"
    changed.write_text(extended, encoding="utf-8")
    _age(corpus, 3600)
    reads.clear()

    report = services.ingestor.ingest([str(corpus)])

    assert report.updated == 1 and report.unchanged == len(DOCUMENTS) - 1
    assert sorted(reads) == sorted(DOCUMENTS)  # all mtimes moved: all hashed, one re-extracted
    hits = services.retriever.search("Kiosk verpachtet", LOCAL_OPERATOR)
    assert hits and hits[0].document.source.endswith("vorlage-schwimmbad.txt")


def test_a_touched_file_is_hashed_once_then_skipped_again(
    services: Services, tmp_path: Path, reads: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    _age(corpus, 7200)
    services.ingestor.ingest([str(corpus)])
    touched = corpus / "antrag-baeume.txt"
    stamp = time.time_ns() - HOUR_NS
    os.utime(touched, ns=(stamp, stamp))
    reads.clear()

    first = services.ingestor.ingest([str(corpus)])
    read_then = list(reads)
    reads.clear()
    second = services.ingestor.ingest([str(corpus)])

    assert read_then == ["antrag-baeume.txt"] and first.chunks == 0 and first.unchanged == len(DOCUMENTS)
    assert reads == [] and second.unchanged == len(DOCUMENTS)


def test_files_modified_just_now_are_hashed_again_next_time(
    services: Services, tmp_path: Path, reads: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)  # mtimes are now: a same-size rewrite could keep them
    services.ingestor.ingest([str(corpus)])
    reads.clear()

    report = services.ingestor.ingest([str(corpus)])

    assert sorted(reads) == sorted(DOCUMENTS) and report.unchanged == len(DOCUMENTS)


def test_a_state_is_not_trusted_once_its_document_left_the_catalog(
    services: Services, tmp_path: Path, reads: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    _age(corpus)
    services.ingestor.ingest([str(corpus)])
    gone = corpus / "anfrage-laternen.txt"
    services.store.delete([file_doc_id(gone.resolve())])
    reads.clear()

    report = services.ingestor.ingest([str(corpus)])

    assert reads == ["anfrage-laternen.txt"] and report.added == 1


def test_permissions_of_skipped_files_follow_the_new_group(
    services: Services, tmp_path: Path, reads: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    _age(corpus)
    services.ingestor.ingest([str(corpus)])
    reads.clear()

    report = services.ingestor.ingest([str(corpus)], access=frozenset({"gremium-a"}))

    assert reads == [] and report.unchanged == len(DOCUMENTS)
    assert {document.access for document in services.store.catalog.documents()} == {frozenset({"gremium-a"})}
