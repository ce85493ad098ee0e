"""Sliding one-minute windows per key (requests per API key or address, failed authentications
per address), shared by every worker process; over a window's limit, 429 with Retry-After."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path

from semantic_layer.errors import SemanticError
from service.answer_log import connect_state


class RateLimited(SemanticError):
    code = "rate_limited"
    status = 429

    def __init__(self, retry_after_s: float) -> None:
        seconds = max(1, math.ceil(retry_after_s))
        super().__init__(f"请求太频繁，请 {seconds} 秒后再试", f"too many requests; retry in {seconds} s")
        self.headers = {"Retry-After": str(seconds)}


class RateLimiter:
    """The windows live in the shared state database: a limit holds across worker processes."""

    def __init__(self, path: Path, name: str, per_minute: int) -> None:
        self.name = name
        self.per_minute = per_minute
        self._connection = connect_state(path)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.execute("""CREATE TABLE IF NOT EXISTS rate_hits (limiter TEXT NOT NULL,
                key TEXT NOT NULL, at REAL NOT NULL)""")
            self._connection.execute("CREATE INDEX IF NOT EXISTS rate_hits_key ON rate_hits (limiter, key, at)")

    def check(self, key: str, count: bool = True) -> None:
        """Refuse ``key`` when its window is full; otherwise count this hit (unless ``count`` is
        false: a look that counts nothing, as before checking a password)."""
        if self.per_minute <= 0:
            return
        now = time.time()
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.execute("DELETE FROM rate_hits WHERE limiter = ? AND key = ? AND at <= ?",
                                         (self.name, key, now - 60))
                hits, first = self._connection.execute(
                    "SELECT COUNT(*), MIN(at) FROM rate_hits WHERE limiter = ? AND key = ?", (self.name, key)).fetchone()
                if hits < self.per_minute and count:
                    self._connection.execute("INSERT INTO rate_hits (limiter, key, at) VALUES (?, ?, ?)",
                                             (self.name, key, now))
            finally:
                self._connection.execute("COMMIT")
        if hits >= self.per_minute:
            raise RateLimited(60 - (now - first))

    def close(self) -> None:
        self._connection.close()
