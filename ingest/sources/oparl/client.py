"""A polite, robust HTTP client for OParl servers (httpx).

Politeness: one request rate for all threads (a token bucket), bounded concurrency (the
connection pool), a User-Agent naming the project. Robustness: timeouts, and retries with
exponential backoff and full jitter on HTTP 429/5xx, connection errors (refused, dropped, timed
out) and unreadable JSON; other 4xx answers are permanent and raised at once.

Exceptions: ``FetchError`` (with ``status``: the HTTP status, or None when no answer came).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from ingest.sources.oparl.adapters import GENERIC, Adapter, JsonObject

USER_AGENT = "ratsinfo-assistant/0.1 (+https://github.com/ratsinfo-assistant)"
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 60.0
T = TypeVar("T")


class FetchError(Exception):
    """A request that failed for good (after retries, or at once for a permanent error)."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message
        self.status = status

    @property
    def permanent(self) -> bool:
        """A 4xx answer (other than 408/429) will not change by asking again soon."""
        return self.status is not None and 400 <= self.status < 500 and self.status not in _RETRY_STATUSES


class _Retryable(Exception):
    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ClientConfig:
    rate_per_second: float = 5.0
    concurrency: int = 4
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 0.5  # first retry waits up to this long; doubled per attempt (full jitter)
    max_backoff_s: float = 30.0
    max_bytes: int = 50_000_000


class RateLimiter:
    """At most ``rate`` acquisitions per second over all threads (evenly spaced)."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` set in its query string (existing values replaced)."""
    parts = urlsplit(url)
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in params
    ]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def format_since(moment: datetime) -> str:
    """An OParl date-time filter value: full date-time with offset, seconds precision."""
    return moment.isoformat(timespec="seconds")


class OParlClient:
    """GET JSON objects, list pages and file downloads from one OParl server."""

    def __init__(self, config: ClientConfig, adapter: Adapter = GENERIC) -> None:
        self.config = config
        self.adapter = adapter
        self._limiter = RateLimiter(config.rate_per_second)
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(config.timeout_s),
            follow_redirects=True,
            limits=httpx.Limits(
                max_connections=config.concurrency, max_keepalive_connections=config.concurrency
            ),
        )
        self._counts_lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.list_pages = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OParlClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- public API -----------------------------------------------------------------------

    def get_json(self, url: str) -> JsonObject:
        """The JSON object at ``url``; FetchError if it cannot be had or is not an object."""

        def attempt() -> JsonObject:
            response = self._get(url, "application/json")
            try:
                data = self.adapter.parse_json(response.text)
            except ValueError as error:  # truncated or garbled: often a hiccup of the server
                raise _Retryable(f"invalid JSON: {error}") from error
            if not isinstance(data, dict):
                raise FetchError(url, f"expected a JSON object, got {type(data).__name__}")
            return data

        return self._with_retries(url, attempt)

    def iter_list(self, url: str, modified_since: datetime | None = None) -> Iterator[list[JsonObject]]:
        """The pages of an external list, following ``links.next`` to the last page.

        ``modified_since`` is sent with the first request; the spec says servers carry it into
        ``links.next``, and for those that do not it is added again.
        """
        since = {"modified_since": format_since(modified_since)} if modified_since else {}
        current: str | None = with_query(url, since) if since else url
        seen: set[str] = set()
        while current and current not in seen:  # a server linking back to a page must not loop us
            seen.add(current)
            try:
                page = self.get_json(current)
            except FetchError as error:
                if error.status == 404 and self.adapter.empty_list_on_404:
                    return
                raise
            with self._counts_lock:
                self.list_pages += 1
            data = page.get("data")
            if isinstance(data, dict):
                data = [data]
            yield [item for item in data or [] if isinstance(item, dict)]
            links = page.get("links")
            following = links.get("next") if isinstance(links, dict) else None
            if not isinstance(following, str) or not following.startswith(("http://", "https://")):
                return
            if since and "modified_since" not in following:
                following = with_query(following, since)
            current = following

    def download(self, url: str) -> tuple[bytes, str]:
        """The bytes at ``url`` and their Content-Type; FetchError if over ``max_bytes``."""

        def attempt() -> tuple[bytes, str]:
            self._limiter.wait()
            self._count_request()
            with self._http.stream("GET", url) as response:
                self._check_status(url, response)
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.config.max_bytes:
                    raise FetchError(url, f"file is {int(declared) / 1e6:.1f} MB, over the limit")
                parts: list[bytes] = []
                size = 0
                for part in response.iter_bytes():
                    size += len(part)
                    if size > self.config.max_bytes:
                        raise FetchError(
                            url, f"file is over the limit of {self.config.max_bytes / 1e6:.1f} MB"
                        )
                    parts.append(part)
                return b"".join(parts), response.headers.get("Content-Type", "")

        return self._with_retries(url, attempt)

    # -- internals ------------------------------------------------------------------------

    def _count_request(self) -> None:
        with self._counts_lock:
            self.requests += 1

    def _get(self, url: str, accept: str) -> httpx.Response:
        self._limiter.wait()
        self._count_request()
        response = self._http.get(url, headers={"Accept": accept})
        self._check_status(url, response)
        return response

    @staticmethod
    def _check_status(url: str, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        if status in _RETRY_STATUSES or status >= 500:
            raise _Retryable(f"HTTP {status}", status, _retry_after(response))
        raise FetchError(url, f"HTTP {status}", status)

    def _attempts(self, status: int | None) -> int:
        extra = self.adapter.extra_retries_on_500 if status == 500 else 0
        return 1 + self.config.retries + extra

    def _with_retries(self, url: str, attempt: Callable[[], T]) -> T:
        tries = 0
        while True:
            tries += 1
            try:
                return attempt()
            except _Retryable as error:
                status, message, retry_after = error.status, str(error), error.retry_after
            except httpx.TransportError as error:  # refused, dropped, timed out, protocol broken
                status, message, retry_after = None, f"{type(error).__name__}: {error}", None
            if tries >= self._attempts(status):
                raise FetchError(url, f"{message} (after {tries} attempts)", status)
            with self._counts_lock:
                self.retries += 1
            time.sleep(self._backoff(tries, retry_after))

    def _backoff(self, tries: int, retry_after: float | None) -> float:
        # Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): clients that
        # failed together do not come back together.
        ceiling = min(self.config.max_backoff_s, self.config.backoff_s * 2 ** (tries - 1))
        delay = random.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, _MAX_RETRY_AFTER_S))
        return delay


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: rare, and the backoff is a fine substitute
