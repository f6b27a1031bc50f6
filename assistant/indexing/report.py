"""What an indexing run did: documents added, updated, unchanged, deleted, and what failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.records import Failure


@dataclass(slots=True)
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0  # chunks embedded and written in this run
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": [{"source": f.source, "error": f.error} for f in self.failed],
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }
