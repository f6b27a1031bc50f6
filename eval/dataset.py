"""QA datasets: one JSON object per line, validated with errors that name the line and the field.

A line looks like::

    {"id": "q01", "question": "…", "relevant": ["A/2025/014", "file-contents/664884.txt"],
     "answerable": true, "reference_answer": "…", "claims": ["…"], "user": "anna", "note": "…",
     "tags": ["paraphrase"]}

``expected`` makes a question a process question (eval/process_checks.py): the result, dates,
body or references its answer must state.

``tags`` are free labels that let reports show groups of questions separately (``paraphrase``:
asked in other words than the document's; ``unanswerable``); a line without them has none.

A ``relevant`` entry names a document by its reference number, its doc id, or the end of its
source path (cut at a path separator, so ``4884.txt`` does not match ``664884.txt``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.process_checks import ProcessExpectation, parse_expectation
from ingest.records import DocumentInfo

_REQUIRED = ("id", "question", "relevant", "answerable")
_OPTIONAL = ("reference_answer", "claims", "user", "note", "tags", "expected")
_KNOWN = frozenset(_REQUIRED + _OPTIONAL)


class DatasetError(ValueError):
    """A malformed dataset line; the message names the file, the line and the field."""

    def __init__(self, message: str, line: int = 0, field: str = "", path: str = "") -> None:
        parts = [path, f"line {line}" if line else "", f"field {field!r}" if field else "", message]
        super().__init__(": ".join(part for part in parts if part))
        self.detail = message
        self.line = line
        self.field = field

    def in_file(self, path: str) -> DatasetError:
        """The same error with the file named in front."""
        return DatasetError(self.detail, self.line, self.field, path)


@dataclass(frozen=True, slots=True)
class QAItem:
    """One evaluation question."""

    id: str
    question: str
    relevant: tuple[str, ...]
    answerable: bool
    reference_answer: str = ""
    claims: tuple[str, ...] = ()
    user: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    expected: ProcessExpectation | None = None  # what a process question's answer must state
    line: int = 0


def _string(data: Mapping[str, Any], field: str, line: int, *, required: bool) -> str:
    value = data.get(field)
    if value is None:
        if required:
            raise DatasetError("is missing", line, field)
        return ""
    if not isinstance(value, str):
        raise DatasetError(f"must be a string, got {type(value).__name__}", line, field)
    if required and not value.strip():
        raise DatasetError("is empty", line, field)
    return value.strip()


def _string_list(data: Mapping[str, Any], field: str, line: int, *, required: bool) -> tuple[str, ...]:
    value = data.get(field)
    if value is None:
        if required:
            raise DatasetError("is missing (use [] for none)", line, field)
        return ()
    if not isinstance(value, list):
        raise DatasetError(f"must be a list of strings, got {type(value).__name__}", line, field)
    items = []
    for position, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise DatasetError(f"entry {position} must be a non-empty string, got {item!r}", line, field)
        items.append(item.strip())
    return tuple(items)


def parse_item(data: object, line: int = 0) -> QAItem:
    """Validate one decoded JSON line and turn it into a :class:`QAItem`."""
    if not isinstance(data, dict):
        raise DatasetError(f"expected a JSON object, got {type(data).__name__}", line)
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        # A typo ("relevnt") would otherwise silently drop the field.
        raise DatasetError(
            f"unknown field(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(_KNOWN))}", line
        )
    item_id = _string(data, "id", line, required=True)
    question = _string(data, "question", line, required=True)
    relevant = _string_list(data, "relevant", line, required=True)
    answerable = data.get("answerable")
    if answerable is None:
        raise DatasetError("is missing", line, "answerable")
    if not isinstance(answerable, bool):
        raise DatasetError(f"must be true or false, got {answerable!r}", line, "answerable")
    item = QAItem(
        id=item_id,
        question=question,
        relevant=relevant,
        answerable=answerable,
        reference_answer=_string(data, "reference_answer", line, required=False),
        claims=_string_list(data, "claims", line, required=False),
        user=_string(data, "user", line, required=False),
        note=_string(data, "note", line, required=False),
        tags=_string_list(data, "tags", line, required=False),
        expected=_expected(data, line),
        line=line,
    )
    if item.answerable and not item.relevant:
        raise DatasetError("an answerable question needs at least one relevant document", line, "relevant")
    return item


def _expected(data: Mapping[str, Any], line: int) -> ProcessExpectation | None:
    if data.get("expected") is None:
        return None
    try:
        return parse_expectation(data["expected"])
    except ValueError as error:
        raise DatasetError(str(error), line, "expected") from None


def parse_lines(lines: Iterable[str], source: str = "") -> list[QAItem]:
    """Parse JSONL text; blank lines and lines starting with ``//`` are skipped."""
    items: list[QAItem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("//"):
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise DatasetError(
                f"invalid JSON: {error.msg} (column {error.colno})", number, path=source
            ) from None
        try:
            item = parse_item(data, number)
        except DatasetError as error:
            raise error.in_file(source) from None
        if item.id in seen:
            raise DatasetError(
                f"duplicate id {item.id!r} (first on line {seen[item.id]})", number, "id", source
            )
        seen[item.id] = number
        items.append(item)
    if not items:
        raise DatasetError("the dataset holds no questions", path=source)
    return items


def load_dataset(path: Path) -> list[QAItem]:
    """Read and validate a JSONL dataset file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DatasetError(f"cannot read the dataset: {error.strerror}", path=str(path)) from error
    return parse_lines(text.splitlines(), source=str(path))


def matches(entry: str, document: DocumentInfo) -> bool:
    """True if ``entry`` is the document's reference, its doc id, or a trailing part of its path."""
    if entry in (document.reference, document.doc_id):
        return True
    source = document.source.replace("\\", "/")
    suffix = entry.replace("\\", "/").removeprefix("./")
    if not suffix or not source.endswith(suffix):
        return False
    # Cut at a separator: "4884.txt" must not match ".../664884.txt".
    boundary = len(source) - len(suffix)
    return boundary == 0 or suffix.startswith("/") or source[boundary - 1] == "/"


def resolve_relevant(
    item: QAItem, documents: Mapping[str, DocumentInfo]
) -> tuple[list[frozenset[str]], list[str]]:
    """Per relevant entry, the doc ids it matches; and the entries that match no document."""
    resolved: list[frozenset[str]] = []
    unresolved: list[str] = []
    for entry in item.relevant:
        doc_ids = frozenset(doc_id for doc_id, document in documents.items() if matches(entry, document))
        resolved.append(doc_ids)
        if not doc_ids:
            unresolved.append(entry)
    return resolved, unresolved
