"""An API host fed by replication finds the BM25 index of its catalog's generation by name."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.models import StoredChunk
from assistant.store.bm25_index import Bm25Index, saved_generation
from ingest.records import DocumentInfo

DOCUMENT = DocumentInfo(doc_id="d1", source="d1.txt", root="/", content_hash="h", media_type="txt", title="")


def _index(generation: int, text: str) -> Bm25Index:
    chunk = StoredChunk(
        chunk_id="d1:0", doc_id="d1", index=0, page=1, section="", start=0, end=len(text), text=text
    )
    return Bm25Index.build([chunk], {"d1": DOCUMENT}, generation)


def test_the_folder_of_the_wanted_generation_wins_over_a_pointer_that_lags(tmp_path: Path) -> None:
    host, worker = tmp_path / "api-host", tmp_path / "worker"
    _index(1, "Haushalt der Stadt").save(host)
    _index(2, "Sanierung des Freibads").save(worker)
    # Replication copied the new generation's folder; the pointer has not arrived yet.
    shutil.copytree(worker / "gen-2", host / "gen-2")

    assert saved_generation(host) == 1
    current = Bm25Index.load(host, 2)
    assert current is not None and current.generation == 2
    assert [hit.chunk_id for hit in current.search("Freibad", 5)] == ["d1:0"]
    lagging = Bm25Index.load(host)
    assert lagging is not None and lagging.generation == 1
    missing = Bm25Index.load(host, 3)  # no such folder: the pointer's index, which is rebuilt
    assert missing is not None and missing.generation == 1
