"""The audit log: every question and query with its user, channel, interpretation, SQL, row count,
status and latency, in the local SQLite state file; old entries expire after the retention."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from service.answer_log import connect_state


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user: str
    channel: str
    question: str
    interpretation: str
    sql: str
    row_count: int
    status: str
    latency_ms: float


class AuditLog:
    def __init__(self, path: Path, retention_days: int) -> None:
        self._connection = connect_state(path)
        self.retention_days = retention_days
        self._lock = threading.Lock()
        with self._lock:
            self._connection.execute("""CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL,
                user TEXT NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL, interpretation TEXT NOT NULL,
                sql TEXT NOT NULL, row_count INTEGER NOT NULL, status TEXT NOT NULL, latency_ms REAL NOT NULL)""")
        self.expire()

    def record(self, user: str, channel: str, question: str, interpretation, sql: str | None,
               row_count: int, status: str, latency_ms: float) -> int:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
        text = interpretation if isinstance(interpretation, str) else json.dumps(interpretation, ensure_ascii=False)
        with self._lock:
            cursor = self._connection.execute(
                "INSERT INTO audit (at, user, channel, question, interpretation, sql, row_count, status, latency_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now, user, channel, question, text or "", sql or "", row_count, status, round(latency_ms, 2)))
        return cursor.lastrowid

    def entries(self, limit: int = 200, user: str | None = None) -> list[AuditEntry]:
        query = "SELECT id, at, user, channel, question, interpretation, sql, row_count, status, latency_ms FROM audit"
        params: tuple = ()
        if user:
            query += " WHERE user = ?"
            params = (user,)
        with self._lock:
            rows = self._connection.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [AuditEntry(*row) for row in rows]

    def expire(self) -> int:
        if self.retention_days <= 0:
            return 0
        cutoff = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=self.retention_days)).isoformat()
        with self._lock:
            return self._connection.execute("DELETE FROM audit WHERE at < ?", (cutoff,)).rowcount

    def close(self) -> None:
        self._connection.close()
