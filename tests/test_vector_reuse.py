"""No text is embedded twice: unchanged chunks keep their stored vectors, boilerplate is embedded once.

A spy around the store's real embedder counts every text handed to the model.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding import Embedder
from assistant.indexing import Ingestor
from assistant.store.catalog import Catalog
from assistant.store.reindex import reindex
from assistant.store.search_text import search_text
from eval.sample_corpus import render_pdf

PAGES = [
    "Beschlussvorlage zur Sanierung der Turnhalle Nord\n\nDer Gemeinderat beschließt die Sanierung der "
    "Turnhalle der Grundschule Nord. Die Kosten betragen 1,2 Mio. Euro.",
    "Begründung\n\nDie Halle ist seit 1974 nicht saniert worden. Das Dach ist undicht, die Heizung "
    "veraltet. Der Schulsport fällt im Winter regelmäßig aus.",
    "Finanzierung\n\nDie Mittel stehen im Haushalt 2026 unter der Position Schulbau bereit. Ein "
    "Zuschuss des Landes ist beantragt.",
]
BOILERPLATE = (
    "Hinweis zum Datenschutz: Personenbezogene Daten in dieser Vorlage werden nach der "
    "Datenschutz-Grundverordnung verarbeitet, nur für dieses Verfahren genutzt, nicht an Dritte "
    "weitergegeben und nach Abschluss des Verfahrens und dem Ablauf der Aufbewahrungsfrist gelöscht."
)


def _attachment(plot: str) -> str:
    """An attachment: its own paragraph (about 30 words) and the notice (a chunk of its own)."""
    own = (
        f"Der Bauantrag für das Grundstück {plot} liegt der Verwaltung vollständig vor. Die Prüfung "
        "der Unterlagen durch das Bauordnungsamt beginnt im kommenden Monat und dauert nach "
        "bisheriger Erfahrung etwa acht Wochen."
    )
    return f"Anlage: Hinweise zum Verfahren\n\n{own}\n\n{BOILERPLATE}\n"


class CountingEmbedder:
    """The real embedder, with every passage it is asked for recorded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.passages: list[str] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def _spied(services: Any) -> tuple[Ingestor, CountingEmbedder]:
    spy = CountingEmbedder(services.embedder)
    return Ingestor(services.store, spy, services.settings), spy


def _stored(services: Any, doc_id: str) -> dict[str, np.ndarray]:
    """Embedded text -> stored vector of each chunk of a document."""
    document = services.store.catalog.document(doc_id)
    chunks = services.store.catalog.chunks_of(doc_id)
    vectors = services.store.vectors.embeddings([chunk.chunk_id for chunk in chunks])
    return {search_text(document, c.section, c.text): vectors[c.chunk_id] for c in chunks}


def test_a_changed_page_embeds_only_that_pages_chunks(
    make_services: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    render_pdf("\n\f\n".join(PAGES), folder / "bv-turnhalle.pdf", "Sanierung Turnhalle Nord")
    (folder / "other.txt").write_text("Anfrage zur Buslinie 5\n\nWann fährt die Linie 5 wieder?\n")
    services = make_services()
    ingestor, spy = _spied(services)
    first = ingestor.ingest([str(folder)])
    assert first.added == 2 and first.embedded == first.chunks == len(spy.passages)
    doc_id = next(d.doc_id for d in services.store.documents().values() if d.source.endswith(".pdf"))
    before = _stored(services, doc_id)

    changed = [*PAGES]
    changed[1] = changed[1].replace("seit 1974", "seit 1971")
    render_pdf("\n\f\n".join(changed), folder / "bv-turnhalle.pdf", "Sanierung Turnhalle Nord")
    spy.passages.clear()
    again = ingestor.ingest([str(folder)])

    after = _stored(services, doc_id)
    new_texts = [text for text in after if text not in before]
    assert (again.updated, again.unchanged) == (1, 1)
    assert new_texts and all("1971" in text for text in new_texts)  # page 2's chunks, nothing else
    assert sorted(spy.passages) == sorted(new_texts)
    assert again.embedded == len(new_texts) < again.chunks == len(after)
    for text, vector in after.items():  # the unchanged chunks kept their vectors, bit for bit
        if text in before:
            assert np.array_equal(vector, before[text])


def test_boilerplate_shared_by_two_documents_is_embedded_once(
    make_services: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    # Two attachments published under the same title, each with its own text and the same notice.
    (folder / "a.txt").write_text(_attachment("Lindenweg 4"))
    (folder / "b.txt").write_text(_attachment("Ahornweg 9"))
    services = make_services(chunk_max_words=40)
    ingestor, spy = _spied(services)

    report = ingestor.ingest([str(folder)])

    documents = list(services.store.documents().values())
    texts = [
        search_text(d, c.section, c.text)
        for d in documents
        for c in services.store.catalog.chunks_of(d.doc_id)
    ]
    shared = [text for text in texts if BOILERPLATE[:40] in text]
    assert len(shared) == 2 and shared[0] == shared[1]  # the same input to the model, twice
    assert report.chunks == len(texts) and report.embedded == len(set(texts)) == len(texts) - 1
    assert sorted(spy.passages) == sorted(set(texts))
    # A third document with the notice, ingested later, reuses the stored vector.
    (folder / "c.txt").write_text(_attachment("Birkenweg 2"))
    spy.passages.clear()
    later = ingestor.ingest([str(folder)])
    assert later.added == 1 and later.embedded == len(spy.passages) == later.chunks - 1
    assert not [text for text in spy.passages if BOILERPLATE[:40] in text]


def test_reindex_embeds_each_distinct_text_once(make_services: Callable[..., Any], tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):  # the same file published twice
        (folder / name).write_text(f"Anlage: Hinweise\n\n{BOILERPLATE}\n")
    services = make_services()
    services.ingestor.ingest([str(folder)])
    spy = CountingEmbedder(services.embedder)

    result = reindex(services.settings, spy)

    assert result.chunks == 2 and len(spy.passages) == 1


def test_an_older_catalog_gets_text_hashes_and_its_vectors_are_reused(
    make_services: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Anlage: Hinweise\n\n{BOILERPLATE}\n")
    services = make_services()
    services.ingestor.ingest([str(folder)])
    services.close()
    path = services.settings.catalog_path
    with closing(sqlite3.connect(path)) as connection, connection:  # as written before the column
        connection.execute("DROP INDEX chunks_text_hash")
        connection.execute("ALTER TABLE chunks DROP COLUMN text_hash")

    Catalog(path).close()  # opening upgrades it

    with closing(sqlite3.connect(path)) as connection:
        hashes = [row[0] for row in connection.execute("SELECT text_hash FROM chunks")]
    assert hashes and all(hashes)
    reopened = make_services()
    (folder / "b.txt").write_text(f"Anlage: Hinweise\n\n{BOILERPLATE}\n")
    ingestor, spy = _spied(reopened)
    report = ingestor.ingest([str(folder)])
    assert report.added == 1 and report.embedded == 0 and not spy.passages
