"""OParl source: crawl council information systems (ALLRIS, SessionNet, SD.NET, …) via OParl 1.0/1.1.

client (HTTP, politeness, retries) → adapters (vendor quirks) → mapping (objects → documents)
→ crawl (one source, in batches through the pipeline) → sync (sources, incremental state).
"""

from __future__ import annotations

from ingest.sources.oparl.client import USER_AGENT, FetchError
from ingest.sources.oparl.crawl import CrawlStats
from ingest.sources.oparl.sync import STATE_FILE, OParlSync, SyncResult

__all__ = ["STATE_FILE", "USER_AGENT", "CrawlStats", "FetchError", "OParlSync", "SyncResult"]
