"""Conversations kept in memory: the last question's parts per conversation id, each tied to the
user who started it, bounded in number (least recently used go first) and expiring after a quiet
period."""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from semantic_layer.parser.compose import Parts


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
    def __init__(self, max_conversations: int = 1000, ttl_s: float = 1800) -> None:
        self.max_conversations = max_conversations
        self.ttl_s = ttl_s
        self._turns: OrderedDict[str, tuple[float, str, Turn]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def last(self, conversation_id: str, owner: str) -> Turn | None:
        """The last turn of ``owner``'s conversation; None when there is none (or it is another's)."""
        with self._lock:
            entry = self._turns.get(conversation_id)
            if entry is None or entry[1] != owner:
                return None
            if time.monotonic() - entry[0] > self.ttl_s:
                del self._turns[conversation_id]
                return None
            self._turns.move_to_end(conversation_id)
            return entry[2]

    def remember(self, conversation_id: str, turn: Turn, owner: str) -> None:
        with self._lock:
            entry = self._turns.get(conversation_id)
            if entry is not None and entry[1] != owner:
                raise ValueError("a conversation belongs to the user who started it")
            self._turns[conversation_id] = (time.monotonic(), owner, turn)
            self._turns.move_to_end(conversation_id)
            while len(self._turns) > self.max_conversations:
                self._turns.popitem(last=False)
