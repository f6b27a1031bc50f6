"""The built-in embedder: hashed character n-grams, no download, deterministic.

Character 3- to 5-grams let German compounds meet their parts ("Radwegenetz" shares
"rad", "adw", "weg" … with "Radweg"), which word-level BM25 cannot do. The n-grams are hashed
with vectorised numpy arithmetic (a polynomial rolling hash over the UTF-8 bytes) into signed
buckets; this is about two orders of magnitude faster than a Python n-gram loop, which matters
for ingesting tens of thousands of chunks on two cores.
"""

from __future__ import annotations

import re

import numpy as np

_NON_WORD = re.compile(r"[^\w]+")
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: mixes bytes well
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing constant for the final scramble
_BATCH = 256  # texts hashed together: large enough to amortise numpy calls, small enough for cache


class HashingEmbedder:
    """Signed feature hashing of character n-grams (n in ``ngram_sizes``) of lower-cased words."""

    def __init__(self, dimension: int = 512, ngram_sizes: tuple[int, ...] = (3, 4, 5)) -> None:
        if dimension < 8:
            raise ValueError(f"dimension must be at least 8, got {dimension}")
        self._dimension = dimension
        self._ngram_sizes = ngram_sizes

    @property
    def name(self) -> str:
        sizes = "".join(str(n) for n in self._ngram_sizes)
        return f"hashing-char{sizes}-v1"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for start in range(0, len(texts), _BATCH):
            self._embed_batch(texts[start : start + _BATCH], out[start : start + _BATCH])
        return out

    def _embed_batch(self, texts: list[str], out: np.ndarray) -> None:
        """``_embed`` for many texts in one pass over their joined bytes: same vectors, bit for bit.

        Per text, numpy's call overhead (about 20 small calls) cost more than the hashing itself.
        N-grams that would cross from one text into the next are masked out.
        """
        encoded = [(" " + _NON_WORD.sub(" ", text.lower()).strip() + " ").encode("utf-8") for text in texts]
        lengths = np.fromiter((len(item) for item in encoded), dtype=np.int64, count=len(encoded))
        codes = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint64)
        row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        with np.errstate(over="ignore"):
            for size in self._ngram_sizes:
                count = codes.size - size + 1
                if count <= 0:
                    continue
                hashes = np.full(count, size, dtype=np.uint64)
                for offset in range(size):
                    hashes = (hashes ^ codes[offset : offset + count]) * _MULTIPLIER
                hashes = hashes * _MIX
                inside = row_of[:count] == row_of[size - 1 : size - 1 + count]
                hashes = hashes[inside]
                buckets = ((hashes >> np.uint64(33)) % np.uint64(self._dimension)).astype(np.int64)
                signs = np.where((hashes >> np.uint64(13)) & np.uint64(1), 1.0, -1.0)
                # Counts of ±1 are exact in float64 whatever the order, as in _embed.
                out += (
                    np.bincount(
                        row_of[:count][inside] * self._dimension + buckets,
                        weights=signs,
                        minlength=len(texts) * self._dimension,
                    )
                    .astype(np.float32)
                    .reshape(len(texts), self._dimension)
                )
        for row in range(len(texts)):
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed(text)

    def _embed(self, text: str) -> np.ndarray:
        # Words padded with spaces, so n-grams at word starts and ends are distinct features.
        normalised = " " + _NON_WORD.sub(" ", text.lower()).strip() + " "
        codes = np.frombuffer(normalised.encode("utf-8"), dtype=np.uint8).astype(np.uint64)
        vector = np.zeros(self._dimension, dtype=np.float32)
        with np.errstate(over="ignore"):  # uint64 wrap-around is the hash's modulus
            for size in self._ngram_sizes:
                count = codes.size - size + 1
                if count <= 0:
                    continue
                hashes = np.full(count, size, dtype=np.uint64)
                for offset in range(size):
                    hashes = (hashes ^ codes[offset : offset + count]) * _MULTIPLIER
                hashes = hashes * _MIX
                buckets = (hashes >> np.uint64(33)) % np.uint64(self._dimension)
                signs = np.where((hashes >> np.uint64(13)) & np.uint64(1), 1.0, -1.0)
                vector += np.bincount(
                    buckets.astype(np.int64), weights=signs, minlength=self._dimension
                ).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector
