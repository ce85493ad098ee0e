"""A fair share of the query slots, held across worker processes: one user runs at most
``per_user`` queries at once and keeps at most as many more waiting, whichever processes take
them; beyond that their next query is refused at once (429), so a flood from one key neither holds
every slot nor ties up the server's threads while others wait.

The turns are rows of the shared state database, each with its process id and an expiry (the
longest a turn may wait and run), so a process that dies (kill -9) holds nothing for long: its rows
go as soon as another process finds its pid gone, and at their expiry at the latest (a pid taken
by a new process)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from semantic_layer.errors import SemanticError
from service.answer_log import connect_state

POLL_S = 0.02  # how often a waiting turn looks for a share freed by another process


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
    def __init__(self, path: Path, per_user: int) -> None:
        self.per_user = per_user
        self._connection = connect_state(path)
        # this process' threads share the connection; a turn ending here wakes this process' waiters at once
        self._changed = threading.Condition()
        with self._changed:
            self._connection.execute("""CREATE TABLE IF NOT EXISTS query_turns (id INTEGER PRIMARY KEY,
                user TEXT NOT NULL, pid INTEGER NOT NULL, running INTEGER NOT NULL, expires REAL NOT NULL)""")
            self._connection.execute("CREATE INDEX IF NOT EXISTS query_turns_user ON query_turns (user, running)")
            self._transaction(self._clear_abandoned, None)

    @contextmanager
    def turn(self, user: str, timeout_s: float, hold_s: float) -> Iterator[None]:
        """Wait (up to ``timeout_s``) until ``user`` has a free share, and hold it; ``hold_s``: the
        longest the caller may hold it, after which a turn left by a dead process expires.

        >>> import tempfile
        >>> share = FairShare(Path(tempfile.mkdtemp()) / "state.sqlite", 1)
        >>> with share.turn("ann", 0.1, 5):
        ...     with share.turn("bob", 0.1, 5):
        ...         "both run"
        'both run'
        """
        deadline = time.monotonic() + timeout_s
        with self._changed:
            entered = self._transaction(self._enter, user, time.time() + timeout_s + hold_s)
            if entered is None:
                raise TooManyQueries(self.per_user)
            turn_id, running = entered
            try:
                while not running:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise UserWaitedTooLong()
                    self._changed.wait(min(POLL_S, remaining))
                    running = self._transaction(self._start, user, turn_id)
            except BaseException:
                self._leave(turn_id)
                raise
        try:
            yield
        finally:
            with self._changed:
                self._leave(turn_id)
                self._changed.notify_all()

    def _transaction(self, step, *args):
        """One step in a write transaction (with this process' lock held): others see all of it or none."""
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            result = step(*args)
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")
        return result

    def _counts(self, user: str) -> tuple[int, int]:
        """(running, waiting) turns of ``user`` in every process."""
        running, total = self._connection.execute(
            "SELECT COALESCE(SUM(running), 0), COUNT(*) FROM query_turns WHERE user = ?", (user,)).fetchone()
        return running, total - running

    def _enter(self, user: str, expires: float) -> tuple[int, bool] | None:
        """A new turn for ``user`` (its id, and whether it runs now or waits), or None when the user
        already has as many waiting as running."""
        running, waiting = self._counts(user)
        if running >= self.per_user:
            self._clear_abandoned(user)
            running, waiting = self._counts(user)
        if running >= self.per_user and waiting >= self.per_user:
            return None
        start = running < self.per_user
        cursor = self._connection.execute("INSERT INTO query_turns (user, pid, running, expires) VALUES (?, ?, ?, ?)",
                                          (user, os.getpid(), int(start), expires))
        return cursor.lastrowid, start

    def _start(self, user: str, turn_id: int) -> bool:
        """Whether a waiting turn may run now (and then it does)."""
        self._clear_abandoned(user)
        if self._counts(user)[0] >= self.per_user:
            return False
        self._connection.execute("UPDATE query_turns SET running = 1 WHERE id = ?", (turn_id,))
        return True

    def _leave(self, turn_id: int) -> None:  # one statement: a transaction of its own
        self._connection.execute("DELETE FROM query_turns WHERE id = ?", (turn_id,))

    def _clear_abandoned(self, user: str | None) -> None:
        """Forget expired turns, and the turns of ``user`` (of everyone: None) whose process is gone."""
        self._connection.execute("DELETE FROM query_turns WHERE expires < ?", (time.time(),))
        rows = self._connection.execute("SELECT id, pid FROM query_turns WHERE pid != ? AND (? IS NULL OR user = ?)",
                                        (os.getpid(), user, user)).fetchall()
        gone = [(turn_id,) for turn_id, pid in rows if not _alive(pid)]
        self._connection.executemany("DELETE FROM query_turns WHERE id = ?", gone)

    def close(self) -> None:
        self._connection.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return True
