"""Embedders turn passages and questions into L2-normalised vectors."""

from assistant.embedding.base import Embedder
from assistant.embedding.factory import build_embedder

__all__ = ["Embedder", "build_embedder"]
