"""Subscriptions to alerts: saved searches, followed papers, e-mail settings and feed secrets.

The base of ``AlertsService`` (assistant/service/alerts_service.py), which adds matching,
delivery and reading. Every change is an audited operation of the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Self

from assistant.access import Principal
from assistant.audit import AuditLog, filters_to_dict
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.errors import ConflictError, InvalidRequestError, NotFoundError
from assistant.mail import send
from assistant.models import SearchFilters
from assistant.retrieval import MAX_QUERY_CHARS, HybridRetriever
from assistant.service.alert_delivery import Send
from assistant.service.alert_items import AlertItems
from assistant.service.alert_links import FEED_PATH, new_feed_secret
from assistant.service.alert_models import (
    FeedOut,
    FollowOut,
    MailSettingsOut,
    SavedSearchOut,
    SubscriptionsOut,
)
from assistant.service.alert_relevance import key_terms
from assistant.service.body_access import BodyAccess
from assistant.service.caller import Caller
from assistant.service.paper_events import PaperEvents
from assistant.service.paper_lists import check_outcome
from assistant.service.process_service import ProcessService
from assistant.service.recorder import AuditRecorder
from assistant.service.visibility import may_see
from assistant.store.alerts_db import AlertsDb, SavedSearch
from assistant.store.alerts_outbox import DIGESTS, Outbox
from assistant.store.store import Store
from ingest.records import DocumentInfo

MAX_SEARCHES, MAX_FOLLOWS, MAX_NAME_CHARS = 50, 500, 100
# One rule for the API's schema and the service: no blanks (also \x1c-\x1f and \x85, which Python
# counts as blanks and JSON Schema's regex does not, and \ufeff, the other way round), no <, > or
# quotes; something@something.something.
ADDRESS_PATTERN = (
    r'^[^@\s\x1c-\x1f\x85\ufeff<>"]+@[^@\s\x1c-\x1f\x85\ufeff<>"]+\.[^@\s\x1c-\x1f\x85\ufeff<>"]+$'
)
_ADDRESS = re.compile(ADDRESS_PATTERN)


def _search_out(search: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(
        id=search.id,
        name=search.name,
        query=search.query,
        filters=filters_to_dict(search.filters),
        created=search.created,
    )


def _follow_out(document: DocumentInfo, created: str) -> FollowOut:
    return FollowOut(
        doc_id=document.doc_id, reference=document.reference, title=document.title, created=created
    )


class AlertSubscriptions:
    """Saved searches, follows, e-mail settings and feed secrets of the calling user."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        retriever: HybridRetriever,
        process: ProcessService,
        recorder: AuditRecorder,
        users: UserStore,
        bodies: BodyAccess | None = None,
        send_mail: Send = send,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._settings = settings
        self._store = store
        self._retriever = retriever
        self._process = process
        self._recorder = recorder
        self._users = users
        self._bodies = bodies or BodyAccess()
        self._send = send_mail
        self._today = today
        self.db = AlertsDb(settings.data_dir)
        self.outbox = Outbox(settings.data_dir)
        self._items = AlertItems(store, process.index, self._bodies, settings.base_url, self.outbox.link_key)
        self._events = PaperEvents(process.index, store)

    def audited_by(self, log: AuditLog) -> Self:
        """The same service writing its records to ``log`` (the server's)."""
        return type(self)(
            self._settings,
            self._store,
            self._retriever,
            self._process,
            AuditRecorder.to(log),
            self._users,
            self._bodies,
            self._send,
            self._today,
        )

    # -- who, as of now ------------------------------------------------------------------------

    def _principal_of(self, name: str) -> Principal | None:
        """An active user's principal now (granted its bodies' labels); None when revoked or unknown."""
        user = self._users.get(name)
        return self._bodies.principal(user.principal()) if user is not None and user.active else None

    # -- subscriptions ---------------------------------------------------------------------------

    def add_search(self, caller: Caller, name: str, query: str, filters: SearchFilters) -> SavedSearchOut:
        """Save a search (``query`` may be empty: then its filters alone decide)."""
        user = caller.principal.name
        with self._recorder.operation(caller, "alerts-add", query[:MAX_QUERY_CHARS]) as entry:
            entry.filters = filters_to_dict(filters) | {"name": name[:MAX_NAME_CHARS]}
            name, query = " ".join(name.split()), query.strip()
            if not 1 <= len(name) <= MAX_NAME_CHARS:
                raise InvalidRequestError(
                    f"the name must have 1 to {MAX_NAME_CHARS} characters",
                    german=f"Der Name der Suche muss 1 bis {MAX_NAME_CHARS} Zeichen lang sein.",
                )
            if len(query) > MAX_QUERY_CHARS:
                raise InvalidRequestError(
                    "the query is too long",
                    german=f"Die Suchanfrage ist länger als {MAX_QUERY_CHARS} Zeichen.",
                )
            if query and not key_terms(query):
                raise InvalidRequestError(
                    "the query has no search terms (only stop words)",
                    german="Die Suchanfrage enthält keine Suchbegriffe, nur Füllwörter wie „und“ oder „der“.",
                )
            check_outcome(filters.result)
            if len(self.db.searches(user)) >= MAX_SEARCHES:
                raise ConflictError(
                    f"at most {MAX_SEARCHES} saved searches per user",
                    german=f"Höchstens {MAX_SEARCHES} gespeicherte Suchen je Benutzer.",
                )
            saved = self.db.add_search(user, name, query, filters)
            if saved is None:
                raise ConflictError(
                    f"a saved search named {name!r} exists already",
                    german=f"Eine gespeicherte Suche „{name}“ gibt es schon.",
                )
        return _search_out(saved)

    def remove_search(self, caller: Caller, wanted: str) -> SavedSearchOut:
        """Remove one of the caller's saved searches, by id or name."""
        with self._recorder.operation(caller, "alerts-remove", wanted[:MAX_NAME_CHARS]):
            removed = self.db.remove_search(caller.principal.name, wanted.strip())
            if removed is None:
                raise NotFoundError(
                    f"no saved search {wanted[:MAX_NAME_CHARS]!r}",
                    german=f"Keine gespeicherte Suche „{wanted[:MAX_NAME_CHARS]}“.",
                )
        return _search_out(removed)

    def follow(self, caller: Caller, wanted: str) -> FollowOut:
        """Follow a visible paper (by document id or reference): its news from now on."""
        user = caller.principal.name
        with self._recorder.operation(caller, "alerts-follow", wanted[:200]) as entry:
            principal = self._bodies.principal(caller.principal)
            document = self._process.find_paper(principal, wanted)
            if len(self.db.follows(user)) >= MAX_FOLLOWS:
                raise ConflictError(
                    f"at most {MAX_FOLLOWS} followed papers per user",
                    german=f"Höchstens {MAX_FOLLOWS} verfolgte Vorgänge je Benutzer.",
                )
            known = frozenset(event.key for event in self._events.events(principal, document))
            follow, _ = self.db.follow(user, document.doc_id, known)
            entry.returned = [document.doc_id]
        return _follow_out(document, follow.created)

    def unfollow(self, caller: Caller, wanted: str) -> str:
        """Stop following a paper (by document id, or a reference the caller may see); its id."""
        user = caller.principal.name
        with self._recorder.operation(caller, "alerts-unfollow", wanted[:200]) as entry:
            followed = {follow.doc_id for follow in self.db.follows(user)}
            doc_id = wanted.strip()
            if doc_id not in followed:
                doc_id = self._process.find_paper(self._bodies.principal(caller.principal), wanted).doc_id
            if not self.db.unfollow(user, doc_id):
                raise NotFoundError(
                    f"not following {wanted[:200]!r}", german="Diesem Vorgang folgen Sie nicht."
                )
            entry.returned = [doc_id]
        return doc_id

    def subscriptions(self, caller: Caller) -> SubscriptionsOut:
        """The caller's saved searches, followed papers (those visible now), e-mail and feed."""
        user = caller.principal.name
        with self._recorder.operation(caller, "alerts-list") as entry:
            principal = self._bodies.principal(caller.principal)
            documents = self._store.documents()
            follows = []
            for follow in self.db.follows(user):
                document = documents.get(follow.doc_id)
                if document is not None and may_see(principal, document):
                    follows.append(_follow_out(document, follow.created))
            entry.returned = [follow.doc_id for follow in follows]
            mail = self.outbox.mail(user)
        return SubscriptionsOut(
            searches=[_search_out(search) for search in self.db.searches(user)],
            follows=follows,
            mail=MailSettingsOut(address=mail.address, digest=mail.digest) if mail else None,
            feed=self.outbox.has_feed(user),
        )

    def set_mail(self, caller: Caller, address: str, digest: str) -> MailSettingsOut:
        """Where and how often the caller gets e-mail: off, immediate (per run) or daily."""
        with self._recorder.operation(caller, "alerts-email") as entry:
            address = address.strip()
            entry.filters = {"digest": digest}
            if digest not in DIGESTS:
                raise InvalidRequestError(
                    f"digest must be one of {', '.join(DIGESTS)}",
                    german="Zustellung: „off“, „immediate“ oder „daily“.",
                )
            if (digest != "off" or address) and (not _ADDRESS.fullmatch(address) or len(address) > 254):
                raise InvalidRequestError(
                    "not an e-mail address", german=f"„{address[:80]}“ ist keine E-Mail-Adresse."
                )
            saved = self.outbox.set_mail(caller.principal.name, address, digest)
        return MailSettingsOut(address=saved.address, digest=saved.digest)

    def create_feed(self, caller: Caller) -> FeedOut:
        """A new feed address with a new secret (shown only now); earlier ones stop working."""
        with self._recorder.operation(caller, "alerts-feed-create"):
            secret, hashed = new_feed_secret()
            self.outbox.add_feed(caller.principal.name, hashed)
        return FeedOut(url=f"{self._settings.base_url}{FEED_PATH}{secret}")

    def revoke_feed(self, caller: Caller) -> int:
        """The caller's feed addresses stop working (404); how many there were."""
        with self._recorder.operation(caller, "alerts-feed-revoke"):
            return self.outbox.revoke_feeds(caller.principal.name)
