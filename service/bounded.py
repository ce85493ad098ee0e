"""A thread-safe map that forgets its least recently used entries past a size: the one piece
behind the answer cache, the guard's verdicts, seen WeCom message ids and per-user chats."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
_MISSING = object()


class BoundedMap(Generic[K, V]):
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def add_new(self, key: K, value: V) -> bool:
        """Store ``value`` unless ``key`` is already there; True when it was new.

        >>> seen = BoundedMap(2)
        >>> seen.add_new("a", 1), seen.add_new("a", 1)
        (True, False)
        """
        with self._lock:
            if key in self._items:
                return False
        self.put(key, value)
        return True

    def pop(self, key: K) -> None:
        with self._lock:
            self._items.pop(key, None)
