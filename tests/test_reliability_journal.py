"""A write cut short between Chroma and the catalog is undone from the catalog's journal.

The kill test (test_reliability_crash.py) resumes with the same ingest, which rewrites whatever
was cut short anyway. Here the next run has nothing to redo (the amended file was reverted), so
only the journal can tell which vectors no longer match the catalog.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings
from assistant.services import Services, build_services
from assistant.store.catalog import Catalog
from assistant.store.search_text import search_text

ORIGINAL = "Antrag\nBetreff: Spielplatz am Mühlbach\n\nDer Spielplatz erhält neue Schaukeln.\n"
AMENDED = "Antrag\nBetreff: Spielplatz am Mühlbach\n\nDer Spielplatz wird geschlossen und verkauft.\n"


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler of the code under test sees it."""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "antraege"
    folder.mkdir()
    (folder / "spielplatz.txt").write_text(ORIGINAL, encoding="utf-8")
    (folder / "radweg.txt").write_text(
        "Anfrage\nBetreff: Radweg\n\nWann kommt der Radweg?\n", encoding="utf-8"
    )
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def _stored_vectors_match_the_catalog(services: Services) -> bool:
    store = services.store
    documents = store.documents()
    chunks = list(store.catalog.iter_chunks())
    expected = services.embedder.embed_passages(
        [search_text(documents[c.doc_id], c.section, c.text) for c in chunks]
    )
    got = store.vectors._collection.get(ids=[c.chunk_id for c in chunks], include=["embeddings"])
    stored: dict[str, np.ndarray] = dict(zip(got["ids"], got["embeddings"], strict=True))  # type: ignore[arg-type]
    return all(
        np.allclose(stored[chunk.chunk_id], vector, atol=1e-5)
        for chunk, vector in zip(chunks, expected, strict=True)
    )


@pytest.fixture
def cut_short(corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Ingest, amend one file, and let the next ingest die after Chroma, before the catalog."""
    services = build_services(settings)
    services.ingestor.ingest([str(corpus)])
    (corpus / "spielplatz.txt").write_text(AMENDED, encoding="utf-8")

    def die(*_: object, **__: object) -> None:
        raise Killed

    monkeypatch.setattr(Catalog, "replace_documents", die)
    with pytest.raises(Killed):
        services.ingestor.ingest([str(corpus)])
    monkeypatch.undo()
    report = services.store.check()
    assert report.pending_documents == 1 and not report.consistent
    assert not _stored_vectors_match_the_catalog(services)  # Chroma holds the amended text
    services.close()
    (corpus / "spielplatz.txt").write_text(ORIGINAL, encoding="utf-8")  # reverted before next run
    yield


def test_the_next_ingest_restores_the_vectors_of_a_write_cut_short(
    cut_short: None, corpus: Path, settings: Settings
) -> None:
    services = build_services(settings)  # as a new process would
    try:
        report = services.ingestor.ingest([str(corpus)])
        assert (report.added, report.updated, report.unchanged) == (0, 0, 2)  # nothing to redo
        assert _stored_vectors_match_the_catalog(services)
        assert services.store.check().consistent
    finally:
        services.close()


def test_check_reports_a_write_cut_short_and_repair_undoes_it(cut_short: None, settings: Settings) -> None:
    env = {"RATSINFO_DATA_DIR": str(settings.data_dir)}
    found = CliRunner().invoke(app, ["check", "--json"], env=env)
    assert found.exit_code == 1
    assert json.loads(found.stdout)["pending_documents"] == 1

    repaired = CliRunner().invoke(app, ["check", "--repair", "--json"], env=env)
    assert repaired.exit_code == 0 and json.loads(repaired.stdout)["repaired"]
    services = build_services(settings)
    try:
        assert services.store.check().consistent and _stored_vectors_match_the_catalog(services)
    finally:
        services.close()
