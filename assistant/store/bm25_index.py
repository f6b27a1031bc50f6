"""German BM25 beside Chroma (Chroma has no sparse index in local mode), built with bm25s.

The index is rebuilt from the catalog's chunks whenever the catalog's generation moves on, and
saved into a folder named after that generation; a small pointer file, replaced atomically,
names the current one. A process that finds the pointer behind the catalog rebuilds it, so
several API processes sharing one data dir (or one Chroma server plus a shared data dir) stay
correct without talking to each other.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from assistant.models import StoredChunk
from assistant.text_analysis import analyze

_POINTER = "CURRENT"


@dataclass(frozen=True, slots=True)
class Bm25Hit:
    chunk_id: str
    doc_id: str
    score: float


class Bm25Index:
    """An immutable BM25 index over all chunks of one catalog generation."""

    def __init__(
        self,
        retriever: bm25s.BM25 | None,
        chunk_ids: list[str],
        chunk_doc_ids: list[str],
        generation: int,
    ) -> None:
        self._retriever = retriever
        self.chunk_ids = chunk_ids
        self.generation = generation
        self._document_frequency: np.ndarray | None = None
        self.doc_ids = sorted(set(chunk_doc_ids))
        position = {doc_id: code for code, doc_id in enumerate(self.doc_ids)}
        self._row_doc_codes = np.fromiter(
            (position[doc_id] for doc_id in chunk_doc_ids), dtype=np.int64, count=len(chunk_doc_ids)
        )

    @classmethod
    def build(cls, chunks: Iterable[StoredChunk], generation: int) -> Bm25Index:
        chunk_ids: list[str] = []
        chunk_doc_ids: list[str] = []
        corpus_tokens: list[list[str]] = []
        for chunk in chunks:
            chunk_ids.append(chunk.chunk_id)
            chunk_doc_ids.append(chunk.doc_id)
            corpus_tokens.append(analyze(chunk.text))
        retriever = None
        if chunk_ids:
            retriever = bm25s.BM25()
            retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever, chunk_ids, chunk_doc_ids, generation)

    def save(self, directory: Path) -> None:
        """Write into a fresh folder, then switch the pointer: readers never see a half index."""
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"gen-{self.generation}"
        staging = directory / f".staging-{self.generation}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        if self._retriever is not None:
            self._retriever.save(str(staging))
        doc_of_row = [self.doc_ids[code] for code in self._row_doc_codes]
        (staging / "chunks.json").write_text(
            json.dumps({"generation": self.generation, "chunk_ids": self.chunk_ids, "doc_ids": doc_of_row})
        )
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        pointer_tmp = directory / f".{_POINTER}.{os.getpid()}"
        pointer_tmp.write_text(target.name)
        os.replace(pointer_tmp, directory / _POINTER)
        for old in directory.glob("gen-*"):
            if old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> Bm25Index | None:
        """The saved index, or None if there is none (or it is unreadable: then it is rebuilt)."""
        try:
            folder = directory / (directory / _POINTER).read_text().strip()
            meta = json.loads((folder / "chunks.json").read_text())
            retriever = bm25s.BM25.load(str(folder)) if meta["chunk_ids"] else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(retriever, meta["chunk_ids"], meta["doc_ids"], int(meta["generation"]))

    def idf(self, token: str) -> float | None:
        """Inverse document frequency over chunks; None for a word the corpus does not contain."""
        if self._retriever is None:
            return None
        column = self._retriever.vocab_dict.get(token)
        if column is None:
            return None
        if self._document_frequency is None:
            self._document_frequency = np.diff(self._retriever.scores["indptr"])
        frequency = float(self._document_frequency[column])
        if frequency == 0:
            return None
        total = len(self.chunk_ids)
        return float(np.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5)))

    def unseen_idf(self) -> float:
        """The weight of a word the corpus lacks: that of a word in a single chunk."""
        total = len(self.chunk_ids)
        return float(np.log(1.0 + (total - 0.5) / 1.5)) if total else 1.0

    def search(self, query: str, k: int, allowed_docs: set[str] | None = None) -> list[Bm25Hit]:
        """Top-k chunks by BM25; ``allowed_docs`` masks documents out *before* ranking."""
        if self._retriever is None or k <= 0:
            return []
        vocabulary = self._retriever.vocab_dict
        token_ids = [vocabulary[token] for token in analyze(query) if token in vocabulary]
        if not token_ids:
            return []
        weight_mask = None
        if allowed_docs is not None:
            allowed = np.fromiter(
                (doc_id in allowed_docs for doc_id in self.doc_ids), dtype=bool, count=len(self.doc_ids)
            )
            weight_mask = allowed[self._row_doc_codes].astype(np.float32)
            if not weight_mask.any():
                return []
        rows, scores = self._retriever.retrieve(
            [token_ids],
            k=min(k, len(self.chunk_ids)),
            show_progress=False,
            weight_mask=weight_mask,
            n_threads=1,
        )
        return [
            Bm25Hit(self.chunk_ids[row], self.doc_ids[self._row_doc_codes[row]], float(score))
            for row, score in zip(rows[0], scores[0], strict=True)
            if score > 0
        ]
