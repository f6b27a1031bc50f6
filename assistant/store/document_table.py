"""The documents of one catalog generation as numpy columns: who sees what, and filters, as masks.

At 100,000 documents, asking ``principal.can_see(document.access) and filters.matches(document)``
of every document cost a Python loop per search (tens of milliseconds). Here the same rule is
evaluated on columns: one boolean array per access group, dates as YYYYMMDD integers, paper
types (as stated and their families), references, originators and bodies as codes into their
(few) distinct values, so that a substring filter tests each distinct value once. ``mask()``
must agree exactly with ``Principal.can_see`` and ``SearchFilters.matches``;
``tests/test_document_table.py`` checks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from assistant.access import PUBLIC, Principal
from assistant.models import SearchFilters
from ingest.records import DocumentInfo
from ingest.text.identifiers import reference_key


def _date_number(value: object) -> int:
    if value is None:
        return 0
    return int(value.year) * 10000 + int(value.month) * 100 + int(value.day)  # type: ignore[attr-defined]


def _codes(values: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """Distinct values and, per row, the index of its value."""
    distinct: dict[str, int] = {}
    codes = [distinct.setdefault(value, len(distinct)) for value in values]
    return list(distinct), np.asarray(codes, dtype=np.int64)


class DocumentTable:
    """Column view of ``documents``; rows are in sorted doc id order (that of the BM25 index)."""

    def __init__(self, documents: Mapping[str, DocumentInfo]) -> None:
        self.doc_ids: list[str] = sorted(documents)
        self.position = {doc_id: row for row, doc_id in enumerate(self.doc_ids)}
        rows = [documents[doc_id] for doc_id in self.doc_ids]
        count = len(rows)
        self.chunk_counts = np.fromiter((d.chunk_count for d in rows), dtype=np.int64, count=count)
        self.total_chunks = int(self.chunk_counts.sum())
        self._dates = np.fromiter((_date_number(d.date) for d in rows), dtype=np.int64, count=count)
        self._groups: dict[str, np.ndarray] = {}
        for row, document in enumerate(rows):
            for group in document.access:
                self._groups.setdefault(group, np.zeros(count, dtype=bool))[row] = True
        self._types, self._type_codes = _codes(d.paper_type.casefold() for d in rows)
        self._families, self._family_codes = _codes(d.paper_family.casefold() for d in rows)
        self._references, self._reference_codes = _codes(d.reference for d in rows)
        self._reference_rows: dict[str, list[int]] | None = None  # by reference_key, when first asked
        self._originators, self._originator_codes = _codes(d.originator.casefold() for d in rows)
        # Bodies: several per document, flattened (row of each entry, code of its body).
        body_rows = [row for row, document in enumerate(rows) for _ in document.bodies]
        self._body_rows = np.asarray(body_rows, dtype=np.int64)
        self._bodies, self._body_codes = _codes(body.casefold() for d in rows for body in d.bodies)

    def __len__(self) -> int:
        return len(self.doc_ids)

    def _any_of(self, values: Sequence[str], codes: np.ndarray, wanted: Iterable[int]) -> np.ndarray:
        chosen = np.zeros(len(values), dtype=bool)
        chosen[list(wanted)] = True
        return chosen[codes] if len(codes) else np.zeros(0, dtype=bool)

    def visible(self, principal: Principal) -> np.ndarray:
        """Rows ``principal`` may see (``Principal.can_see``)."""
        if principal.unrestricted:
            return np.ones(len(self), dtype=bool)
        mask = np.zeros(len(self), dtype=bool)
        for group in {PUBLIC} | principal.groups:
            granted = self._groups.get(group)
            if granted is not None:
                mask |= granted
        return mask

    def mask(self, principal: Principal, filters: SearchFilters) -> np.ndarray:
        """Rows ``principal`` may see that match ``filters`` (``SearchFilters.matches``)."""
        mask = self.visible(principal)
        if filters.doc_ids is not None:
            allowed = np.zeros(len(self), dtype=bool)
            allowed[[self.position[d] for d in filters.doc_ids if d in self.position]] = True
            mask &= allowed
        if filters.paper_types:
            wanted = {paper_type.casefold() for paper_type in filters.paper_types}
            stated = self._any_of(
                self._types, self._type_codes, (i for i, v in enumerate(self._types) if v in wanted)
            )
            family = self._any_of(
                self._families,
                self._family_codes,
                (i for i, v in enumerate(self._families) if v and v in wanted),
            )
            mask &= stated | family
        if filters.reference:
            mask &= self._any_of(
                self._references,
                self._reference_codes,
                (i for i, v in enumerate(self._references) if v == filters.reference),
            )
        if filters.date_from:
            mask &= self._dates >= _date_number(filters.date_from)
        if filters.date_to:
            mask &= (self._dates <= _date_number(filters.date_to)) & (self._dates > 0)
        if filters.originator:
            needle = filters.originator.casefold()
            mask &= self._any_of(
                self._originators,
                self._originator_codes,
                (i for i, v in enumerate(self._originators) if needle in v),
            )
        if filters.body:
            needle = filters.body.casefold()
            entries = self._any_of(
                self._bodies, self._body_codes, (i for i, v in enumerate(self._bodies) if needle in v)
            )
            has_body = np.zeros(len(self), dtype=bool)
            has_body[self._body_rows[entries]] = True
            mask &= has_body
        return mask

    def rows_with_reference(self, keys: Iterable[str]) -> list[int]:
        """Rows whose reference, as ``reference_key`` writes it, is one of ``keys``."""
        index = self._reference_rows
        if index is None:
            index = {}
            key_of_code = [reference_key(reference) for reference in self._references]
            for row, code in enumerate(self._reference_codes.tolist()):
                if key_of_code[code]:
                    index.setdefault(key_of_code[code], []).append(row)
            self._reference_rows = index  # one assignment: safe for the API's worker threads
        return sorted({row for key in keys for row in index.get(key, ())})

    def visible_chunks(self, mask: np.ndarray) -> int:
        return int(self.chunk_counts[mask].sum())

    def chunk_ids(self, mask: np.ndarray) -> list[str]:
        """Ids of all chunks of the rows in ``mask`` (a document's chunks are numbered from 0)."""
        return [
            f"{self.doc_ids[row]}:{index}"
            for row in np.flatnonzero(mask)
            for index in range(int(self.chunk_counts[row]))
        ]
