"""A fair share of the query slots: one user runs at most ``per_user`` queries at once and keeps at
most as many more waiting; beyond that their next query is refused at once (429), so a flood from
one key neither holds every slot nor ties up the server's threads while others wait."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from semantic_layer.errors import SemanticError


class TooManyQueries(SemanticError):
    code = "too_many_queries"
    status = 429

    def __init__(self, per_user: int) -> None:
        super().__init__(f"您同时进行的查询太多（上限 {per_user} 条），请等前面的查询完成",
                         f"you have too many queries running (limit {per_user}); wait for them to finish")
        self.headers = {"Retry-After": "1"}


class UserWaitedTooLong(SemanticError):
    code = "busy"
    status = 503

    def __init__(self) -> None:
        super().__init__("您前面的查询还没完成，请稍后再试", "your earlier queries are still running; try again shortly")


class FairShare:
    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._running: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()
        self._changed = threading.Condition()

    @contextmanager
    def turn(self, user: str, timeout_s: float) -> Iterator[None]:
        """Wait (up to ``timeout_s``) until ``user`` has a free share, and hold it.

        >>> share = FairShare(1)
        >>> with share.turn("ann", 0.1):
        ...     with share.turn("bob", 0.1):
        ...         "both run"
        'both run'
        """
        with self._changed:
            if self._waiting[user] >= self.per_user:
                raise TooManyQueries(self.per_user)
            self._waiting[user] += 1
            free = self._changed.wait_for(lambda: self._running[user] < self.per_user, timeout_s)
            _decrement(self._waiting, user)
            if not free:
                raise UserWaitedTooLong()
            self._running[user] += 1
        try:
            yield
        finally:
            with self._changed:
                _decrement(self._running, user)
                self._changed.notify_all()


def _decrement(counts: Counter[str], user: str) -> None:
    counts[user] -= 1
    if counts[user] <= 0:  # forget users with nothing under way
        del counts[user]
