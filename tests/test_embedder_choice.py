"""An unset RATSINFO_EMBED_MODEL: the store's own model, the default for a new store; models_dir."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.answering.sentence_vectors import MAX_SENTENCE_CHARS, SentenceVectors
from assistant.cli import app
from assistant.config import DEFAULT_EMBED_MODEL, MODELS_FOLDER, Settings
from assistant.embedding.hashing import HashingEmbedder
from assistant.embedding.query_cache import QueryCachingEmbedder
from assistant.errors import ConfigurationError
from assistant.store.embedder_choice import recorded_build, resolve_embedder


def _hashing_store(make_services: Callable[..., Any], dimension: int = 256) -> Path:
    services = make_services(embed_model="hashing", embed_dim=dimension)
    data_dir: Path = services.settings.data_dir
    services.close()
    return data_dir


def test_a_new_store_gets_the_default_model(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "new", embed_model="")
    assert recorded_build(settings) is None
    assert resolve_embedder(settings).embed_model == DEFAULT_EMBED_MODEL == "multilingual-e5-small"
    assert not (tmp_path / "new").exists()  # reading the choice creates nothing


def test_a_store_built_with_hashing_keeps_opening_with_hashing(make_services: Callable[..., Any]) -> None:
    data_dir = _hashing_store(make_services)
    resolved = resolve_embedder(Settings(data_dir=data_dir, embed_model=""))
    assert (resolved.embed_model, resolved.embed_dim) == ("hashing", 256)
    services = make_services(data_dir=data_dir, embed_model="")  # no mismatch, no reindex needed
    assert services.settings.embed_model == "hashing"
    assert services.embedder.dimension == 256


def test_a_configured_model_is_taken_as_it_is(make_services: Callable[..., Any]) -> None:
    data_dir = _hashing_store(make_services)
    settings = Settings(data_dir=data_dir, embed_model="multilingual-e5-small")
    assert resolve_embedder(settings) is settings  # the store then refuses the mismatch by itself


def test_a_store_of_a_local_model_folder_asks_for_the_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embed_model="")
    settings.data_dir.mkdir()
    import sqlite3

    with sqlite3.connect(settings.catalog_path) as connection:
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute(
            "INSERT INTO meta VALUES ('build', ?)", (json.dumps({"embedder": "st:my-model", "dimension": 8}),)
        )
    with pytest.raises(ConfigurationError, match="RATSINFO_EMBED_MODEL"):
        resolve_embedder(settings)


def test_the_cli_opens_an_old_store_without_the_variable(
    make_services: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = _hashing_store(make_services)
    monkeypatch.delenv("RATSINFO_EMBED_MODEL")
    result = CliRunner().invoke(app, ["stats", "--json"], env={"RATSINFO_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["build"]["embedder"].startswith("hashing")


def test_models_dir_defaults_beside_the_data_and_can_be_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings(data_dir=tmp_path / "a").models_dir == tmp_path / "a" / MODELS_FOLDER
    monkeypatch.setenv("RATSINFO_MODELS_DIR", str(tmp_path / "shared-models"))
    assert Settings(data_dir=tmp_path / "a").models_dir == Settings(data_dir=tmp_path / "b").models_dir
    assert Settings(data_dir=tmp_path / "b").models_dir == tmp_path / "shared-models"


class _Counting(HashingEmbedder):
    """The real hashing embedder, counting what it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(dimension=64)
        self.passages: list[str] = []
        self.queries: list[str] = []

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages.extend(texts)
        return super().embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return super().embed_query(text)


def test_sentence_vectors_are_embedded_once_and_the_cache_is_bounded() -> None:
    inner = _Counting()
    vectors = SentenceVectors(inner, max_entries=3)
    first = vectors.vectors(["Satz eins.", "Satz zwei.", "Satz eins."])
    assert inner.passages == ["Satz eins.", "Satz zwei."]  # a repeated text is embedded once
    assert np.allclose(first[0], first[2])
    vectors.vectors(["Satz zwei.", "Satz drei."])
    assert inner.passages[-1] == "Satz drei." and vectors.embedded == 3
    vectors.vectors(["Satz vier.", "Satz fünf."])  # evicts the least recently used
    vectors.vectors(["Satz eins."])
    assert inner.passages[-1] == "Satz eins." and vectors.embedded == 6
    long = "Wort " * 200
    vectors.vectors([long])
    assert len(inner.passages[-1]) == MAX_SENTENCE_CHARS


def test_a_question_is_embedded_once_for_retrieval_and_answer() -> None:
    inner = _Counting()
    embedder = QueryCachingEmbedder(inner)
    first = embedder.embed_query("Wie viele Sitzbänke?")
    again = embedder.embed_query("Wie viele Sitzbänke?")
    assert inner.queries == ["Wie viele Sitzbänke?"] and again is first
    assert embedder.name == inner.name and embedder.dimension == 64
