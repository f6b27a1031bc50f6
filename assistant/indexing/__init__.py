"""Indexing: applies what the readers of ``ingest/`` report to the store.

pipeline (``Ingestor``: folders and any reader's outcomes → prepare → embed → store)
← oparl_batches (one OParl crawl's records, in batches, with the sync state kept in step)
← oparl_sync (``OParlSync``: which sources, full or incremental crawls, pruning).
Readers get a read-only snapshot of the store; only this package writes to it.
"""

from __future__ import annotations

from assistant.indexing.pipeline import PUBLIC_ACCESS, Ingestor
from assistant.indexing.report import IngestReport
from ingest.records import Failure

__all__ = ["PUBLIC_ACCESS", "Failure", "IngestReport", "Ingestor"]
