"""Incremental, idempotent ingest into a real persistent store; prune; crash repair."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.access import LOCAL_OPERATOR
from assistant.config import Settings
from assistant.errors import StoreMismatchError
from assistant.services import Services, build_services
from ingest.records import Chunk

DOCUMENTS = {
    "antrag-baeume.txt": """Stadt Musterhausen
Antrag
Drucksache Nr.: A/2024/101
Datum: 03.05.2024
Einreicher: SPD-Fraktion
Betreff: Mehr Straßenbäume in der Altstadt

Beschlussvorschlag:
Die Verwaltung wird beauftragt, bis Ende 2024 in der Altstadt 40 zusätzliche Straßenbäume zu pflanzen.

Begründung:
Straßenbäume spenden Schatten und kühlen die Innenstadt in heißen Sommern spürbar ab.
""",
    "anfrage-laternen.txt": """Stadt Musterhausen
Anfrage
Drucksache Nr.: AF/2024/017
Datum: 12.06.2024
Einreicher: FDP-Fraktion
Betreff: Umrüstung der Straßenbeleuchtung auf LED

1. Wie viele Laternen sind bereits auf LED umgerüstet?
2. Welche Einsparung an Strom erwartet die Verwaltung?
""",
    "vorlage-schwimmbad.txt": """Stadt Musterhausen
Beschlussvorlage
Vorlage Nr.: BV/2024/033
Datum: 20.08.2024
Betreff: Sanierung des Freibads am Mühlenteich

Sachverhalt:
Das Freibad am Mühlenteich muss saniert werden. Die Kosten betragen 2,4 Millionen Euro.
""",
}


def _write_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")


def _snapshot(services: Services) -> tuple[object, ...]:
    """Everything an ingest could change: catalog rows, chunk texts, vectors' ids and metadata."""
    documents = sorted((d.doc_id, d.content_hash, d.chunk_count) for d in services.store.catalog.documents())
    chunks = sorted((c.chunk_id, c.text, c.start, c.end) for c in services.store.catalog.iter_chunks())
    collection = services.store.vectors._collection
    stored = collection.get(include=["metadatas", "embeddings"])
    vectors = sorted(
        (id_, tuple(sorted((k, str(v)) for k, v in meta.items())), np.round(emb, 5).tobytes())
        for id_, meta, emb in zip(stored["ids"], stored["metadatas"], stored["embeddings"], strict=True)
    )
    return documents, chunks, vectors, services.store.bm25().chunk_ids


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services()


def test_first_ingest_adds_documents_and_reports_bad_files(services: Services, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    (corpus / "kaputt.pdf").write_bytes(b"%PDF-1.7 this is not a pdf")
    (corpus / "tabelle.xls").write_bytes(b"\x00\x01")

    report = services.ingestor.ingest([str(corpus)])

    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    failed = {Path(f.source).name: f.error for f in report.failed}
    assert set(failed) == {"kaputt.pdf", "tabelle.xls"}
    assert "unsupported" in failed["tabelle.xls"]
    assert report.chunks == services.store.vectors.count() == services.store.catalog.counts()[2]
    sources = {d.source for d in services.store.catalog.documents()}
    assert str(corpus / "antrag-baeume.txt") in sources  # the path as given


def test_second_ingest_changes_nothing(services: Services, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    services.ingestor.ingest([str(corpus)])
    before = _snapshot(services)

    report = services.ingestor.ingest([str(corpus)])

    assert (report.added, report.updated, report.unchanged, report.chunks) == (0, 0, 3, 0)
    assert _snapshot(services) == before


def test_changed_document_replaces_its_chunks(services: Services, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    services.ingestor.ingest([str(corpus)])
    path = corpus / "vorlage-schwimmbad.txt"
    path.write_text(path.read_text().replace("2,4 Millionen", "3,1 Millionen"), encoding="utf-8")

    report = services.ingestor.ingest([str(corpus)])

    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    texts = " ".join(c.text for c in services.store.catalog.iter_chunks())
    assert "3,1 Millionen" in texts and "2,4 Millionen" not in texts
    assert services.store.vectors.ids() == services.store.catalog.chunk_ids()


def test_prune_deletes_documents_gone_from_the_folder(services: Services, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    services.ingestor.ingest([str(corpus)])
    (corpus / "anfrage-laternen.txt").unlink()

    kept = services.ingestor.ingest([str(corpus)])
    assert kept.deleted == 0 and services.store.catalog.counts()[0] == 3

    pruned = services.ingestor.ingest([str(corpus)], prune=True)

    assert pruned.deleted == 1
    assert services.store.catalog.counts()[0] == 2
    assert services.store.vectors.ids() == services.store.catalog.chunk_ids()
    hits = services.retriever.search("Laternen LED Umrüstung", LOCAL_OPERATOR)
    assert all(hit.document.reference != "AF/2024/017" for hit in hits)


def test_opening_with_another_embedder_is_refused(services: Services, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    services.ingestor.ingest([str(corpus)])
    with pytest.raises(StoreMismatchError, match="RATSINFO_EMBED_MODEL"):
        build_services(Settings(data_dir=tmp_path / "data", embed_dim=256))


def test_check_repairs_a_store_left_inconsistent_by_a_crash(services: Services, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    services.ingestor.ingest([str(corpus)])
    assert services.store.check().consistent
    # A crash between the vector write and the catalog commit leaves vectors the catalog lacks.
    document = next(iter(services.store.documents().values()))
    orphan = Chunk("ghost-doc", 0, 1, "", 0, 5, "Geist")
    services.store.vectors.add([orphan], services.embedder.embed_passages(["Geist"]), {"ghost-doc": document})
    # ... and lost vectors (e.g. a Chroma folder restored from an older backup).
    lost = sorted(services.store.catalog.chunk_ids())[:2]
    services.store.vectors.delete_chunks(lost)

    report = services.store.check()
    assert not report.consistent
    assert report.orphan_vectors == ["ghost-doc:0"] and report.missing_vectors == lost

    services.store.check(repair=True)

    assert services.store.check().consistent
    assert services.store.vectors.ids() == services.store.catalog.chunk_ids()
