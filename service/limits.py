"""Sliding one-minute windows per key (requests per API key or address, failed authentications
per address); over a window's limit, 429 with Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

from semantic_layer.errors import SemanticError


class RateLimited(SemanticError):
    code = "rate_limited"
    status = 429

    def __init__(self, retry_after_s: float) -> None:
        seconds = max(1, math.ceil(retry_after_s))
        super().__init__(f"请求太频繁，请 {seconds} 秒后再试", f"too many requests; retry in {seconds} s")
        self.headers = {"Retry-After": str(seconds)}


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key: str, count: bool = True) -> None:
        """Refuse ``key`` when its window is full; otherwise count this hit (unless ``count`` is
        false: a look that counts nothing, as before checking a password)."""
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                raise RateLimited(60 - (now - hits[0]))
            if count:
                hits.append(now)
            elif not hits:
                del self._hits[key]
