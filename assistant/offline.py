"""Switch off every phone-home before the libraries that would do it are imported."""

from __future__ import annotations

import os

# Each of these libraries checks for updates, sends telemetry or fetches models unless told not to.
_OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",  # huggingface_hub / sentence-transformers: never contact the hub
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",  # gradio: analytics and version check
    "ANONYMIZED_TELEMETRY": "False",  # chromadb: posthog telemetry
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def disable_phone_home() -> None:
    """Set the environment switches; called once at every entry point (CLI, app factory)."""
    for key, value in _OFFLINE_ENVIRONMENT.items():
        os.environ[key] = value
    # llama-index falls back to OpenAI when no LLM is set; make "no LLM" explicit.
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.embeddings import MockEmbedding
    from llama_index.core.llms import MockLLM

    LlamaSettings.llm = MockLLM()
    # We always pass vectors ourselves; a mock keeps llama-index from loading OpenAI's embedder.
    LlamaSettings.embed_model = MockEmbedding(embed_dim=1)
