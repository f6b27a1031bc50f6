"""Question vectors are computed once per question: the retriever and the answerer both need one.

A small LRU of recent query vectors in front of any embedder; passages pass through unchanged.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from assistant.embedding.base import Embedder


class QueryCachingEmbedder:
    """``inner`` with its query vectors remembered (thread-safe, at most ``max_entries``)."""

    def __init__(self, inner: Embedder, max_entries: int = 1024) -> None:
        self.inner = inner
        self._max_entries = max_entries
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self.inner.embed_query(text)
        vector.setflags(write=False)  # shared between callers
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > self._max_entries:
                self._queries.popitem(last=False)
        return vector
