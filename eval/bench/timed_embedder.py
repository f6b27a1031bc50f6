"""An embedder wrapper that adds up the seconds spent encoding: the encoder's share of ingest."""

from __future__ import annotations

import time

import numpy as np

from assistant.embedding import Embedder


class TimedEmbedder:
    """Delegates to ``inner`` and counts wall seconds and texts of every call."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.seconds = 0.0
        self.texts = 0

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self._inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)

    def embed_query(self, text: str) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self._inner.embed_query(text)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += 1
