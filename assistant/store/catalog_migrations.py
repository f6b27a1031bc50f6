"""Bringing a catalog written by an earlier version up to date, in place, when it is opened.

Each step is additive and idempotent, runs in one ``BEGIN IMMEDIATE`` transaction (so that two
processes opening the same old catalog do not both alter it), and says in the log what it did.

* ``text_hash``: the hash of the text each chunk was embedded from, so that an unchanged text
  reuses its stored vector instead of being embedded again; older rows get theirs when the
  catalog opens (``text_hashes.fill_missing_text_hashes``).
* ``paper_family``: documents used to hold only the normalised type in ``paper_type``; now
  ``paper_type`` is the type as the source states it and ``paper_family`` its normalised family.
  For rows written before, the old value is both (it was a family or ""). Filters and facets work
  on them at once; the type as stated is had when a document is ingested again (a changed file,
  ``ratsinfo sync``, or an ingest into a new data dir).
"""

from __future__ import annotations

import logging
import sqlite3

logger = logging.getLogger(__name__)


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def migrate(connection: sqlite3.Connection) -> list[str]:
    """Apply the steps an older catalog lacks; returns what was done (for the log and tests)."""
    if "paper_family" in _columns(connection, "documents") and "text_hash" in _columns(connection, "chunks"):
        connection.execute("CREATE INDEX IF NOT EXISTS chunks_text_hash ON chunks(text_hash)")
        return []
    done: list[str] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        if "paper_family" not in _columns(connection, "documents"):  # another process may have won
            connection.execute("ALTER TABLE documents ADD COLUMN paper_family TEXT NOT NULL DEFAULT ''")
            connection.execute("UPDATE documents SET paper_family = paper_type")
            done.append(
                "documents.paper_family added, filled from the normalised paper_type; documents "
                "ingested before keep their normalised type until they are ingested again"
            )
        if "text_hash" not in _columns(connection, "chunks"):
            # Filled by the catalog when it opens (it needs the documents' headers, see Catalog).
            connection.execute("ALTER TABLE chunks ADD COLUMN text_hash TEXT")
            done.append("chunks.text_hash added (stored vectors are reused for unchanged texts)")
        connection.execute("CREATE INDEX IF NOT EXISTS chunks_text_hash ON chunks(text_hash)")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    for step in done:
        logger.warning("catalog upgraded: %s", step)
    return done
