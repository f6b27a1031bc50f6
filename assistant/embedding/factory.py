from __future__ import annotations

from assistant.config import Settings
from assistant.embedding.base import Embedder
from assistant.embedding.hashing import HashingEmbedder


def build_embedder(settings: Settings) -> Embedder:
    """'hashing' is the offline default; anything else is a sentence-transformers model.

    There is no silent fallback: a configured model that cannot load is an error.
    """
    if settings.embed_model == "hashing":
        return HashingEmbedder(dimension=settings.embed_dim)
    from assistant.embedding.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.embed_model, device=settings.device, batch_size=settings.embed_batch_size
    )
