"""A folder of saved OParl JSON served as an OParl API on 127.0.0.1, for evaluations and tests.

The folder is laid out as ../shared/data/oparl-karlsruhe (OParl 1.1, SessionNet) holds it:
``organizations.json``, ``papers/<n>.json`` (consultations embedded), ``meetings/<n>.json``
(agenda items embedded) and ``file-contents/<file number>.txt`` (the text of each file, pages
separated by form feeds). ``load_folder`` turns it into a ``Dataset``: a System and one Body
around the objects, every file's text served inline as ``File.text`` or, for every
``pdf_every``-th file, only as a PDF (made with reportlab) behind ``accessUrl``; meeting
invitations and protocols are PDFs made of the meeting's real agenda items. Deleted papers
(tombstones) are listed too, as a lenient server would.

``MirrorServer`` serves a Dataset: lists paginated (``links.next``), ``modified_since`` honoured,
the original host of every URL rewritten to its own. ``ratsinfo eval --oparl-mirror FOLDER``
crawls it through the ordinary OParl path (tests/oparl_server.py adds faults and changes).
"""

from __future__ import annotations

import io
import json
import socket
import textwrap
import threading
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
_PDF_CACHE: dict[tuple[str, ...], bytes] = {}  # generated PDFs, shared by all servers of a process
_PDF_LOCK = threading.Lock()
KARLSRUHE_ORIGIN = "https://web1.karlsruhe.de"
_MAX_INLINE_CHARS = 60_000  # longer texts are served inline even when a PDF would be due


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


def now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _file_number(file_id: str) -> int:
    tail = file_id.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _system(data: Dataset, base: str, body_id: str) -> None:
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


def load_folder(root: Path, *, pdf_every: int = 0, limit: int | None = None, page_size: int = 100) -> Dataset:
    """The saved OParl folder ``root`` as a Dataset (``limit``: only the first papers by file
    name and their meetings; ``pdf_every``: every n-th paper file only as a PDF, 0: none)."""
    if not (root / "organizations.json").is_file() or not (root / "papers").is_dir():
        raise ValueError(f"{root} holds no saved OParl data (organizations.json and papers/ are needed)")
    base = f"{KARLSRUHE_ORIGIN}/oparl"
    body_id = f"{base}/bodies/0001"
    data = Dataset(origin=KARLSRUHE_ORIGIN, system_id=f"{base}/system", version="1.1", page_size=page_size)
    _system(data, base, body_id)
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
            as_pdf = pdf_every > 0 and _file_number(file["id"]) % pdf_every == 0
            if not as_pdf or len(text) > _MAX_INLINE_CHARS:
                file["text"] = text
            data.files[file["accessUrl"]] = FileSource(file["id"], tuple(text.split("\f")))
    data.lists[f"{body_id}/papers"] = [paper["id"] for paper in papers]

    wanted = {c.get("meeting") for paper in papers for c in paper.get("consultation", []) if c.get("meeting")}
    names = {o["id"]: o["name"] for o in organizations}
    meetings = []
    for path in sorted((root / "meetings").glob("*.json"), key=lambda p: int(p.stem)):
        meeting = json.loads(path.read_text(encoding="utf-8"))
        if limit is not None and meeting["id"] not in wanted:
            continue
        meetings.append(meeting)
        data.objects[meeting["id"]] = meeting
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


class MirrorServer:
    """Serves a Dataset over HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.base = ""

    @contextmanager
    def running(self) -> Iterator[MirrorServer]:
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
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

    def answer(self, path: str, user_agent: str = "") -> tuple[int, bytes, str, str]:
        """(status, body, content type, fault) for a GET of ``path`` (with query)."""
        return self.serve(path)

    def serve(self, path: str) -> tuple[int, bytes, str, str]:
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
        since = parse_time(query["modified_since"][0]) if "modified_since" in query else None
        items = [self.data.objects[i] for i in self.data.lists[list_url] if i in self.data.objects]
        if since is not None:
            items = [item for item in items if (parse_time(item.get("modified", "")) or since) >= since]
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
        pass  # clients that time out or drop connections are not the server's concern


def _handler_for(server: MirrorServer) -> type[BaseHTTPRequestHandler]:
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
                self.close_connection = True  # the client gave up

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
