"""OParl source: crawl council information systems (ALLRIS, SessionNet, SD.NET, …) via OParl 1.0/1.1.

client (HTTP, politeness, retries) → adapters (vendor quirks) → mapping (objects → documents)
→ crawl (one source → typed records, ``crawl_records``). The indexer that writes the records
into the store and drives sync runs is ``assistant.indexing.oparl_sync``.
"""

from __future__ import annotations

from ingest.sources.oparl.client import USER_AGENT, FetchError
from ingest.sources.oparl.crawl import CrawlStats
from ingest.sources.oparl.state import STATE_FILE

__all__ = ["STATE_FILE", "USER_AGENT", "CrawlStats", "FetchError"]
