"""The warehouse, opened read-only with external access, extension autoloading and configuration
changes disabled; every query runs on its own cursor with a time limit and a row cap."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

from service.bounded import BoundedMap

from semantic_layer.errors import SemanticError

LOCKED_CONFIG = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}


class WarehouseUnavailable(SemanticError):
    code = "warehouse_unavailable"
    status = 503


class QueryTimeout(SemanticError):
    code = "query_timeout"
    status = 504


class WarehouseBusy(SemanticError):
    code = "busy"
    status = 503


class QueryFailed(SemanticError):
    code = "query_failed"
    status = 400


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]  # (name, DuckDB type)
    rows: list[tuple]
    truncated: bool


class Warehouse:
    """The read-only warehouse: at most ``max_concurrent`` queries at once (others wait in line up
    to ``queue_timeout_s``), answers cached by SQL and the file's data version."""

    def __init__(self, path: Path, max_concurrent: int = 8, queue_timeout_s: float = 10,
                 cache_entries: int = 256) -> None:
        if not Path(path).is_file():
            raise WarehouseUnavailable(f"数据仓库文件不存在: {path}", f"warehouse file not found: {path}")
        self.path = Path(path)
        self._connection = duckdb.connect(str(path), read_only=True, config=dict(LOCKED_CONFIG))
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self.queue_timeout_s = queue_timeout_s
        self._cache: BoundedMap[tuple, QueryResult] = BoundedMap(cache_entries)
        self._stats_lock = threading.Lock()
        self.stats = {"queries": 0, "cache_hits": 0, "active": 0}

    def data_version(self) -> tuple[int, int]:
        """Changes whenever the warehouse file does (a rebuilt demo, a new load)."""
        status = self.path.stat()
        return status.st_mtime_ns, status.st_size

    def schema(self) -> dict[str, dict[str, str]]:
        """{table: {column: type}} of the main schema."""
        rows = self._connection.cursor().execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
        schema: dict[str, dict[str, str]] = {}
        for table, column, kind in rows:
            schema.setdefault(table, {})[column] = kind
        return schema

    def run(self, sql: str, row_cap: int, timeout_s: float) -> QueryResult:
        """Run one guarded SELECT (or answer it from the cache); interrupt it after ``timeout_s``;
        keep at most ``row_cap`` rows."""
        key = (sql, row_cap, self.data_version())
        cached = self._cache.get(key)
        if cached is not None:
            self._count("cache_hits", 1)
            return cached
        if not self._slots.acquire(timeout=self.queue_timeout_s):
            raise WarehouseBusy("查询繁忙，请稍后再试", "too many queries at once; try again shortly")
        try:
            self._count("active", 1)
            result = self._execute(sql, row_cap, timeout_s)
        finally:
            self._count("active", -1)
            self._slots.release()
        self._count("queries", 1)
        self._cache.put(key, result)
        return result

    def _count(self, name: str, step: int) -> None:
        with self._stats_lock:
            self.stats[name] += step

    def ping(self) -> None:
        """Run a trivial query past the cache (readiness)."""
        self._execute("SELECT 1", 1, 5)

    def _execute(self, sql: str, row_cap: int, timeout_s: float) -> QueryResult:
        cursor = self._connection.cursor()
        timer = threading.Timer(timeout_s, cursor.interrupt)
        timer.start()
        try:
            cursor.execute(sql)
            rows = cursor.fetchmany(row_cap + 1)
            columns = [(d[0], str(d[1])) for d in cursor.description]
        except duckdb.InterruptException:
            raise QueryTimeout(f"查询超过 {timeout_s:g} 秒被中止", f"the query ran past {timeout_s:g} s and was stopped")
        except duckdb.Error as error:
            message = str(error).split("\n")[0][:300]
            raise QueryFailed(f"查询执行失败: {message}", f"the query failed: {message}")
        finally:
            timer.cancel()
            cursor.close()
        return QueryResult(columns, rows[:row_cap], len(rows) > row_cap)

    def close(self) -> None:
        self._connection.close()
