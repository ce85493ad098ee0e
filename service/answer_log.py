"""Answers kept for their permalinks (/a/{id}) and CSV downloads, and thumbs-up/down feedback,
in the local SQLite state file so they survive restarts. The same answer asked again by the same
user is kept once; the oldest answers without feedback go past a number or an age, so the file
cannot grow without bound."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from semantic_layer.errors import SemanticError


class AnswerNotFound(SemanticError):
    code = "answer_not_found"
    status = 404


@dataclass(frozen=True)
class Feedback:
    id: int
    answer_id: str
    rating: str
    comment: str
    question: str
    created_at: str


_BUSY_WAIT_S = 10  # how long a connection waits for another process' lock


def connect_state(path: Path) -> sqlite3.Connection:
    """The local state database, shared by every worker process: WAL, usable from the worker threads.
    A commit is in the WAL before it is acknowledged, so a killed process loses nothing it
    acknowledged; synchronous=NORMAL leaves the fsync to checkpoints (only a crash of the machine
    itself may lose the last commits). A writer waits for another process' write to finish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=_BUSY_WAIT_S)
    deadline = time.monotonic() + _BUSY_WAIT_S
    while connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # workers starting together: SQLite refuses one switch at once
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class AnswerLog:
    def __init__(self, path: Path, max_answers: int = 20_000, retention_days: int = 90) -> None:
        self._connection = connect_state(path)
        self._lock = threading.Lock()
        self.max_answers = max_answers
        self.retention_days = retention_days
        with self._lock:
            self._connection.executescript("""
                CREATE TABLE IF NOT EXISTS answers (id TEXT PRIMARY KEY, question TEXT NOT NULL,
                    body TEXT NOT NULL, created_at TEXT NOT NULL, digest TEXT);
                CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, answer_id TEXT NOT NULL,
                    rating TEXT NOT NULL, comment TEXT NOT NULL, created_at TEXT NOT NULL);
            """)
            columns = {row[1] for row in self._connection.execute("PRAGMA table_info(answers)")}
            if "digest" not in columns:  # a state file from before answers were kept once
                self._connection.execute("ALTER TABLE answers ADD COLUMN digest TEXT")
            self._connection.execute("CREATE UNIQUE INDEX IF NOT EXISTS answers_digest ON answers (digest)")

    def keep(self, question: str, body: dict) -> str:
        """Keep an answer (the same answer to the same user once) and return its id."""
        stable = {k: v for k, v in body.items() if k not in ("timings", "conversation_id", "answer_id")}
        content = json.dumps(stable, ensure_ascii=False, sort_keys=True, default=str)
        digest = hashlib.sha256(content.encode()).hexdigest()
        now = dt.datetime.now(dt.timezone.utc)
        with self._lock:
            row = self._connection.execute("SELECT id FROM answers WHERE digest = ?", (digest,)).fetchone()
            if row is not None:
                return row[0]
            answer_id = secrets.token_hex(8)
            self._connection.execute(
                "INSERT INTO answers (id, question, body, created_at, digest) VALUES (?, ?, ?, ?, ?)",
                (answer_id, question, json.dumps({**body, "answer_id": answer_id}, ensure_ascii=False),
                 now.isoformat(timespec="seconds"), digest))
            self._prune(now)
        return answer_id

    def _prune(self, now: dt.datetime) -> None:  # called with the lock held
        kept = "id NOT IN (SELECT answer_id FROM feedback)"
        if self.retention_days:
            cutoff = (now - dt.timedelta(days=self.retention_days)).isoformat(timespec="seconds")
            self._connection.execute(f"DELETE FROM answers WHERE created_at < ? AND {kept}", (cutoff,))
        self._connection.execute(
            f"DELETE FROM answers WHERE {kept} AND id IN (SELECT id FROM answers ORDER BY created_at DESC "
            "LIMIT -1 OFFSET ?)", (self.max_answers,))

    def get(self, answer_id: str) -> dict:
        with self._lock:
            row = self._connection.execute("SELECT body FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            raise AnswerNotFound("找不到这条回答（链接可能已失效）", "no such answer (the link may have expired)")
        return json.loads(row[0])

    def add_feedback(self, answer_id: str, rating: str, comment: str) -> Feedback:
        question = self.get(answer_id)["question"]
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            cursor = self._connection.execute(
                "INSERT INTO feedback (answer_id, rating, comment, created_at) VALUES (?, ?, ?, ?)",
                (answer_id, rating, comment, now))
        return Feedback(cursor.lastrowid, answer_id, rating, comment, question, now)

    def feedback(self) -> list[Feedback]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT f.id, f.answer_id, f.rating, f.comment, a.question, f.created_at FROM feedback f "
                "JOIN answers a ON a.id = f.answer_id ORDER BY f.id").fetchall()
        return [Feedback(*row) for row in rows]

    def close(self) -> None:
        self._connection.close()
