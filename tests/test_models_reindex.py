"""`ratsinfo reindex`: a new embedder re-embeds the stored chunks, and a crash changes nothing.

The new embedder is a tiny BERT SentenceTransformer built here (tests/tiny_models.py), loaded
offline. The crash is real: a child process dies (``os._exit``) in the middle of embedding.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import chromadb
import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.access import Principal
from assistant.cli import app
from assistant.config import Settings
from assistant.errors import StoreMismatchError
from assistant.services import build_services
from assistant.store.search_text import search_text
from tests.conftest import REPO
from tests.tiny_models import build_embedding_model

CITIZEN = Principal(name="buerger")
QUERY = "Radweg an der Weserpromenade"

_CRASHING_REINDEX = """
import os, sys
from assistant.config import Settings
from assistant.embedding.hashing import HashingEmbedder
from assistant.store.reindex import reindex

embedder = HashingEmbedder(dimension=256)
embedder.embed_passages = lambda texts: os._exit(9)  # the process dies mid-reindex
reindex(Settings(data_dir=sys.argv[1]), embedder)
"""


def _collections(settings: Settings) -> set[str]:
    client = chromadb.PersistentClient(path=str(settings.chroma_dir))
    return {str(getattr(c, "name", c)) for c in client.list_collections()}


@pytest.fixture
def store_dir(sample_corpus: Path, tmp_path: Path) -> Path:
    services = build_services(Settings(data_dir=tmp_path / "data"))
    services.ingestor.ingest([str(sample_corpus / "public")])
    services.close()
    return tmp_path / "data"


def test_a_new_embedder_is_refused_with_the_reindex_hint_and_reindex_switches(
    store_dir: Path, tmp_path: Path
) -> None:
    model = build_embedding_model(tmp_path / "tiny-embedder")
    semantic = Settings(data_dir=store_dir, embed_model=str(model))
    with pytest.raises(StoreMismatchError, match="ratsinfo reindex"):
        build_services(semantic)

    env = {"RATSINFO_DATA_DIR": str(store_dir), "RATSINFO_EMBED_MODEL": str(model)}
    result = CliRunner().invoke(app, ["reindex", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)

    services = build_services(semantic)
    try:
        chunks = services.store.catalog.counts()[2]
        assert report["chunks"] == chunks == services.store.vectors.count()
        assert report["previous_embedder"].startswith("hashing") and report["dimension"] == 32
        assert _collections(semantic) == {report["collection"]}  # the old one is gone
        assert json.loads((store_dir / "build.json").read_text())["embedder"] == "st:tiny-embedder"
        # The stored vectors are the new model's vectors of the catalog's texts.
        chunk = next(services.store.catalog.iter_chunks())
        document = services.store.documents()[chunk.doc_id]
        stored = services.store.vectors._collection.get(ids=[chunk.chunk_id], include=["embeddings"])
        fresh = services.embedder.embed_passages([search_text(document, chunk.section, chunk.text)])[0]
        assert stored["embeddings"] is not None
        assert np.allclose(stored["embeddings"][0], fresh, atol=1e-5)
        assert services.retriever.search(QUERY, CITIZEN)
    finally:
        services.close()


def test_a_crash_mid_reindex_leaves_the_old_index_usable(store_dir: Path) -> None:
    settings = Settings(data_dir=store_dir)
    build_before = (store_dir / "build.json").read_text()
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASHING_REINDEX, str(store_dir)], cwd=REPO, capture_output=True, timeout=120
    )
    assert crashed.returncode == 9, crashed.stderr
    leftovers = _collections(settings) - {settings.collection}
    assert len(leftovers) == 1  # the half-built collection of the dead process

    services = build_services(settings)  # the old embedder still fits: nothing was switched
    try:
        assert (store_dir / "build.json").read_text() == build_before
        assert services.retriever.search(QUERY, CITIZEN)
        assert services.store.vectors.count() == services.store.catalog.counts()[2]
    finally:
        services.close()

    smaller = {"RATSINFO_DATA_DIR": str(store_dir), "RATSINFO_EMBED_DIM": "256"}
    result = CliRunner().invoke(app, ["reindex", "--json"], env=smaller)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["removed_collections"]) == leftovers | {settings.collection}
    assert _collections(settings) == {report["collection"]}
    services = build_services(Settings(data_dir=store_dir, embed_dim=256))
    try:
        assert services.retriever.search(QUERY, CITIZEN)
    finally:
        services.close()
