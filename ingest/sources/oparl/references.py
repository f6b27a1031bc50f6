"""Names and dates of referenced OParl objects, remembered in the sync state.

Organisations, persons and meetings are listed before papers, and their summaries are kept in
the state, so that a paper changed later still names the unchanged meeting it refers to. An
organisation, person or meeting not seen in any list is fetched once by its URL.

A reference that is gone (HTTP 404, 410 or another permanent answer) costs the object its name.
One that fails for the moment (5xx, timeout, dropped connection) is not remembered as empty: it
is noted in ``unavailable`` and reported by ``missing()`` for every object that refers to it,
so that the crawler can build that object again later (and mark it pending if it still fails).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ingest.sources.oparl.adapters import JsonObject
from ingest.sources.oparl.client import FetchError, OParlClient
from ingest.sources.oparl.mapping import MeetingInfo, listed, parse_day
from ingest.sources.oparl.state import SyncState

_EXPECTED = {"organization": "Organization", "person": "Person", "meeting": "Meeting"}


def person_name(person: JsonObject) -> str:
    """``name``, else given and family name (1.0 servers often leave ``name`` out)."""
    name = person.get("name")
    if isinstance(name, str) and name.strip():
        return " ".join(name.split())
    parts = (person.get(key) for key in ("title", "givenName", "familyName"))
    return " ".join(str(part).strip() for part in parts if isinstance(part, str) and part.strip())


def summary(kind: str, obj: JsonObject) -> dict[str, Any]:
    """What the state keeps of an object of ``kind``: only what documents need."""
    if kind == "person":
        return {"name": person_name(obj)}
    if kind == "meeting":
        organizations = listed(obj.get("organization"))
        return {
            "name": " ".join(str(obj.get("name") or "").split()),
            "day": str(parse_day(obj.get("start")) or ""),
            "organization": [item for item in organizations if isinstance(item, str)],
        }
    if kind == "agendaItem":
        public = obj.get("public")
        return {"public": public if isinstance(public, bool) else None}
    return {"name": " ".join(str(obj.get("name") or obj.get("shortName") or "").split())}


class StateReferences:
    """``mapping.References`` backed by the sync state, fetching what it does not know."""

    def __init__(self, state: SyncState, client: OParlClient | None, source: str, version: str) -> None:
        self._state = state
        self._client = client
        self._source = source
        self._version = version
        self._memo: dict[str, dict[str, Any] | None] = {}
        self.unavailable: dict[str, str] = {}  # URL → why fetching it failed for the moment
        self._missed: set[str] = set()  # unavailable URLs asked for since ``begin()``

    def begin(self) -> None:
        """Start building one object: ``missing()`` names what it lacked."""
        self._missed = set()

    def missing(self) -> dict[str, str]:
        """The references of the object being built that failed for the moment, with why."""
        return {url: self.unavailable[url] for url in sorted(self._missed) if url in self.unavailable}

    def retry(self, urls: set[str] | dict[str, str]) -> None:
        """Let the next lookup of these URLs fetch them again."""
        for url in urls:
            self.unavailable.pop(url, None)

    def remember(self, kind: str, obj: JsonObject) -> None:
        """Keep the summary of a listed object (committed with the state's next commit)."""
        object_id = obj.get("id")
        if isinstance(object_id, str):
            data = summary(kind, obj)
            self._memo[object_id] = data
            self._state.put_objects(self._source, kind, [(object_id, data)])

    def forget(self, object_id: str) -> None:
        self._memo.pop(object_id, None)
        self._state.forget_objects([object_id])

    def _lookup(self, url: str, kind: str) -> dict[str, Any] | None:
        if url in self._memo:
            return self._memo[url]
        if url in self.unavailable:
            self._missed.add(url)
            return None
        data = self._state.get_object(url)
        if data is None and self._client is not None and kind in _EXPECTED:
            try:
                fetched = self._client.get_json(url)
            except FetchError as error:
                if not error.permanent:  # may pass: ask again, do not forget the name for good
                    self.unavailable[url] = error.reason
                    self._missed.add(url)
                    return None
                fetched = None  # a reference that is gone costs a name, not the document
            if fetched is not None and not fetched.get("deleted"):
                self._client.adapter.repair(fetched, _EXPECTED[kind], self._version)
                self.remember(kind, fetched)
                data = self._memo[url]
        self._memo[url] = data
        return data

    def body(self, url: str) -> str:
        """The name of a body listed in this crawl (bodies are never fetched one by one)."""
        data = self._lookup(url, "body")
        return str(data.get("name") or "") if data else ""

    def organization(self, url: str) -> str:
        data = self._lookup(url, "organization")
        return str(data.get("name") or "") if data else ""

    def person(self, url: str) -> str:
        data = self._lookup(url, "person")
        return str(data.get("name") or "") if data else ""

    def meeting(self, url: str) -> MeetingInfo | None:
        data = self._lookup(url, "meeting")
        if not data:
            return None
        day = data.get("day")
        ids = [item for item in listed(data.get("organization")) if isinstance(item, str)]
        names = [self.organization(item) for item in ids]
        return MeetingInfo(
            name=str(data.get("name") or ""),
            day=date.fromisoformat(day) if isinstance(day, str) and day else None,
            organizations=tuple(name for name in names if name),
            organization_ids=tuple(ids),
        )

    def agenda_item_public(self, url: str) -> bool | None:
        data = self._lookup(url, "agendaItem")
        public = data.get("public") if data else None
        return public if isinstance(public, bool) else None
