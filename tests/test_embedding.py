"""The built-in hashing embedder and the real sentence-transformers loading path, offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.embedding import build_embedder
from assistant.embedding.hashing import HashingEmbedder
from assistant.errors import ConfigurationError


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    first = HashingEmbedder(256).embed_passages(["Sanierung der Grundschule Nord", ""])
    second = HashingEmbedder(256).embed_passages(["Sanierung der Grundschule Nord", ""])
    assert np.array_equal(first, second)
    assert np.isclose(np.linalg.norm(first[0]), 1.0)
    assert not first[1].any()  # empty text: zero vector, not NaN


def test_german_compounds_meet_their_parts() -> None:
    embedder = HashingEmbedder()
    compound, part, unrelated = embedder.embed_passages(
        ["Ausbau des Radwegenetzes", "neuer Radweg", "Friedhofsgebühren steigen"]
    )
    assert compound @ part > 0.25
    assert compound @ part > 3 * abs(compound @ unrelated)


def _tiny_model(folder: Path) -> Path:
    """A StaticEmbedding over a tokenizer trained here: the real loading path, no download."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    corpus = ["Radweg Antrag Fraktion Haushalt Schule Stadtrat Bebauungsplan Kita"] * 20
    tokenizer.train_from_iterator(
        corpus, trainers.WordPieceTrainer(vocab_size=120, special_tokens=["[UNK]", "[PAD]"])
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]")
    SentenceTransformer(modules=[StaticEmbedding(fast, embedding_dim=24)]).save(str(folder))
    return folder


def test_sentence_transformer_loads_from_a_local_folder_offline(tmp_path: Path) -> None:
    model_dir = _tiny_model(tmp_path / "tiny-e5-model")
    embedder = build_embedder(Settings(data_dir=tmp_path / "data", embed_model=str(model_dir)))

    vectors = embedder.embed_passages(["Antrag zum Radweg", "Haushalt der Schule"])

    assert embedder.dimension == 24 and vectors.shape == (2, 24)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.name == "st:tiny-e5-model"
    # "e5" in the folder name: queries and passages get their prefixes, so they embed differently.
    assert not np.allclose(embedder.embed_query("Radweg"), embedder.embed_passages(["Radweg"])[0])


def test_unknown_model_is_a_clear_error_not_a_silent_fallback(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embed_model="intfloat/multilingual-e5-small")
    with pytest.raises(ConfigurationError, match="RATSINFO_EMBED_MODEL"):
        build_embedder(settings)
