"""A catalog written before documents had a paper family opens, gains the column, and still filters."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from assistant.models import SearchFilters
from assistant.store.catalog import Catalog
from assistant.store.catalog_migrations import migrate

# The documents table as the previous version created it: ``paper_type`` held the family only.
OLD_DOCUMENTS = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, root TEXT NOT NULL, content_hash TEXT NOT NULL,
    media_type TEXT NOT NULL, title TEXT NOT NULL, reference TEXT NOT NULL, date TEXT,
    paper_type TEXT NOT NULL, originator TEXT NOT NULL, subject TEXT NOT NULL,
    municipality TEXT NOT NULL, consultations TEXT NOT NULL, url TEXT NOT NULL, access TEXT NOT NULL,
    page_count INTEGER NOT NULL, chunk_count INTEGER NOT NULL
);
"""


def _old_catalog(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(OLD_DOCUMENTS)
    for doc_id, paper_type in (("a", "Antrag"), ("b", ""), ("c", "Beschlussvorlage")):
        connection.execute(
            "INSERT INTO documents VALUES (?, ?, '/r', 'h', 'txt', 'T', '', NULL, ?, '', '', '', '[]', '', "
            "'[\"public\"]', 1, 1)",
            (doc_id, f"{doc_id}.txt", paper_type),
        )
    connection.commit()
    connection.close()


def test_an_old_catalog_gains_the_family_column_filled_from_its_normalised_types(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "catalog.sqlite3"
    _old_catalog(path)

    catalog = Catalog(path)
    documents = {document.doc_id: document for document in catalog.documents()}
    catalog.close()

    assert {d: (doc.paper_type, doc.paper_family) for d, doc in documents.items()} == {
        "a": ("Antrag", "Antrag"),
        "b": ("", ""),
        "c": ("Beschlussvorlage", "Beschlussvorlage"),
    }
    assert "catalog upgraded" in caplog.text
    assert SearchFilters(paper_types=("antrag",)).matches(documents["a"])
    # Opening it again changes nothing.
    with closing(sqlite3.connect(path)) as connection:
        assert migrate(connection) == []
