"""Matching after a run: which user learns what about the documents and papers the run changed.

Only what the run changed is looked at (``RunChanges``), never the whole store. Every saved
search and every follow is matched as its user, with the groups the user has at this moment
(read from the user store now): a revoked user gets nothing, a user who lost a group gets
nothing of that group's documents or bodies.

* A **saved search** looks at the run's new and changed documents (and, when it filters by
  result, at the papers whose process changed). Its filters apply exactly as in search; its
  query runs through the same hybrid retrieval, restricted to those documents, and the relevance
  rule (``alert_relevance``) decides. A search reports a version of a document once: its text
  (not its metadata: an OParl paper's new consultation is news for its followers, not for a
  topic) and, with a result filter, its outcome.
* A **follow** looks at its paper when the run changed the paper's document or process records:
  the events its user may see now (``paper_events``) whose keys the user has not been told.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.access import Principal
from assistant.auth.users import UserStore
from assistant.indexing.changes import RunChanges
from assistant.models import SearchFilters
from assistant.retrieval import HybridRetriever
from assistant.service.alert_relevance import Terms, matching_documents, term_weights
from assistant.service.body_access import BodyAccess
from assistant.service.paper_events import PaperEvents, text_digest
from assistant.service.paper_index import PaperIndex
from assistant.service.paper_lists import matching_rows
from assistant.service.visibility import may_see
from assistant.store.alerts_db import AlertsDb, NewAlert, SavedSearch
from assistant.store.store import Store
from ingest.records import DocumentInfo

MAX_PER_SEARCH = 50  # documents one saved search reports per run, best first
MAX_PASSAGES = 2000  # passages a saved search's query retrieves among a run's documents


@dataclass(slots=True)
class Matched:
    """A run's alerts, and what to remember so that nothing is reported twice."""

    alerts: list[NewAlert] = field(default_factory=list)
    known: dict[int, frozenset[str]] = field(default_factory=dict)  # follow id → keys told
    hits: dict[int, dict[str, str]] = field(default_factory=dict)  # search id → doc → signature


class AlertMatcher:
    def __init__(
        self,
        store: Store,
        retriever: HybridRetriever,
        index: PaperIndex,
        bodies: BodyAccess,
        db: AlertsDb,
        users: UserStore,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._store = store
        self._retriever = retriever
        self._index = index
        self._bodies = bodies
        self._db = db
        self._users = users
        self._events = PaperEvents(index, store)
        self._today = today
        # Within one run: passages analysed once, and one retrieval per query, filters and
        # groups (users with the same search and groups get the same documents).
        self._terms = Terms()
        self._found: dict[tuple[object, ...], list[tuple[str, str]]] = {}

    def principals(self) -> dict[str, Principal]:
        """Every active user's principal now, granted the labels of its bodies."""
        return {
            user.name: self._bodies.principal(user.principal()) for user in self._users.users() if user.active
        }

    def match(self, changes: RunChanges) -> Matched:
        documents = self._store.documents()
        changed = {doc_id for doc_id in changes.changed_documents if doc_id in documents}
        processed = {
            doc_id
            for paper_id in changes.process.papers
            if (doc_id := self._index.doc_of(paper_id)) and doc_id in documents
        }
        principals = self.principals()
        matched = Matched()
        if not (changed or processed) or not principals:
            return matched
        for search in self._db.searches():
            principal = principals.get(search.user)
            if principal is not None:
                self._search(search, principal, documents, changed, processed, changes, matched)
        for follow in self._db.follows():
            principal = principals.get(follow.user)
            document = documents.get(follow.doc_id)
            if follow.doc_id not in changed | processed or principal is None or document is None:
                continue
            if not may_see(principal, document):
                continue
            events = self._events.events(principal, document)
            news = [event for event in events if event.key not in follow.known]
            if news:
                dicts = tuple(event.to_dict() for event in news)
                matched.alerts.append(NewAlert(follow.user, "follow", "", follow.doc_id, events=dicts))
            matched.known[follow.id] = follow.known | {event.key for event in events}
        return matched

    def _search(
        self,
        search: SavedSearch,
        principal: Principal,
        documents: Mapping[str, DocumentInfo],
        changed: set[str],
        processed: set[str],
        changes: RunChanges,
        matched: Matched,
    ) -> None:
        filters = search.filters
        wanted = changed | processed if filters.result else changed
        of_document = replace(filters, result="")
        candidates = [
            documents[doc_id]
            for doc_id in sorted(wanted)
            if may_see(principal, documents[doc_id]) and of_document.matches(documents[doc_id])
        ]
        outcomes: dict[str, str] = {}
        if filters.result and candidates:
            by_result = SearchFilters(result=filters.result)
            rows = matching_rows(self._index, principal, candidates, by_result, self._today())
            outcomes = {row.doc_id: row.outcome for row in rows}
            candidates = [doc for doc in candidates if doc.doc_id in outcomes]
        if not candidates:
            return
        if search.query:
            restricted = replace(of_document, doc_ids=frozenset(doc.doc_id for doc in candidates))
            found = self._relevant(search.query, principal, restricted, candidates)
        else:
            newest = sorted(candidates, key=lambda doc: (doc.date or date.min, doc.doc_id), reverse=True)
            found = [(doc.doc_id, "") for doc in newest]
        reported = self._db.reported(search.id)
        hits: dict[str, str] = {}
        for doc_id, chunk_id in found:
            signature = f"{text_digest(self._store, doc_id)}|{outcomes.get(doc_id, '')}"
            if reported.get(doc_id) == signature:
                continue
            if len(hits) >= MAX_PER_SEARCH:
                break
            hits[doc_id] = signature
            state = "neu" if doc_id in changes.added else "geändert" if doc_id in changed else "Ergebnis"
            event = {"state": state, "query": search.query}
            matched.alerts.append(NewAlert(search.user, "search", search.name, doc_id, chunk_id, (event,)))
        if hits:
            matched.hits[search.id] = hits

    def _relevant(
        self, query: str, principal: Principal, filters: SearchFilters, candidates: list[DocumentInfo]
    ) -> list[tuple[str, str]]:
        """(document, best passage) of the candidates that the query's retrieval finds relevant."""
        key = (query, filters, principal.groups, principal.unrestricted)
        if key not in self._found:
            # Every passage of the candidates, so that each document's best ones are among them
            # (a run's documents are few; a first crawl's many are capped).
            k = max(10, min(MAX_PASSAGES, sum(doc.chunk_count for doc in candidates)))
            passages = self._retriever.search(query, principal, filters, k)
            weights = term_weights(query, self._store.bm25())
            matches = matching_documents(passages, weights, terms=self._terms)
            self._found[key] = [(match.doc_id, match.chunk_id) for match in matches]
        return self._found[key]
