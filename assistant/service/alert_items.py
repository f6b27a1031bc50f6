"""Alerts as their user may see them now: every stored alert is checked again when it is shown.

An alert row holds ids and the events' own words. Title, reference, type, date, bodies, snippet
and link are read from the store here, for the user's principal of this moment, and an alert
whose document (or, for a followed paper's news, whose step, minutes or linked paper) the user
may no longer see is left out, without a trace: not in a list, a feed or an e-mail, not counted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from assistant.access import Principal
from assistant.service.alert_models import AlertOut
from assistant.service.alert_relevance import key_terms
from assistant.service.body_access import BodyAccess
from assistant.service.paper_history import paper_ref
from assistant.service.paper_index import PaperIndex
from assistant.service.visibility import may_see
from assistant.store.alerts_db import AlertRow
from assistant.store.store import Store
from ingest.records import DocumentInfo
from ingest.text.words import search_terms

SNIPPET_CHARS = 300
_WORD = re.compile(r"\w+")
_STATES = {"neu": "neues Dokument", "geändert": "geändertes Dokument", "Ergebnis": "neues Ergebnis"}


def document_link(base_url: str, doc_id: str) -> str:
    """The document view of the web UI (the user signs in first)."""
    return f"{base_url}/ui/?doc={quote(doc_id, safe='')}"


def _snippet(text: str, query: str = "") -> str:
    """About ``SNIPPET_CHARS`` of ``text``, from a little before the first word of ``query``."""
    flat = " ".join(text.split())
    terms = set(key_terms(query))
    first = next((m.start() for m in _WORD.finditer(flat) if terms & set(search_terms(m.group(0)))), 0)
    start = flat.rfind(" ", 0, max(0, first - SNIPPET_CHARS // 4)) + 1 if first > SNIPPET_CHARS // 4 else 0
    window = flat[start:]
    if len(window) > SNIPPET_CHARS:
        window = window[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + window


class AlertItems:
    """Renders stored alerts for one principal (already granted its bodies' labels)."""

    def __init__(
        self, store: Store, index: PaperIndex, bodies: BodyAccess, base_url: str, key: Callable[[], bytes]
    ) -> None:
        self._store = store
        self._index = index
        self._bodies = bodies
        self._base_url = base_url
        self._key = key  # signs the opaque keys of alerts (their row ids count everyone's alerts)

    def _event_visible(
        self, principal: Principal, event: Mapping[str, Any], documents: Mapping[str, DocumentInfo]
    ) -> bool:
        if not self._bodies.may_see(principal, event.get("public"), event.get("bodies") or ()):
            return False
        for doc_id in event.get("doc_ids") or ():
            other = documents.get(doc_id)
            if other is None or not may_see(principal, other):
                return False
        return True

    def items(self, principal: Principal, rows: Iterable[AlertRow]) -> list[AlertOut]:
        """The alerts of ``rows`` that ``principal`` may see now, in their order."""
        documents = self._store.documents()
        found = []
        for row in rows:
            document = documents.get(row.doc_id)
            if document is None or not may_see(principal, document):
                continue
            events = [
                str(event["text"])
                for event in row.events
                if "text" in event and self._event_visible(principal, event, documents)
            ]
            if row.kind == "follow" and not events:
                continue
            found.append(self._item(principal, row, document, events))
        return found

    def _item(
        self, principal: Principal, row: AlertRow, document: DocumentInfo, events: list[str]
    ) -> AlertOut:
        if row.kind == "search":
            found = next((event for event in row.events if "state" in event), {})
            state, query = str(found.get("state", "")), str(found.get("query", ""))
            reason = f"Suche „{row.source}“" + (f" · {_STATES[state]}" if state in _STATES else "")
            snippet = _snippet(self._passage(row) or document.subject or document.title, query)
        else:
            reason = "Vorgang, dem Sie folgen"
            snippet = _snippet(" · ".join(events))
        steps = self._index.visible_steps(principal, document)
        return AlertOut(
            **paper_ref(self._index, document).model_dump(exclude={"originator"}),
            id=hmac.new(self._key(), f"alert:{row.id}".encode(), hashlib.sha256).hexdigest()[:20],
            created=row.created,
            kind=row.kind,
            reason=reason,
            bodies=list(dict.fromkeys(body for step in steps for body in step.bodies)),
            snippet=snippet,
            events=events,
            link=document_link(self._base_url, document.doc_id),
        )

    def _passage(self, row: AlertRow) -> str:
        """The matched passage; if the document changed since, its first passage."""
        stored = self._store.catalog.chunks([row.chunk_id]) if row.chunk_id else {}
        if row.chunk_id in stored:
            return stored[row.chunk_id].text
        chunks = self._store.catalog.chunks_of(row.doc_id)
        return chunks[0].text if chunks and row.chunk_id else ""
