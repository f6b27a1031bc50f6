"""Vectors of candidate sentences, embedded as passages and cached by the hash of their text.

The answerer compares the question with a bounded number of short sentences per answer. The
same sentences come back for related questions (the same top passages), so their vectors are
kept in a bounded LRU cache keyed by the SHA-1 of the text; a sentence is embedded once per
process. Texts are cut to ``MAX_SENTENCE_CHARS`` first: a sentence longer than that is a run-on
list or a table, and its beginning says what it is about.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from assistant.embedding import Embedder

MAX_SENTENCE_CHARS = 400
DEFAULT_CACHE_SIZE = 50_000  # 384 floats each: about 77 MB at most


class SentenceVectors:
    """Passage-side vectors of sentences for one embedder, with an LRU cache (thread-safe)."""

    def __init__(self, embedder: Embedder, max_entries: int = DEFAULT_CACHE_SIZE) -> None:
        self._embedder = embedder
        self._max_entries = max_entries
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.embedded = 0  # texts sent to the model so far (for tests and reports)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text, from the cache or embedded in one batch."""
        keys = [hashlib.sha1(text[:MAX_SENTENCE_CHARS].encode("utf-8")).digest() for text in texts]
        rows: dict[bytes, np.ndarray] = {}
        with self._lock:
            for key in keys:
                cached = self._cache.get(key)
                if cached is not None:
                    self._cache.move_to_end(key)
                    rows[key] = cached
        missing = list(dict.fromkeys(key for key in keys if key not in rows))
        if missing:
            first_text = {key: text for key, text in zip(keys, texts, strict=True)}
            fresh = self._embedder.embed_passages([first_text[key][:MAX_SENTENCE_CHARS] for key in missing])
            with self._lock:
                self.embedded += len(missing)
                for key, vector in zip(missing, fresh, strict=True):
                    rows[key] = vector
                    self._cache[key] = vector
                    self._cache.move_to_end(key)
                while len(self._cache) > self._max_entries:
                    self._cache.popitem(last=False)
        if not keys:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.vstack([rows[key] for key in keys])

    def similarities(self, query_vector: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """Cosine of the question's vector with each text's."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return self.vectors(texts) @ query_vector
