"""A thread-safe map that forgets its least recently used entries past a number of entries (and,
when given, past a total weight): the one piece behind the answer cache, the guard's verdicts,
seen WeCom message ids and per-user chats."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
_MISSING = object()


class BoundedMap(Generic[K, V]):
    def __init__(self, max_entries: int, max_weight: int | None = None) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._items: OrderedDict[K, V] = OrderedDict()
        self._weights: dict[K, int] = {}
        self.weight = 0
        self._lock = threading.Lock()

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V, weight: int = 0) -> None:
        """Store ``value``; one heavier than a quarter of the weight allowed is not kept.

        >>> cache = BoundedMap(10, max_weight=100)
        >>> for key in "abcde": cache.put(key, key.upper(), 25)
        >>> cache.put("big", "B", 60)
        >>> cache.get("a"), cache.get("e"), cache.get("big"), cache.weight
        (None, 'E', None, 100)
        """
        if self.max_weight is not None and weight > self.max_weight // 4:
            return
        with self._lock:
            self.weight += weight - self._weights.get(key, 0)
            self._items[key] = value
            self._weights[key] = weight
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries or (self.max_weight is not None and self.weight > self.max_weight):
                old, _ = self._items.popitem(last=False)
                self.weight -= self._weights.pop(old, 0)

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
            self.weight -= self._weights.pop(key, 0)
