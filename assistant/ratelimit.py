"""Per-token rate limit for the API: a token bucket per user, in memory.

Each user's bucket holds up to ``per_minute`` requests and refills at ``per_minute`` per
minute, so a client may burst and then keeps a steady pace. The state lives in the serving
process: several API processes each allow the full rate (acceptable for a council's server).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.errors import RateLimitExceeded


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(per_minute)
        self._refill_per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._capacity > 0

    def check(self, key: str) -> None:
        """Take one request from ``key``'s bucket, or raise RateLimitExceeded."""
        if not self.enabled:
            return
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self._capacity, now)
            refilled = bucket.tokens + (now - bucket.updated) * self._refill_per_second
            bucket.tokens = min(self._capacity, refilled)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            missing = 1.0 - bucket.tokens
        raise RateLimitExceeded(max(1, math.ceil(missing / self._refill_per_second)))
