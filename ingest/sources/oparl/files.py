"""The text of OParl File objects: from ``File.text``, from the cache, or downloaded and extracted.

Downloads run in a bounded thread pool; extraction runs in the calling thread, because PDFium
is not thread-safe. A file whose checksum (``sha512Checksum``/``sha1Checksum``) or, lacking
one, ``modified`` is unchanged is taken from the cache and not downloaded again. A file that
cannot have text for good (HTTP 4xx, unsupported type, no text) is cached with its error, so it
is not asked for again until it changes; a failure that may pass (5xx, timeout) is not cached.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ingest.errors import ExtractionError
from ingest.extract import SUPPORTED_SUFFIXES, extract
from ingest.extract.text_quality import garbage_reason
from ingest.records import Failure, RawDocument
from ingest.sources.oparl.adapters import JsonObject
from ingest.sources.oparl.client import FetchError, OParlClient
from ingest.sources.oparl.state import CachedFile, SyncState

_MIME_SUFFIXES = {
    "application/pdf": ".pdf",
    "application/x-pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
}


@dataclass(frozen=True, slots=True)
class FileText:
    """The pages of one file, or why there are none."""

    pages: tuple[str, ...] = ()
    error: str = ""
    transient: bool = False  # the error may pass: fetch the owning object again next time
    german: str = ""  # the error for people, where this module wrote it


@dataclass(slots=True)
class FileCounts:
    downloaded: int = 0
    cached: int = 0
    inline: int = 0


def fingerprint(file: JsonObject) -> str:
    """What identifies this version of a file: its checksum, else ``modified``; "" if neither."""
    for key in ("sha512Checksum", "sha1Checksum"):
        value = file.get(key)
        if isinstance(value, str) and value.strip():
            return f"{key}:{value.strip().lower()}"
    modified = file.get("modified")
    if isinstance(modified, str) and modified.strip():
        # The URL is part of it: a server may keep ``modified`` but move the file.
        return f"modified:{modified.strip()}|{file.get('accessUrl', '')}"
    return ""


def split_pages(text: str) -> tuple[str, ...]:
    """Pages of a ``File.text``: form feeds separate them; a trailing one ends the last page."""
    parts = text.split("\f")
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    return tuple(parts)


def inline_text(text: str) -> FileText:
    """The pages of a ``File.text``, or why it is not text (the same rule as for extracted files)."""
    verdict = garbage_reason(text)
    if verdict is not None:
        return FileText(
            error=f"File.text is not text: {verdict.english}",
            german=f"File.text ist kein lesbarer Text: {verdict.german}",
        )
    return FileText(split_pages(text))


def guess_suffix(data: bytes, content_type: str, file: JsonObject, url: str) -> str:
    """The extractor's suffix, from the bytes first (servers mislabel files), then the labels."""
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        return ".pdf"
    if data.startswith(b"PK") and b"word/" in data[:4096]:
        return ".docx"
    for mime in (file.get("mimeType"), content_type.split(";")[0]):
        if isinstance(mime, str) and mime.strip().lower() in _MIME_SUFFIXES:
            return _MIME_SUFFIXES[mime.strip().lower()]
    for name in (file.get("fileName"), urlsplit(url).path):
        if isinstance(name, str):
            suffix = PurePosixPath(name).suffix.lower()
            if suffix in SUPPORTED_SUFFIXES:
                return suffix
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")):
        return ".html"
    mime = file.get("mimeType") or content_type or "unknown"
    raise ExtractionError(
        f"unsupported file type ({mime})", german=f"Dateityp {mime} wird nicht unterstützt."
    )


def _download_urls(file: JsonObject) -> list[str]:
    urls = []
    for key in ("accessUrl", "downloadUrl"):
        value = file.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")) and value not in urls:
            urls.append(value)
    return urls


class FileFetcher:
    """Texts of files for one crawl: inline, cached, or downloaded in parallel and extracted."""

    def __init__(self, client: OParlClient, state: SyncState, concurrency: int) -> None:
        self._client = client
        self._state = state
        self._pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="oparl-download")
        self._lock = threading.Lock()
        self.counts = FileCounts()
        self.failures: list[Failure] = []  # files without text (url or id, why)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def texts(self, files: Sequence[JsonObject]) -> dict[str, FileText]:
        """The text of every file (by File id); files needing a download are fetched together."""
        result: dict[str, FileText] = {}
        wanted: dict[str, JsonObject] = {}
        for file in files:
            file_id = file["id"]
            if file_id in result or file_id in wanted:
                continue
            inline = file.get("text")
            if isinstance(inline, str) and inline.strip():
                result[file_id] = inline_text(inline)
                self.counts.inline += 1
                if result[file_id].error:
                    self.failures.append(Failure(file_id, result[file_id].error, result[file_id].german))
                continue
            key = fingerprint(file)
            cached = self._state.cached_file(file_id) if key else None
            if cached is not None and cached.fingerprint == key:
                result[file_id] = FileText(cached.pages, cached.error)
                self.counts.cached += 1
                continue
            wanted[file_id] = file
        downloads = list(self._pool.map(self._download, wanted.values()))
        fresh: list[tuple[str, CachedFile]] = []
        for file, downloaded in zip(wanted.values(), downloads, strict=True):
            text = self._extract(file, downloaded)
            result[file["id"]] = text
            if text.error:
                self.failures.append(Failure((_download_urls(file) or [file["id"]])[0], text.error))
            key = fingerprint(file)
            if key and not text.transient:
                fresh.append((file["id"], CachedFile(key, text.pages, text.error)))
        if fresh:
            self._state.cache_files(fresh)
        return result

    def _download(self, file: JsonObject) -> tuple[bytes, str, str] | FetchError | None:
        """(data, content type, URL), the last FetchError, or None when the file has no URL."""
        error: FetchError | None = None
        for url in _download_urls(file):
            try:
                data, content_type = self._client.download(url)
            except FetchError as failure:
                # A failure that may pass outweighs a permanent one of the other URL: try again later.
                if error is None or (failure.permanent is False and error.permanent):
                    error = failure
                continue
            with self._lock:
                self.counts.downloaded += 1
            return data, content_type, url
        return error

    @staticmethod
    def _extract(file: JsonObject, downloaded: tuple[bytes, str, str] | FetchError | None) -> FileText:
        if downloaded is None:
            return FileText(error="the file has no download address")
        if isinstance(downloaded, FetchError):
            return FileText(error=downloaded.reason, transient=not downloaded.permanent)
        data, content_type, url = downloaded
        try:
            suffix = guess_suffix(data, content_type, file, url)
            extracted = extract(RawDocument(doc_id="", source=url, data=data, suffix=suffix, content_hash=""))
        except ExtractionError as error:
            return FileText(error=str(error))
        except Exception as error:  # a bug or a library failing on one file must not stop the crawl
            return FileText(error=f"unexpected {type(error).__name__}: {error}")
        return FileText(tuple(page.text for page in extracted.pages))
