"""A batch of arbitrary files never stops an ingest and never puts anything but text in the store.

Each example writes a folder of files as exports hold them (good, odd, damaged, binary: see
``tests.strategies.council_files``) and ingests it into one real store. Every file is accounted
for (indexed or reported), nothing stored fails the text rule, and every stored chunk is the
exact slice of its page text that a citation points at.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.access import LOCAL_OPERATOR
from assistant.config import Settings
from assistant.services import Services, build_services
from ingest.extract.text_quality import garbage_reason
from tests.strategies import council_files

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_folders = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, Path]]:
    """One store for every example (a store per example would cost seconds each)."""
    root = tmp_path_factory.mktemp("property-batches")
    services = build_services(Settings(data_dir=root / "data"))
    yield services, root
    services.close()


# Each example ingests a folder: half the profile's examples keep `make test` fast.
@settings(max_examples=max(10, settings.default.max_examples // 2))
@given(files=st.lists(council_files(), min_size=1, max_size=5))
def test_any_batch_of_files_is_indexed_or_reported_and_only_text_is_stored(
    store: tuple[Services, Path], files: list[tuple[str, bytes]]
) -> None:
    services, root = store
    folder = root / f"batch-{next(_folders)}"
    folder.mkdir()
    for number, (suffix, data) in enumerate(files):
        (folder / f"datei-{number}{suffix}").write_bytes(data)

    report = services.ingestor.ingest([str(folder)])

    assert report.added + report.unchanged + len(report.failed) == len(files), report.to_dict()
    assert all(failure.error and failure.message for failure in report.failed)
    catalog = services.store.catalog
    for document in catalog.documents():
        if document.root != str(folder.resolve()):
            continue
        pages = {page.number: page.text for page in catalog.pages(document.doc_id)}
        text = "\n\n".join(pages.values())
        assert garbage_reason(text) is None and not _CONTROLS.search(text), text[:200]
        chunks = catalog.chunks_of(document.doc_id)
        assert len(chunks) == document.chunk_count > 0
        for chunk in chunks:
            assert pages[chunk.page][chunk.start : chunk.end] == chunk.text
    for passage in services.retriever.search("Antrag Grünfläche Radweg", LOCAL_OPERATOR, k=5):
        page = catalog.pages(passage.document.doc_id)[passage.chunk.page - 1]
        assert page.text[passage.chunk.start : passage.chunk.end] == passage.chunk.text
