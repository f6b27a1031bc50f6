"""A real OParl server on 127.0.0.1 for tests, serving the real data of ../shared/data.

* ``karlsruhe(shared)``: OParl 1.1 (SessionNet) from ``oparl-karlsruhe``, as eval/oparl_mirror.py
  builds it (the builder ``ratsinfo eval --oparl-mirror`` uses), here with every ``pdf_every``-th
  file served only as a PDF behind ``accessUrl``.
* ``huertgenwald(shared)``: OParl 1.0 (SD.NET) from ``oparl-huertgenwald``, with its real quirks
  (no ``type`` on deleted objects; an empty list answered with 404). Its files are PDFs made of
  the file's and the paper's names. ``allris=True`` serves the same data the way ALLRIS does:
  ``mimeType: "pdf"``, ``size: 0``, ``downloadUrl: ""``, ``"N/A"`` URLs, single objects where
  lists belong, ``[null]`` lists, unescaped control characters in JSON, spurious HTTP 500s.

Lists are paginated (``links.next``) and honour ``modified_since``. ``Faults`` injects HTTP 500s,
slow answers and dropped connections; ``modify``/``delete``/``replace_file_text`` change the data
while the server runs. The server rewrites the original host of every URL to its own.
"""

from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.oparl_mirror import Dataset, FileSource, Json, MirrorServer, load_folder, now

__all__ = [
    "Dataset",
    "Faults",
    "Json",
    "OParlTestServer",
    "copy_dataset",
    "hide_a_meeting_and_an_item",
    "huertgenwald",
    "karlsruhe",
]


@dataclass
class Faults:
    """Faults for requests whose path contains a key; each count is used up request by request."""

    error_500: dict[str, int] = field(default_factory=dict)
    drop: dict[str, int] = field(default_factory=dict)
    slow: dict[str, int] = field(default_factory=dict)
    slow_seconds: float = 2.0
    error_every: int = 0  # every n-th JSON request answers 500 (ALLRIS's spurious errors)

    def take(self, kind: dict[str, int], path: str) -> bool:
        for key, count in kind.items():
            if count > 0 and key in path:
                kind[key] = count - 1
                return True
        return False


# -- Karlsruhe (OParl 1.1, SessionNet) --------------------------------------------------------


def karlsruhe(shared: Path, *, pdf_every: int = 6, limit: int | None = None, page_size: int = 100) -> Dataset:
    """The Karlsruhe data (``limit``: only the first papers by file name, for fast tests)."""
    return load_folder(
        shared / "data" / "oparl-karlsruhe", pdf_every=pdf_every, limit=limit, page_size=page_size
    )


# -- Hürtgenwald (OParl 1.0, SD.NET) ----------------------------------------------------------


def huertgenwald(
    shared: Path, *, limit: int | None = None, allris: bool = False, page_size: int = 25
) -> Dataset:
    """The Hürtgenwald data (``limit``: only the first papers and meetings, for fast tests)."""
    root = shared / "data" / "oparl-huertgenwald"
    system = json.loads((root / "system.json").read_text(encoding="utf-8"))
    origin = "https://sdnetrim.kdvz-frechen.de"
    data = Dataset(
        origin=origin,
        system_id=system["id"],
        version="1.0",
        empty_list_404=not allris,
        allris=allris,
        page_size=page_size,
    )
    if allris:
        system = {**system, "vendor": "http://cc-egov.de/", "product": "http://cc-egov.de/produkte/allris"}
        system["website"] = "N/A"
    data.objects[system["id"]] = system
    bodies = json.loads((root / "body.json").read_text(encoding="utf-8"))["data"]
    for body in bodies:
        data.objects[body["id"]] = body
    data.lists[system["body"]] = [body["id"] for body in bodies]
    folder = root / "body" / "1"
    for kind in ("organization", "person", "meeting", "paper"):
        items: list[Json] = []
        for path in sorted(folder.glob(f"{kind}*.json"), key=_page_number):
            items.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
        if limit is not None and kind in ("meeting", "paper"):
            items = items[:limit]
        list_url = f"{bodies[0]['id']}/{kind}"
        data.lists[list_url] = [item["id"] for item in items]
        for item in items:
            data.objects[item["id"]] = item
            _register_sdnet_files(data, item)
            if allris:
                _allris_quirks(item)
    return data


def _page_number(path: Path) -> int:
    match = re.search(r"page=(\d+)", path.name)
    return int(match.group(1)) if match else 1


def _register_sdnet_files(data: Dataset, item: Json) -> None:
    files = [item.get(key) for key in ("mainFile", "invitation", "resultsProtocol")]
    files += item.get("auxiliaryFile") or []
    for file in files:
        if not isinstance(file, dict):
            continue
        data.file_objects.setdefault(file["id"], []).append(file)
        lines = [file.get("name", ""), item.get("name", ""), item.get("reference", "")]
        source = FileSource(file["id"], ("\n".join(line for line in lines if line),))
        for key in ("accessUrl", "downloadUrl"):
            if isinstance(file.get(key), str):
                data.files[file[key]] = source


def _allris_quirks(item: Json) -> None:
    """Turn a clean object into one as ALLRIS serves it (see the module docstring)."""
    files = [item.get(key) for key in ("mainFile", "invitation", "resultsProtocol")]
    files += item.get("auxiliaryFile") or []
    for file in files:
        if isinstance(file, dict):
            file["mimeType"] = "pdf"
            file["size"] = 0
            file["downloadUrl"] = ""
    if "web" in item:
        item["web"] = "N/A"
    if isinstance(item.get("auxiliaryFile"), list) and len(item["auxiliaryFile"]) == 1:
        item["auxiliaryFile"] = item["auxiliaryFile"][0]
    for consultation in item.get("consultation") or []:
        organizations = consultation.get("organization")
        if isinstance(organizations, list) and len(organizations) == 1:
            consultation["organization"] = organizations[0]
    if item.get("type", "").endswith("Paper") and "deleted" not in item:
        item["keyword"] = [None]
        if "name" in item:
            item["name"] = item["name"].replace(" ", "\t", 1)  # sent unescaped, see _dumps


# -- the server -------------------------------------------------------------------------------


class OParlTestServer(MirrorServer):
    """The mirror server with recorded requests, injected faults and data changed while it runs."""

    def __init__(self, data: Dataset) -> None:
        super().__init__(data)
        self.faults = Faults()
        self.requests: list[str] = []
        self.user_agents: set[str] = set()
        self._count = 0

    # -- changing the data ------------------------------------------------------------------

    def modify(self, object_id: str, **changes: Any) -> None:
        with self._lock:
            obj = self.data.objects[object_id]
            obj.update(changes)
            obj["modified"] = now()

    def delete(self, object_id: str) -> None:
        with self._lock:
            obj = self.data.objects[object_id]
            tombstone: Json = {key: obj[key] for key in ("id", "type", "created") if key in obj}
            self.data.objects[object_id] = {**tombstone, "deleted": True, "modified": now()}

    def replace_file_text(self, paper_id: str, file_id: str, text: str) -> None:
        """New content for a file: inline text or PDF alike; the file and its paper are modified."""
        with self._lock:
            for file in self.data.file_objects[file_id]:
                file["modified"] = now()
                if "text" in file:
                    file["text"] = text
                file["_served_text"] = text
            self.data.objects[paper_id]["modified"] = now()

    def file_requests(self) -> list[str]:
        with self._lock:
            return [path for path in self.requests if self.data.origin + path in self.data.files]

    # -- answering --------------------------------------------------------------------------

    def answer(self, path: str, user_agent: str = "") -> tuple[int, bytes, str, str]:
        """(status, body, content type, fault) for a GET of ``path`` (with query)."""
        with self._lock:
            self.requests.append(path)
            self.user_agents.add(user_agent)
            self._count += 1
            count = self._count
            if self.faults.take(self.faults.drop, path):
                return 0, b"", "", "drop"
            slow = self.faults.take(self.faults.slow, path)
            error = self.faults.take(self.faults.error_500, path)
        if slow:
            time.sleep(self.faults.slow_seconds)
        if error or (self.faults.error_every and count % self.faults.error_every == 0):
            return 500, b"Internal Server Error", "text/plain", ""
        return self.serve(path)


def hide_a_meeting_and_an_item(data: Dataset) -> tuple[Json, Json, Json, Json]:
    """Make one meeting wholly non-public and, in another (public) meeting, one item with a result
    non-public, titled "Vertrauliche Vergabe Seerosenteich": (secret meeting, the other meeting,
    the secret item, the paper consulted under it)."""
    meetings = [data.objects[i] for url, ids in data.lists.items() if url.endswith("/meetings") for i in ids]
    papers = [data.objects[i] for url, ids in data.lists.items() if url.endswith("/papers") for i in ids]
    by_item = {
        c.get("agendaItem"): p for p in papers if not p.get("deleted") for c in p.get("consultation", [])
    }
    secret_meeting = next(m for m in meetings if m.get("invitation") and m.get("agendaItem"))
    for item in secret_meeting["agendaItem"]:
        item["public"] = False
    public_meeting = next(
        m
        for m in meetings
        if m is not secret_meeting
        and any(i.get("result") and i["id"] in by_item for i in m.get("agendaItem", []))
    )
    secret_item = next(i for i in public_meeting["agendaItem"] if i.get("result") and i["id"] in by_item)
    secret_item["public"] = False
    secret_item["name"] = "Vertrauliche Vergabe Seerosenteich"
    return secret_meeting, public_meeting, secret_item, by_item[secret_item["id"]]


def copy_dataset(data: Dataset) -> Dataset:
    """A deep copy, so that a test may change the data without affecting others."""
    return copy.deepcopy(data)
