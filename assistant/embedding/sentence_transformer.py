"""Opt-in semantic embeddings with a sentence-transformers model, by hub name or local folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.errors import ConfigurationError


def _prefixes_for(model_name: str) -> tuple[str, str]:
    """E5 models were trained with "query: " / "passage: " prefixes and lose quality without them."""
    if "e5" in Path(model_name).name.lower():
        return "query: ", "passage: "
    return "", ""


class SentenceTransformerEmbedder:
    """Wraps ``SentenceTransformer`` directly: llama-index's HuggingFaceEmbedding rejects
    StaticEmbedding models (it reads ``max_seq_length``, which they lack)."""

    def __init__(
        self,
        model_name_or_path: str,
        device: str = "cpu",
        batch_size: int = 64,
        *,
        name: str | None = None,
        prefixes: tuple[str, str] | None = None,
    ) -> None:
        """``name`` overrides the build-record name; ``prefixes`` the (query, passage) prefixes."""
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:  # pragma: no cover - a core dependency
            raise ConfigurationError(
                "sentence-transformers is not installed",
                german="sentence-transformers ist nicht installiert.",
            ) from error
        try:
            self._model = SentenceTransformer(model_name_or_path, device=device)
        except (OSError, ValueError) as error:
            raise ConfigurationError(
                f"cannot load embedding model {model_name_or_path!r} offline: {error}. "
                "Point RATSINFO_EMBED_MODEL at a local folder with the model (on a connected "
                "machine: `ratsinfo models download NAME --to DIR`), or unset it to use the "
                "built-in 'hashing' embedder.",
                german=f"Das Embedding-Modell {model_name_or_path!r} lässt sich offline nicht laden. "
                "RATSINFO_EMBED_MODEL auf einen lokalen Ordner mit dem Modell setzen (auf einem Rechner "
                "mit Netz: „ratsinfo models download NAME --to ORDNER“) oder leeren, um den eingebauten "
                "„hashing“-Embedder zu nutzen.",
            ) from error
        self._source = model_name_or_path
        self._name = name
        self._batch_size = batch_size
        self._query_prefix, self._passage_prefix = prefixes or _prefixes_for(model_name_or_path)
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            dimension = int(self._model.encode(["probe"]).shape[1])
        self._dimension = int(dimension)

    @property
    def name(self) -> str:
        if self._name is not None:
            return self._name
        # A local folder is named by its last part so the store survives being moved.
        source = self._source
        return f"st:{Path(source).name if Path(source).exists() else source}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + text for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self._query_prefix + text])[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
