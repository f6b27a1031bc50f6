"""What a crawl of one OParl source hands to the indexer, object by object.

* ``CrawledObject``: a paper or meeting, the documents it produced this time and its records of
  the council process (``ingest.process.records``);
* ``Organizations``: a page of organisations (bodies, factions, offices), and those deleted;
* ``Tombstone``: an object the server reports as deleted (or gone): its documents go;
* ``Unavailable``: an object that could not be crawled now: its documents stay as they are;
* ``Failure`` (from ``ingest.records``): a file that could not be read, reported only.

The indexer (``assistant.indexing``) batches them into the store and records, in the sync
state, which documents each object produced and which objects must be fetched again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.process.records import Organization, ProcessRecords
from ingest.records import Failure, RawDocument


@dataclass(frozen=True, slots=True)
class CrawledObject:
    object_id: str
    kind: str  # "paper" or "meeting"
    documents: tuple[RawDocument, ...]
    incomplete: str = ""  # why the object must be fetched again next time ("" if complete)
    process: ProcessRecords | None = None


@dataclass(frozen=True, slots=True)
class Organizations:
    organizations: tuple[Organization, ...]
    deleted: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tombstone:
    object_id: str


@dataclass(frozen=True, slots=True)
class Unavailable:
    object_id: str
    kind: str
    error: str  # reported as the object's failure
    pending_reason: str = ""  # recorded as why to fetch it again; "" leaves that record as it is


CrawlRecord = CrawledObject | Organizations | Tombstone | Unavailable | Failure
