"""Re-embed every stored chunk with the configured embedder, without reading a source again.

The catalog holds every chunk's text, so changing the embedding model needs no re-ingest. The
new vectors go into a new Chroma collection; only when it is complete does one SQLite commit
switch the build record (embedder, dimension, collection) to it. A crash before that commit
leaves the old collection and record untouched and usable; the half-built collection is removed
by the next run. The old collection is dropped after the switch. Running servers keep the old
embedder in memory and must be restarted.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from assistant.config import Settings
from assistant.embedding import Embedder
from assistant.errors import RatsinfoError, StoreMismatchError
from assistant.models import StoredChunk
from assistant.store.catalog import SCHEMA_VERSION, Catalog
from assistant.store.passage_vectors import passage_vectors
from assistant.store.search_text import search_text
from assistant.store.vectors import VectorStore
from assistant.store.writer_lock import WriterLock
from ingest.chunking import CHUNKER_VERSION
from ingest.records import Chunk, DocumentInfo

_BATCH = 512
_SUFFIX = "-reindex-"  # new collections are named <collection>-reindex-<time>-<random>


@dataclass(frozen=True, slots=True)
class ReindexReport:
    chunks: int
    previous_embedder: str
    embedder: str
    dimension: int
    previous_collection: str
    collection: str
    removed_collections: list[str]
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _as_chunk(chunk: StoredChunk) -> Chunk:
    return Chunk(chunk.doc_id, chunk.index, chunk.page, chunk.section, chunk.start, chunk.end, chunk.text)


def _embed_into(
    vectors: VectorStore,
    embedder: Embedder,
    catalog: Catalog,
    documents: dict[str, DocumentInfo],
    on_progress: Callable[[int, int], None] | None,
) -> int:
    total = catalog.counts()[2]
    done = 0
    batch: list[Chunk] = []

    def flush() -> None:
        nonlocal done
        texts = [search_text(documents[c.doc_id], c.section, c.text) for c in batch]
        # Reused only from the new collection: a text met before in this run is not embedded again.
        vectors.add(batch, passage_vectors(texts, embedder, catalog, vectors), documents)
        done += len(batch)
        batch.clear()
        if on_progress:
            on_progress(done, total)

    for stored in catalog.iter_chunks():
        batch.append(_as_chunk(stored))
        if len(batch) == _BATCH:
            flush()
    if batch:
        flush()
    return done


def reindex(
    settings: Settings, embedder: Embedder, on_progress: Callable[[int, int], None] | None = None
) -> ReindexReport:
    """Rebuild the vectors of the store in ``settings.data_dir`` with ``embedder``.

    Holds the writer lock: StoreBusyError while an ingest or sync writes to the same data dir.
    """
    with WriterLock(settings.data_dir, "reindex"):
        return _reindex(settings, embedder, on_progress)


def _reindex(
    settings: Settings, embedder: Embedder, on_progress: Callable[[int, int], None] | None
) -> ReindexReport:
    started = time.perf_counter()
    catalog = Catalog(settings.catalog_path)
    try:
        recorded_raw = catalog.get_meta("build")
        recorded: dict[str, object] = json.loads(recorded_raw) if recorded_raw else {}
        if recorded and recorded.get("schema") != SCHEMA_VERSION:
            raise StoreMismatchError(
                f"the store's schema version {recorded.get('schema')} differs from this program's "
                f"({SCHEMA_VERSION}); reindex cannot convert it: ingest again into a new RATSINFO_DATA_DIR.",
                german=f"Der Datenbestand hat die Schemaversion {recorded.get('schema')}, dieses Programm "
                f"{SCHEMA_VERSION}; reindex kann ihn nicht umwandeln: in einen neuen RATSINFO_DATA_DIR "
                "neu einlesen.",
            )
        previous = str(recorded.get("collection") or settings.collection)
        generation = catalog.generation
        name = f"{settings.collection}{_SUFFIX}{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        vectors = VectorStore(settings, name)
        # Leftovers of interrupted runs: never the collection in use.
        leftovers = [
            other
            for other in vectors.collection_names()
            if other.startswith(settings.collection + _SUFFIX) and other not in (name, previous)
        ]
        for other in leftovers:
            vectors.drop_collection(other)
        try:
            documents = {document.doc_id: document for document in catalog.documents()}
            count = _embed_into(vectors, embedder, catalog, documents, on_progress)
            if catalog.generation != generation:
                raise RatsinfoError(
                    "the catalog changed while reindexing (an ingest ran at the same time); "
                    "nothing was switched: run `ratsinfo reindex` again when the ingest is done",
                    german="Der Katalog hat sich während des Neu-Einbettens geändert (ein Einlesen lief "
                    "gleichzeitig); nichts wurde umgestellt: „ratsinfo reindex“ nach dem Einlesen erneut "
                    "starten.",
                )
            if vectors.count() != count:
                raise RatsinfoError(
                    f"the new collection holds {vectors.count()} vectors, expected {count}",
                    german=f"Die neue Sammlung enthält {vectors.count()} Vektoren statt {count}; "
                    "nichts wurde umgestellt.",
                )
        except BaseException:
            vectors.drop()
            raise
        record = {
            **recorded,
            "embedder": embedder.name,
            "embedders": [embedder.name],
            "dimension": embedder.dimension,
            "collection": name,
        }
        record.setdefault("chunker", CHUNKER_VERSION)
        record.setdefault("chunk_max_words", settings.chunk_max_words)
        record.setdefault("schema", SCHEMA_VERSION)
        # The switch: one committed row. Everything before it can fail without harm.
        catalog.set_meta("build", json.dumps(record))
        (settings.data_dir / "build.json").write_text(json.dumps(record, indent=2) + "\n")
        if previous != name:
            vectors.drop_collection(previous)
        return ReindexReport(
            chunks=count,
            previous_embedder=str(recorded.get("embedder", "")),
            embedder=embedder.name,
            dimension=embedder.dimension,
            previous_collection=previous,
            collection=name,
            removed_collections=[*leftovers, previous],
            seconds=round(time.perf_counter() - started, 3),
        )
    finally:
        catalog.close()
