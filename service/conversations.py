"""Conversations kept in the shared state database, so a follow-up works whichever worker process
takes it: the last question's parts per conversation id, each tied to the user who started it,
bounded in number (least recently used go first) and expiring after a quiet period."""

from __future__ import annotations

import pickle
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from semantic_layer.parser.compose import Parts
from service.answer_log import connect_state


@dataclass(frozen=True)
class Turn:
    parts: Parts
    language: str
    pending: bool = False  # asked back: the next message may answer it
    choices: tuple[str, tuple[str, ...]] | None = None  # asked which of these values (dimension, values) was meant
    asked: str = ""  # the problem asked back about (no_metric, unknown_words ...)

    @property
    def trusted(self) -> bool:
        """Can what was understood be built on (a metric was missing, not a word misread)?"""
        return self.asked in ("", "no_metric", "ambiguous_metric", "ambiguous_name", "time_not_applicable",
                              "unit_mismatch")


class ConversationStore:
    """Turns are pickled: the state database is the service's own file, never read from outside."""

    def __init__(self, path: Path, max_conversations: int = 1000, ttl_s: float = 1800) -> None:
        self.max_conversations = max_conversations
        self.ttl_s = ttl_s
        self._connection = connect_state(path)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.execute("""CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY,
                owner TEXT NOT NULL, turn BLOB NOT NULL, used_at REAL NOT NULL)""")
            self._connection.execute("CREATE INDEX IF NOT EXISTS conversations_used ON conversations (used_at)")

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def last(self, conversation_id: str, owner: str) -> Turn | None:
        """The last turn of ``owner``'s conversation; None when there is none (or it is another's,
        or it went quiet too long)."""
        with self._lock:
            row = self._connection.execute("SELECT owner, turn, used_at FROM conversations WHERE id = ?",
                                           (conversation_id,)).fetchone()
        if row is None or row[0] != owner or time.time() - row[2] > self.ttl_s:
            return None
        return pickle.loads(row[1])

    def remember(self, conversation_id: str, turn: Turn, owner: str) -> None:
        now = time.time()
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                row = self._connection.execute("SELECT owner FROM conversations WHERE id = ?",
                                               (conversation_id,)).fetchone()
                if row is not None and row[0] != owner:
                    raise ValueError("a conversation belongs to the user who started it")
                self._connection.execute("INSERT OR REPLACE INTO conversations (id, owner, turn, used_at) "
                                         "VALUES (?, ?, ?, ?)", (conversation_id, owner, pickle.dumps(turn), now))
                self._connection.execute(
                    "DELETE FROM conversations WHERE used_at < ? OR id IN (SELECT id FROM conversations "
                    "ORDER BY used_at DESC LIMIT -1 OFFSET ?)", (now - self.ttl_s, self.max_conversations))
                self._connection.execute("COMMIT")
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self._connection.close()
