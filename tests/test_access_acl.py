"""`ratsinfo acl set` moves a document between groups without re-embedding it.

Afterwards both retrievers agree with the new permission: Chroma through the chunks'
``acl_<group>`` metadata, BM25 through the catalog's access; the vectors stay as they were.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.access import Principal
from assistant.cli import app
from assistant.models import SearchFilters
from assistant.services import Services
from assistant.store.vectors import build_where
from tests.conftest import REPO

SECRET = {
    "vertraulich-biberdamm.txt": """Stadt Lindenau an der Weser
Vorlage
Drucksache Nr.: NV/2025/321
Datum: 11.03.2025
Betreff: Vertraulicher Vergleich Biberdamm

Die Stadt schließt mit der Firma Otterbau einen Vergleich über den Biberdamm am Mühlgraben.
Der Vergleich bleibt bis zur Zustimmung des Rates vertraulich.
""",
    "antrag-spielplatz.txt": """Stadt Lindenau an der Weser
Antrag
Drucksache Nr.: A/2025/055
Datum: 02.04.2025
Betreff: Neuer Spielplatz am Mühlgraben

Am Mühlgraben soll ein Spielplatz mit Wasserspiel entstehen.
""",
}
QUERY = "Vergleich Biberdamm Otterbau"
ANNA = Principal(name="anna", groups=frozenset({"gruppe-a"}))
BERT = Principal(name="bert", groups=frozenset({"gruppe-b"}))
CARL = Principal(name="carl")


@pytest.fixture
def services(tmp_path: Path, make_services: Callable[..., Services]) -> Services:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in SECRET.items():
        (corpus / name).write_text(text, encoding="utf-8")
    built = make_services()
    built.ingestor.ingest([str(corpus / "vertraulich-biberdamm.txt")], access=frozenset({"gruppe-a"}))
    built.ingestor.ingest([str(corpus / "antrag-spielplatz.txt")])
    return built


def _secret_id(services: Services) -> str:
    return next(d.doc_id for d in services.store.documents().values() if d.reference == "NV/2025/321")


def _vectors(services: Services, doc_id: str) -> tuple[list[str], np.ndarray, list[dict[str, object]]]:
    ids = [chunk.chunk_id for chunk in services.store.catalog.chunks_of(doc_id)]
    stored = services.store.vectors._collection.get(ids=ids, include=["embeddings", "metadatas"])
    metadatas = stored["metadatas"]
    assert metadatas is not None
    order = np.argsort(stored["ids"])
    return (
        sorted(stored["ids"]),
        np.asarray(stored["embeddings"])[order],
        [dict(metadatas[i]) for i in order],
    )


def _dense_docs(services: Services, principal: Principal) -> set[str]:
    where = build_where(principal, SearchFilters(), None)
    return {
        hit.doc_id for hit in services.store.vectors.query(services.embedder.embed_query(QUERY), 50, where)
    }


def _bm25_docs(services: Services, principal: Principal) -> set[str]:
    allowed = set(services.retriever.visible_documents(principal, SearchFilters()))
    return {hit.doc_id for hit in services.store.bm25().search(QUERY, 50, allowed_docs=allowed)}


def _sees(services: Services, principal: Principal, doc_id: str) -> tuple[bool, bool, bool]:
    """(dense, BM25, hybrid) each finds the document for ``principal``."""
    hybrid = {p.document.doc_id for p in services.retriever.search(QUERY, principal, k=20)}
    return (
        doc_id in _dense_docs(services, principal),
        doc_id in _bm25_docs(services, principal),
        doc_id in hybrid,
    )


def test_acl_set_moves_a_document_between_groups_without_reembedding(services: Services) -> None:
    doc_id = _secret_id(services)
    ids_before, vectors_before, metadata_before = _vectors(services, doc_id)
    assert all(meta.get("acl_gruppe-a") is True for meta in metadata_before)
    assert _sees(services, ANNA, doc_id) == (True, True, True)
    assert _sees(services, BERT, doc_id) == (False, False, False)

    env = {key: value for key, value in os.environ.items() if not key.startswith("RATSINFO_")}
    env["RATSINFO_DATA_DIR"] = str(services.settings.data_dir)
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "acl", "set", "NV/2025/321", "--group", "gruppe-b", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) | {"title": ""} == {
        "doc_id": doc_id,
        "title": "",
        "from": ["gruppe-a"],
        "to": ["gruppe-b"],
    }

    ids_after, vectors_after, metadata_after = _vectors(services, doc_id)
    assert ids_after == ids_before
    np.testing.assert_array_equal(vectors_after, vectors_before)
    assert all(meta.get("acl_gruppe-b") is True and "acl_gruppe-a" not in meta for meta in metadata_after)
    assert services.store.documents()[doc_id].access == frozenset({"gruppe-b"})
    assert _sees(services, ANNA, doc_id) == (False, False, False)
    assert _sees(services, BERT, doc_id) == (True, True, True)
    assert _sees(services, CARL, doc_id) == (False, False, False)


def test_acl_set_public_by_id_and_its_refusals(services: Services) -> None:
    doc_id = _secret_id(services)
    runner = CliRunner()
    env = {"RATSINFO_DATA_DIR": str(services.settings.data_dir)}
    assert runner.invoke(app, ["acl", "set", doc_id], env=env).exit_code == 2  # neither --group nor --public
    assert runner.invoke(app, ["acl", "set", doc_id, "--public", "--group", "x"], env=env).exit_code == 2
    assert runner.invoke(app, ["acl", "set", doc_id, "--group", "Keine Gruppe"], env=env).exit_code == 2
    assert runner.invoke(app, ["acl", "set", "NV/1999/000", "--public"], env=env).exit_code == 4
    assert services.store.documents()[doc_id].access == frozenset({"gruppe-a"})

    result = runner.invoke(app, ["acl", "set", doc_id, "--public"], env=env)
    assert result.exit_code == 0, result.output
    assert _sees(services, CARL, doc_id) == (True, True, True)


def test_a_reference_naming_several_documents_is_refused(services: Services, tmp_path: Path) -> None:
    twin = tmp_path / "twin.txt"
    twin.write_text(
        SECRET["vertraulich-biberdamm.txt"].replace("Otterbau", "Otterbau GmbH"), encoding="utf-8"
    )
    services.ingestor.ingest([str(twin)], access=frozenset({"gruppe-a"}))
    result = CliRunner().invoke(
        app,
        ["acl", "set", "NV/2025/321", "--public"],
        env={"RATSINFO_DATA_DIR": str(services.settings.data_dir)},
    )
    assert result.exit_code == 2 and "passt auf 2 Dokumente" in result.output
    assert all(
        "public" not in d.access for d in services.store.documents().values() if d.reference == "NV/2025/321"
    )
