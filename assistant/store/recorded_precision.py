"""The built-in model's precision for a data dir: ``auto`` keeps the variant the store was built with.

``RATSINFO_EMBED_PRECISION=auto`` picks by machine (``precision.auto_precision``): bf16 with AMX,
int8 with VNNI and no AMX, fp32 otherwise. int8 vectors do not share a store with the others, so a
store built on one machine and opened on another whose ``auto`` differs (a backup restored on new
hardware, a store built on a GPU server moved to a CPU) would be refused. Here ``auto`` becomes the
store's own variant instead (``precision.precision_for_store``); an explicit precision is taken as
it is, and `ratsinfo reindex` with it moves a store to another variant.
"""

from __future__ import annotations

import sqlite3

from assistant.config import Settings
from assistant.embedding.builtin_e5 import BUILTIN_E5
from assistant.embedding.precision import auto_precision, cpu_flags, precision_for_store
from assistant.store.embedder_choice import recorded_build


def recorded_embedder(settings: Settings) -> str | None:
    """The embedder named by the store's build record, read without creating or changing anything."""
    try:
        record = recorded_build(settings)
    except (sqlite3.Error, ValueError):  # a catalog that is not ours: the store will say
        return None
    return str(record["embedder"]) if record and record.get("embedder") else None


def keep_recorded_precision(settings: Settings) -> Settings:
    """``settings`` with ``embed_precision`` set to the store's variant where ``auto`` would differ."""
    if settings.embed_precision != "auto" or settings.embed_model != BUILTIN_E5:
        return settings
    recorded = recorded_embedder(settings)
    if recorded is None or not recorded.startswith(f"{BUILTIN_E5}@"):
        return settings
    flags = cpu_flags()
    precision = precision_for_store(settings.device, flags, recorded)
    if precision == auto_precision(settings.device, flags):
        return settings
    return settings.model_copy(update={"embed_precision": precision})
