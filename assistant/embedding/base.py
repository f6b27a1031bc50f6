from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """What the store and the retriever need from an embedding model."""

    @property
    def name(self) -> str:
        """Identifies the model in the store's build record (a mismatch is refused)."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One float32 row per text, L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray: ...
