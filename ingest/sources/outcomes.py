"""What a reader reports about each document it was asked about; the indexer applies it.

A reader gets a read-only snapshot of the index (doc_id → ``DocumentInfo``) and reports each
document as exactly one of:

* ``ToIndex``: new, or changed (its content hash differs from the snapshot's): to be prepared,
  embedded and written;
* ``Unchanged``: the index holds this content already; ``new_access`` when its access labels
  are no longer those the index holds (they change without re-embedding);
* ``Unreadable``: the source could not be read this time; the document stays as it is and is
  never pruned for that.

Readers never touch the store: only the indexer (``assistant.indexing``) writes to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ingest.records import DocumentInfo, RawDocument
from ingest.sources.file_states import FileState

Snapshot = Mapping[str, DocumentInfo]


@dataclass(frozen=True, slots=True)
class ToIndex:
    """A document whose content the index does not hold: prepare and write it."""

    raw: RawDocument
    root: str  # the folder or source URL it was read under (the scope of pruning)
    access: frozenset[str]
    new: bool  # True: the index does not hold the document at all; False: its content changed
    observed: FileState | None = None  # a folder file's size and mtime as read, to record once written

    @property
    def doc_id(self) -> str:
        return self.raw.doc_id


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A document the index holds with this content; its access may have changed."""

    doc_id: str
    new_access: frozenset[str] | None = None  # None: the access the index holds is still right
    observed: FileState | None = None  # set when the file was read and hashed to find this out


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A source that could not be read now; what the index holds of it is kept."""

    doc_id: str
    source: str
    error: str  # English
    message: str = ""  # German, for people


ReadOutcome = ToIndex | Unchanged | Unreadable


def classify(
    raw: RawDocument,
    root: str,
    access: frozenset[str],
    known: Snapshot,
    observed: FileState | None = None,
) -> ToIndex | Unchanged:
    """New, changed or unchanged: the content hash against the snapshot decides."""
    previous = known.get(raw.doc_id)
    if previous is None or previous.content_hash != raw.content_hash:
        return ToIndex(raw, root, access, new=previous is None, observed=observed)
    new_access = None if previous.access == access else access
    return Unchanged(raw.doc_id, new_access, observed)
