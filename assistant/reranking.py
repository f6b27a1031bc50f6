"""Opt-in reranking of the fused candidates with a sentence-transformers CrossEncoder.

A cross-encoder reads question and passage together, which a bi-encoder and BM25 cannot; it
is too slow for the whole corpus, so it only reorders the best ``rerank_candidates`` of the
fusion, after the access check, and the best ``top_k`` of its order are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from assistant.config import Settings
from assistant.errors import ConfigurationError
from assistant.models import Passage
from assistant.store.search_text import search_text


class Reranker(Protocol):
    """What the retriever needs from a reranker."""

    @property
    def name(self) -> str: ...

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        """``passages`` best first, each with the reranker's score."""
        ...


class CrossEncoderReranker:
    """A CrossEncoder by hub name or local folder, loaded offline."""

    def __init__(self, model_name_or_path: str, device: str = "cpu", batch_size: int = 32) -> None:
        from sentence_transformers import CrossEncoder

        try:
            self._model = CrossEncoder(model_name_or_path, device=device)
        except (OSError, ValueError) as error:
            raise ConfigurationError(
                f"cannot load reranker {model_name_or_path!r} offline: {error}. Point "
                "RATSINFO_RERANK_MODEL at a local folder (on a connected machine: `ratsinfo models "
                "download NAME --to DIR --kind reranker`), or unset it to rank without a reranker.",
                german=f"Das Reranking-Modell {model_name_or_path!r} lässt sich offline nicht laden. "
                "RATSINFO_RERANK_MODEL auf einen lokalen Ordner setzen (auf einem Rechner mit Netz: "
                "„ratsinfo models download NAME --to ORDNER --kind reranker“) oder leeren.",
            ) from error
        self._name = model_name_or_path
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        path = Path(self._name)
        return f"ce:{path.name if path.exists() else self._name}"

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        if not passages:
            return []
        pairs = [(query, search_text(p.document, p.chunk.section, p.chunk.text)) for p in passages]
        scores = self._model.predict(
            pairs, batch_size=self._batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        order = sorted(range(len(passages)), key=lambda i: (-float(scores[i]), i))
        return [
            Passage(chunk=passages[i].chunk, document=passages[i].document, score=float(scores[i]))
            for i in order
        ]


def build_reranker(settings: Settings) -> Reranker | None:
    """The configured reranker, or None when ``RATSINFO_RERANK_MODEL`` is empty."""
    if not settings.rerank_model.strip():
        return None
    return CrossEncoderReranker(settings.rerank_model.strip(), device=settings.device)
