"""What an indexing run did: documents added, updated, unchanged, deleted, and what failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.indexing.changes import RunChanges
from ingest.records import Failure


@dataclass(slots=True)
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)  # indexed, but with gaps (pages not read)
    chunks: int = 0  # chunks written in this run
    embedded: int = 0  # of them, computed by the model (the others reused a stored vector)
    seconds: float = 0.0
    changes: RunChanges = field(default_factory=RunChanges)  # which documents and process objects

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": [_entry(f) for f in self.failed],
            "warnings": [_entry(f) for f in self.warnings],
            "chunks": self.chunks,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 3),
        }


def _entry(failure: Failure) -> dict[str, str]:
    """``error`` in English (stable for scripts), ``message`` in German (for people)."""
    return {"source": failure.source, "error": failure.error, "message": failure.message or failure.error}
