"""Leakage across access groups: restricted passages retrieved, cited or quoted for an outsider.

A passage is restricted for a principal when the service layer's access rule does not let the
principal see its document as stored now (``assistant.service.visible``: public, or a shared
group). Quoting is checked on the text: an answer sentence that stands in a document the
principal may not see, and in none of the visible passages the answer cites, came from where it
must not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.access import Principal
from assistant.schemas import AskResponse
from assistant.service import visible
from assistant.store.store import Store
from eval.grounding import split_cited_sentences
from ingest.records import DocumentInfo

_MIN_QUOTE_CHARS = 25  # shorter sentences ("Der Antrag wurde angenommen.") recur everywhere
_NON_ALNUM = re.compile(r"[^0-9a-zäöüß]+")


def _squash(text: str) -> str:
    """Letters and digits only, lower case: quotes survive the answerer's clean-up of whitespace."""
    return _NON_ALNUM.sub("", text.lower())


@dataclass(slots=True)
class Leaks:
    retrieved: list[str] = field(default_factory=list)  # doc ids
    cited: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)  # the leaking sentences

    @property
    def total(self) -> int:
        return len(self.retrieved) + len(self.cited) + len(self.quoted)

    def to_dict(self) -> dict[str, list[str]]:
        return {"retrieved": self.retrieved, "cited": self.cited, "quoted": self.quoted}


class LeakDetector:
    """Checks search results and answers of one principal against the store's access lists."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._texts: dict[str, str] = {}

    def _text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            self._texts[doc_id] = _squash(" ".join(page.text for page in self._store.catalog.pages(doc_id)))
        return self._texts[doc_id]

    def check(
        self,
        principal: Principal,
        retrieved: Sequence[str],
        response: AskResponse | None,
        documents: Mapping[str, DocumentInfo],
    ) -> Leaks:
        """Leaks in a search result (the doc ids of its passages, in order) and an answer."""
        leaks = Leaks()
        seen = {document.doc_id for document in visible(principal, documents.values())}
        hidden = set(documents) - seen
        if not hidden:
            return leaks
        leaks.retrieved = [doc_id for doc_id in retrieved if doc_id in hidden]
        if response is None or response.abstained:
            return leaks
        leaks.cited = [c.doc_id for c in response.citations if c.doc_id in hidden]
        visible_cited = _squash(" ".join(c.text for c in response.citations if c.doc_id not in hidden))
        for sentence in split_cited_sentences(response.answer):
            quote = _squash(sentence.text)
            if len(quote) < _MIN_QUOTE_CHARS or quote in visible_cited:
                continue
            if any(quote in self._text(doc_id) for doc_id in hidden):
                leaks.quoted.append(sentence.text)
        return leaks
