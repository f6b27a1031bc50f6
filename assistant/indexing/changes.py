"""What one indexing run changed, as typed data: the input of alert matching.

An ingest or sync fills one ``RunChanges`` (on its ``IngestReport``) while it writes: documents
added, updated (new content), deleted, or given other access without new content, and the
process objects whose records really changed (``ProcessChanges``, compared row by row by the
store). Whoever acts on a run's news (``assistant.service.alerts_service``) reads this instead
of scanning the whole store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.store.process_changes import ProcessChanges


@dataclass(slots=True)
class RunChanges:
    added: set[str] = field(default_factory=set)  # document ids
    updated: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    access_changed: set[str] = field(default_factory=set)  # same content, other groups
    process: ProcessChanges = field(default_factory=ProcessChanges)

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.deleted or self.access_changed or self.process)

    @property
    def changed_documents(self) -> set[str]:
        """Documents with new content in this run that are still there."""
        return (self.added | self.updated) - self.deleted

    def document_added(self, doc_id: str, new: bool) -> None:
        (self.added if new else self.updated).add(doc_id)

    def documents_deleted(self, doc_ids: set[str] | list[str]) -> None:
        self.deleted.update(doc_ids)

    def to_dict(self) -> dict[str, int]:
        """Counts, for reports (the ids stay in the object)."""
        return {
            "documents_added": len(self.added - self.deleted),
            "documents_updated": len(self.updated - self.deleted),
            "documents_deleted": len(self.deleted),
            "papers_changed": len(self.process.papers),
            "meetings_changed": len(self.process.meetings),
        }
