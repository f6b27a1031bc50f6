"""A real OParl server on 127.0.0.1 for tests, serving the real data of ../shared/data.

* ``karlsruhe(shared)``: OParl 1.1 (SessionNet) from ``oparl-karlsruhe``. Every paper file's text
  (``file-contents/<id>.txt``) is served either inline as ``File.text`` or, for every
  ``pdf_every``-th file, only as a PDF generated with reportlab behind ``accessUrl``. Meeting
  invitations and protocols are PDFs made of the meeting's real agenda items. Deleted papers
  (tombstones) are listed too, as a lenient server would.
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
import io
import json
import re
import socket
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

Json = dict[str, Any]
_PDF_CACHE: dict[tuple[str, ...], bytes] = {}  # generated PDFs, shared by all servers of a session
_PDF_LOCK = threading.Lock()


def make_pdf(pages: list[str]) -> bytes:
    """A text PDF: each given page starts a new PDF page; long pages flow over several."""
    key = tuple(pages)
    with _PDF_LOCK:
        cached = _PDF_CACHE.get(key)
    if cached is not None:
        return cached
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        y = 800.0
        pdf.setFont("Helvetica", 9)
        for paragraph in page.splitlines() or [""]:
            for line in textwrap.wrap(paragraph, 105) or [""]:
                if y < 40:
                    pdf.showPage()
                    pdf.setFont("Helvetica", 9)
                    y = 800.0
                pdf.drawString(40, y, line)
                y -= 11
        pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    with _PDF_LOCK:
        _PDF_CACHE[key] = data
    return data


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


@dataclass(frozen=True)
class FileSource:
    """The text a file URL serves as a PDF (``file_id``'s ``_served_text`` overrides it)."""

    file_id: str
    pages: tuple[str, ...]


@dataclass
class Dataset:
    """Objects by original id, lists by original URL, and file producers by original URL."""

    origin: str  # scheme and host of the original URLs, replaced by the server's own
    system_id: str
    version: str
    objects: dict[str, Json] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)  # list URL → ids, in order
    files: dict[str, FileSource] = field(default_factory=dict)  # file URL → what it holds
    file_objects: dict[str, list[Json]] = field(default_factory=dict)  # File id → its embeddings
    empty_list_404: bool = False
    allris: bool = False
    page_size: int = 50
    forget_filter_in_next: bool = False  # a server that drops modified_since from links.next


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- Karlsruhe (OParl 1.1, SessionNet) --------------------------------------------------------


def _file_number(file_id: str) -> int:
    tail = file_id.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def karlsruhe(shared: Path, *, pdf_every: int = 6, limit: int | None = None, page_size: int = 100) -> Dataset:
    """The Karlsruhe data (``limit``: only the first papers by file name, for fast tests)."""
    root = shared / "data" / "oparl-karlsruhe"
    origin = "https://web1.karlsruhe.de"
    base = f"{origin}/oparl"
    body_id = f"{base}/bodies/0001"
    data = Dataset(origin=origin, system_id=f"{base}/system", version="1.1", page_size=page_size)
    data.objects[data.system_id] = {
        "id": data.system_id,
        "type": "https://schema.oparl.org/1.1/System",
        "oparlVersion": "https://schema.oparl.org/1.1/",
        "name": "Ratsinformationssystem Karlsruhe (Testserver)",
        "body": f"{base}/bodies",
        "vendor": "https://www.somacos.de",
        "product": "https://www.somacos.de/loesungen/sitzungsmanagement/session/",
    }
    data.objects[body_id] = {
        "id": body_id,
        "type": "https://schema.oparl.org/1.1/Body",
        "system": data.system_id,
        "name": "Stadt Karlsruhe",
        "organization": f"{body_id}/organizations",
        "person": f"{body_id}/persons",
        "meeting": f"{body_id}/meetings",
        "paper": f"{body_id}/papers",
        "created": "2020-01-01T00:00:00+01:00",
        "modified": "2020-01-01T00:00:00+01:00",
    }
    data.lists[f"{base}/bodies"] = [body_id]
    organizations = json.loads((root / "organizations.json").read_text(encoding="utf-8"))
    for organization in organizations:
        data.objects[organization["id"]] = organization
    data.lists[f"{body_id}/organizations"] = [o["id"] for o in organizations]
    data.lists[f"{body_id}/persons"] = []

    paper_paths = sorted((root / "papers").glob("*.json"), key=lambda p: int(p.stem))
    papers = [json.loads(path.read_text(encoding="utf-8")) for path in paper_paths[:limit]]
    contents = root / "file-contents"
    for paper in papers:
        data.objects[paper["id"]] = paper
        for consultation in paper.get("consultation", []):
            data.objects[consultation["id"]] = consultation
        for file in paper.get("auxiliaryFile", []):
            text_path = contents / f"{_file_number(file['id'])}.txt"
            text = text_path.read_text(encoding="utf-8") if text_path.exists() else None
            data.file_objects.setdefault(file["id"], []).append(file)
            if text is None:
                continue  # no text known: accessUrl answers 404
            if _file_number(file["id"]) % pdf_every or len(text) > 60_000:
                file["text"] = text
            data.files[file["accessUrl"]] = FileSource(file["id"], tuple(text.split("\f")))
    data.lists[f"{body_id}/papers"] = [paper["id"] for paper in papers]

    wanted_meetings = {
        c.get("meeting") for paper in papers for c in paper.get("consultation", []) if c.get("meeting")
    }
    meetings = []
    for path in sorted((root / "meetings").glob("*.json"), key=lambda p: int(p.stem)):
        meeting = json.loads(path.read_text(encoding="utf-8"))
        if limit is not None and meeting["id"] not in wanted_meetings:
            continue
        meetings.append(meeting)
        data.objects[meeting["id"]] = meeting
        names = {o["id"]: o["name"] for o in organizations}
        for key in ("invitation", "resultsProtocol"):
            file = meeting.get(key)
            if isinstance(file, dict):
                data.file_objects.setdefault(file["id"], []).append(file)
                data.files[file["accessUrl"]] = FileSource(file["id"], (_meeting_text(meeting, file, names),))
    data.lists[f"{body_id}/meetings"] = [m["id"] for m in meetings]
    return data


def _meeting_text(meeting: Json, file: Json, names: dict[str, str]) -> str:
    lines = [file.get("name", ""), meeting.get("name", ""), meeting.get("start", "")[:10]]
    lines += [names.get(o, "") for o in meeting.get("organization", [])]
    for item in meeting.get("agendaItem", []):
        lines.append(f"TOP {item.get('number', '')} {item.get('name', '')} {item.get('result', '')}")
    return "\n".join(lines)


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


class OParlTestServer:
    """Serves a Dataset over HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.faults = Faults()
        self.requests: list[str] = []
        self.user_agents: set[str] = set()
        self._lock = threading.Lock()
        self._count = 0
        self._server: ThreadingHTTPServer | None = None
        self.base = ""

    # -- lifecycle --------------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[OParlTestServer]:
        handler = _handler_for(self)
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=10)

    @property
    def system_url(self) -> str:
        return self.local(self.data.system_id)

    def local(self, original: str) -> str:
        return original.replace(self.data.origin, self.base)

    def original(self, local: str) -> str:
        return local.replace(self.base, self.data.origin)

    # -- changing the data ------------------------------------------------------------------

    def modify(self, object_id: str, **changes: Any) -> None:
        with self._lock:
            obj = self.data.objects[object_id]
            obj.update(changes)
            obj["modified"] = _now()

    def delete(self, object_id: str) -> None:
        with self._lock:
            obj = self.data.objects[object_id]
            tombstone: Json = {key: obj[key] for key in ("id", "type", "created") if key in obj}
            self.data.objects[object_id] = {**tombstone, "deleted": True, "modified": _now()}

    def replace_file_text(self, paper_id: str, file_id: str, text: str) -> None:
        """New content for a file: inline text or PDF alike; the file and its paper are modified."""
        with self._lock:
            for file in self.data.file_objects[file_id]:
                file["modified"] = _now()
                if "text" in file:
                    file["text"] = text
                file["_served_text"] = text
            self.data.objects[paper_id]["modified"] = _now()

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
        parts = urlsplit(path)
        original = self.data.origin + parts.path
        query = parse_qs(parts.query)
        with self._lock:
            if original in self.data.lists:
                return self._list(original, query)
            if original in self.data.objects:
                return 200, self._dumps(self.data.objects[original]), "application/json", ""
            source = self.data.files.get(self.data.origin + path) or self.data.files.get(original)
            served = None
            if source is not None:
                embedded = self.data.file_objects.get(source.file_id) or [{}]
                served = embedded[0].get("_served_text")
        if source is not None:
            pages = list(source.pages) if served is None else served.split("\f")
            return 200, make_pdf(pages), "application/pdf", ""
        return 404, b'{"error": "not found"}', "application/json", ""

    def _list(self, list_url: str, query: dict[str, list[str]]) -> tuple[int, bytes, str, str]:
        since = _parse_time(query["modified_since"][0]) if "modified_since" in query else None
        items = [self.data.objects[i] for i in self.data.lists[list_url] if i in self.data.objects]
        if since is not None:
            items = [item for item in items if (_parse_time(item.get("modified", "")) or since) >= since]
        # Tombstones are listed with and without modified_since, as lenient servers do.
        if not items and self.data.empty_list_404:
            return 404, b'{"error": "no objects"}', "application/json", ""
        size = self.data.page_size
        page = int(query.get("page", ["1"])[0])
        total_pages = max(1, -(-len(items) // size))
        carried = {"modified_since": query["modified_since"][0]} if since is not None else {}
        if self.data.forget_filter_in_next:
            carried = {}
        links = {"first": f"{list_url}?{urlencode({**carried, 'page': 1})}"}
        if page < total_pages:
            links["next"] = f"{list_url}?{urlencode({**carried, 'page': page + 1})}"
        body = {
            "data": items[(page - 1) * size : page * size],
            "pagination": {
                "totalElements": len(items),
                "elementsPerPage": size,
                "currentPage": page,
                "totalPages": total_pages,
            },
            "links": links,
        }
        return 200, self._dumps(body), "application/json", ""

    def _dumps(self, obj: Any) -> bytes:
        served = _strip_private(obj)
        text = json.dumps(served, ensure_ascii=False).replace(self.data.origin, self.base)
        if self.data.allris:
            text = text.replace("\\t", "\t")  # ALLRIS: control characters unescaped in strings
        return text.encode("utf-8")


def _strip_private(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {key: _strip_private(value) for key, value in obj.items() if not key.startswith("_")}
    if isinstance(obj, list):
        return [_strip_private(item) for item in obj]
    return obj


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out or drop connections are part of the tests


def _handler_for(server: OParlTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out separately: no 40 ms stalls

        def do_GET(self) -> None:
            status, body, content_type, fault = server.answer(self.path, self.headers.get("User-Agent", ""))
            if fault == "drop":
                self.close_connection = True
                with suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def copy_dataset(data: Dataset) -> Dataset:
    """A deep copy, so that a test may change the data without affecting others."""
    return copy.deepcopy(data)
