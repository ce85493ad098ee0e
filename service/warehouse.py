"""The warehouse, whatever its engine: each user gets a fair share of the query slots; SQL (a
tree, or text in the model's DuckDB dialect) is rendered in the engine's dialect at this edge and
run by the engine's adapter read-only, under a time limit and a row cap; answers are cached by
SQL and the data's version."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import sqlglot
from sqlglot import exp

from semantic_layer.render import SOURCE_DIALECT, render_sql
from service.bounded import BoundedMap
from service.engines import open_engine
from service.engines.base import (QueryFailed, QueryResult, QueryTimeout, QueryTooHeavy, WarehouseBusy,
                                  WarehouseUnavailable, canonical_type)
from service.fair_share import FairShare
from service.query_worker import QueryLimits
from service.warehouse_url import WarehouseUrl, parse_warehouse_url

__all__ = ["QueryFailed", "QueryResult", "QueryTimeout", "QueryTooHeavy", "Warehouse", "WarehouseBusy",
           "WarehouseUnavailable"]

# a user's turn expires this long after its own bound (waiting for a slot, the time limit, the grace):
# time to start a query process on a slow machine, so that only a turn left by a dead process gets there
TURN_MARGIN_S = 60


class Warehouse:
    """The read-only warehouse: at most ``max_concurrent`` queries at once in this process (others
    wait in line up to ``queue_timeout_s``) and, given a ``state_path`` shared by the worker
    processes, ``user_slots`` of them for one user in all of them together (a tool or a test on its
    own gives none: it has one user)."""

    def __init__(self, location: str | Path | WarehouseUrl, max_concurrent: int = 4, queue_timeout_s: float = 10,
                 cache_entries: int = 256, limits: QueryLimits = QueryLimits(), state_path: Path | None = None,
                 user_slots: int = 2, grace_s: float = 2.0, cache_max_mb: int = 128) -> None:
        self.url = location if isinstance(location, WarehouseUrl) else parse_warehouse_url(location)
        self.limits = dataclasses.replace(limits, grace_s=grace_s)
        self.queue_timeout_s = queue_timeout_s
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._fair = FairShare(state_path, user_slots) if state_path else None
        self._cache: BoundedMap[tuple, QueryResult] = BoundedMap(cache_entries, cache_max_mb * 1024 * 1024)
        self._stats_lock = threading.Lock()
        self.stats = {"queries": 0, "cache_hits": 0, "active": 0}
        self._schema: tuple[tuple, dict[str, dict[str, str]]] | None = None
        with self._slot():
            self.engine = open_engine(self.url, self.limits)

    @property
    def dialect(self) -> str:
        return self.engine.dialect

    def render(self, query: exp.Expression | str, pretty: bool = False) -> str:
        """The SQL the engine runs: a tree rendered in its dialect; text is the model's (DuckDB's)
        dialect, passed as it is to DuckDB and rendered anew for the others."""
        if isinstance(query, str):
            if self.dialect == SOURCE_DIALECT:
                return query
            query = sqlglot.parse_one(query, read=SOURCE_DIALECT)
        return render_sql(query, self.dialect, pretty)

    def data_version(self) -> tuple:
        """Changes whenever the data may have (a rebuilt demo, a new load)."""
        return self.engine.data_version()

    def schema(self) -> dict[str, dict[str, str]]:
        """{table: {column: type in DuckDB's words}} of the tables queries may read."""
        version = self.data_version()
        if self._schema is None or self._schema[0] != version:
            with self._slot():
                result, _ = self.engine.execute(self.engine.schema_sql(), 100_000, 30)
            schema: dict[str, dict[str, str]] = {}
            for table, column, kind in result.rows:
                schema.setdefault(table, {})[column] = canonical_type(kind, self.dialect)
            self._schema = (version, schema)
        return self._schema[1]

    def run(self, query: exp.Expression | str, row_cap: int, timeout_s: float, user: str | None = None) -> QueryResult:
        """Run one guarded SELECT (or answer it from the cache) in ``user``'s share of the slots
        (None: the service's own query, which takes a slot but no user's share); stop it after
        ``timeout_s``; keep at most ``row_cap`` rows."""
        return self.run_rendered(self.render(query), row_cap, timeout_s, user)

    def run_rendered(self, sql: str, row_cap: int, timeout_s: float, user: str | None = None) -> QueryResult:
        """``run`` for SQL already in the engine's dialect (a compiled plan's, rendered once)."""
        key = (sql, row_cap, self.data_version())
        cached = self._cache.get(key)
        if cached is not None:
            self._count("cache_hits", 1)
            return cached
        with self._turn(user, timeout_s), self._slot():
            result, size = self.engine.execute(sql, row_cap, timeout_s)
        self._count("queries", 1)
        self._cache.put(key, result, size)
        return result

    def ping(self) -> None:
        """Run a trivial query past the cache (readiness), in a slot like any other."""
        with self._slot():
            self.engine.execute("SELECT 1", 1, 5)

    def _turn(self, user: str | None, timeout_s: float) -> AbstractContextManager[None]:
        """``user``'s share, held while the query waits for a slot, runs and is killed at the latest."""
        if self._fair is None or user is None:
            return nullcontext()
        return self._fair.turn(user, self.queue_timeout_s,
                               self.queue_timeout_s + timeout_s + self.limits.grace_s + TURN_MARGIN_S)

    @contextmanager
    def _slot(self) -> Iterator[None]:
        """One of the query slots; every query works inside one, so an engine never runs more
        queries (or processes, or connections) than there are slots."""
        if not self._slots.acquire(timeout=self.queue_timeout_s):
            raise WarehouseBusy("查询繁忙，请稍后再试", "too many queries at once; try again shortly")
        self._count("active", 1)
        try:
            yield
        finally:
            self._count("active", -1)
            self._slots.release()

    def _count(self, name: str, step: int) -> None:
        with self._stats_lock:
            self.stats[name] += step

    def close(self) -> None:
        self.engine.close()
        if self._fair is not None:
            self._fair.close()
