"""The warehouse: queries run in separate query processes (``query_worker``) that open the file
read-only with file access, extensions and configuration changes off, under a memory cap. Each
user gets a fair share of the query slots; a query is interrupted at the time limit and its
process killed at the limit plus a grace; answers are cached by SQL and the file's version."""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from semantic_layer.errors import SemanticError
from service.bounded import BoundedMap
from service.fair_share import FairShare
from service.query_worker import FAILED, MEMORY, OK, TIMEOUT, TOO_LARGE, Job, QueryLimits, command

STARTUP_TIMEOUT_S = 60


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


class QueryTooHeavy(SemanticError):
    code = "query_too_heavy"
    status = 400


@dataclass(frozen=True)
class QueryResult:
    columns: list[tuple[str, str]]  # (name, DuckDB type)
    rows: list[tuple]
    truncated: bool


@dataclass
class _Process:
    process: subprocess.Popen
    pipe: Connection
    version: tuple[int, int]


class Warehouse:
    """The read-only warehouse: at most ``max_concurrent`` queries at once and ``user_slots`` of
    them for one user (others wait in line up to ``queue_timeout_s``)."""

    def __init__(self, path: Path, max_concurrent: int = 4, queue_timeout_s: float = 10,
                 cache_entries: int = 256, limits: QueryLimits = QueryLimits(), user_slots: int = 2,
                 grace_s: float = 2.0, cache_max_mb: int = 128) -> None:
        if not Path(path).is_file():
            raise WarehouseUnavailable(f"数据仓库文件不存在: {path}", f"warehouse file not found: {path}")
        self.path = Path(path)
        self.limits = limits
        self.grace_s = grace_s
        self.queue_timeout_s = queue_timeout_s
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._fair = FairShare(user_slots)
        self._cache: BoundedMap[tuple, QueryResult] = BoundedMap(cache_entries, cache_max_mb * 1024 * 1024)
        self._idle: list[_Process] = []
        self._processes: dict[int, _Process] = {}
        self._lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.stats = {"queries": 0, "cache_hits": 0, "active": 0}
        self._schema: tuple[tuple[int, int], dict[str, dict[str, str]]] | None = None
        with self._slot():  # fail at start, not at the first question, when the file is unusable
            self._checkin(self._spawn())

    def data_version(self) -> tuple[int, int]:
        """Changes whenever the warehouse file does (a rebuilt demo, a new load)."""
        status = self.path.stat()
        return status.st_mtime_ns, status.st_size

    def schema(self) -> dict[str, dict[str, str]]:
        """{table: {column: type}} of the main schema."""
        version = self.data_version()
        if self._schema is None or self._schema[0] != version:
            with self._slot():
                result, _ = self._execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                                          "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position",
                                          100_000, 30)
            schema: dict[str, dict[str, str]] = {}
            for table, column, kind in result.rows:
                schema.setdefault(table, {})[column] = kind
            self._schema = (version, schema)
        return self._schema[1]

    def run(self, sql: str, row_cap: int, timeout_s: float, user: str = "service") -> QueryResult:
        """Run one guarded SELECT (or answer it from the cache) in ``user``'s share of the slots;
        stop it after ``timeout_s``; keep at most ``row_cap`` rows."""
        key = (sql, row_cap, self.data_version())
        cached = self._cache.get(key)
        if cached is not None:
            self._count("cache_hits", 1)
            return cached
        with self._fair.turn(user, self.queue_timeout_s), self._slot():
            result, size = self._execute(sql, row_cap, timeout_s)
        self._count("queries", 1)
        self._cache.put(key, result, size)
        return result

    def ping(self) -> None:
        """Run a trivial query past the cache (readiness), in a slot like any other."""
        with self._slot():
            self._execute("SELECT 1", 1, 5)

    @contextmanager
    def _slot(self) -> Iterator[None]:
        """One of the query slots; every query process works inside one, so there are never more
        processes than slots."""
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

    # ---- query processes ---------------------------------------------------------------------
    def _spawn(self) -> _Process:
        ours, theirs = socket.socketpair()
        version = self.data_version()
        process = subprocess.Popen(command(theirs.fileno(), str(self.path), self.limits),
                                   pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        parent = Connection(ours.detach())
        worker = _Process(process, parent, version)
        with self._lock:
            self._processes[process.pid] = worker
        if not parent.poll(STARTUP_TIMEOUT_S):
            self._discard(worker)
            raise WarehouseUnavailable("数据仓库打开超时", "opening the warehouse timed out")
        try:
            ready = pickle.loads(parent.recv_bytes())
        except (EOFError, OSError):
            ready = (FAILED, f"the query process exited with code {process.poll()}")
        if ready[0] != OK:
            self._discard(worker)
            raise WarehouseUnavailable(f"无法打开数据仓库: {ready[1]}", f"cannot open the warehouse: {ready[1]}")
        return worker

    def _checkout(self) -> _Process:
        version = self.data_version()
        with self._lock:
            stale = [w for w in self._idle if w.version != version]
            self._idle = [w for w in self._idle if w.version == version]
            worker = self._idle.pop() if self._idle else None
        for old in stale:  # a rebuilt file: the old processes still see the old one
            self._discard(old)
        return worker or self._spawn()

    def _checkin(self, worker: _Process) -> None:
        with self._lock:
            self._idle.append(worker)

    def _discard(self, worker: _Process) -> None:
        with self._lock:
            self._processes.pop(worker.process.pid, None)
        worker.pipe.close()
        worker.process.kill()
        worker.process.wait(timeout=5)

    def _execute(self, sql: str, row_cap: int, timeout_s: float) -> tuple[QueryResult, int]:
        """Run in a query process (the caller holds a slot); the result and its size in bytes."""
        worker = self._checkout()
        payload = b""
        try:
            worker.pipe.send(Job(sql, row_cap, timeout_s))
            if not worker.pipe.poll(timeout_s + self.grace_s):
                raise QueryTimeout(f"查询超过 {timeout_s:g} 秒被中止", f"the query ran past {timeout_s:g} s and was stopped")
            payload = worker.pipe.recv_bytes()
            answer = pickle.loads(payload)
        except (EOFError, OSError):
            answer = (MEMORY, "the query process ran out of its resources")
        except QueryTimeout:
            self._discard(worker)
            raise
        if answer[0] in (MEMORY, TIMEOUT) or not self._lean(worker):
            self._discard(worker)  # a process that grew stays big: start a fresh one next time
        else:
            self._checkin(worker)
        return self._result(answer, timeout_s), len(payload)

    def _lean(self, worker: _Process) -> bool:
        """Is the process still small enough to keep (resident below half its memory limit)?"""
        try:
            resident_pages = int(Path(f"/proc/{worker.process.pid}/statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            return worker.process.poll() is None
        return resident_pages * os.sysconf("SC_PAGE_SIZE") < self.limits.memory_mb * 1024 * 1024 // 2

    def _result(self, answer: tuple, timeout_s: float) -> QueryResult:
        kind = answer[0]
        if kind == OK:
            return QueryResult(*answer[1:])
        if kind == TIMEOUT:
            raise QueryTimeout(f"查询超过 {timeout_s:g} 秒被中止", f"the query ran past {timeout_s:g} s and was stopped")
        if kind == TOO_LARGE:
            limit = self.limits.result_max_mb
            raise QueryTooHeavy(f"结果太大（超过 {limit} MB），请缩小范围或减少明细",
                                f"the result is larger than {limit} MB; narrow the query down")
        if kind == MEMORY:
            limit = self.limits.memory_mb
            raise QueryTooHeavy(f"查询需要的内存超过上限（{limit} MB），请缩小范围或减少明细: {answer[1]}",
                                f"the query needs more than the {limit} MB memory limit; narrow it down: {answer[1]}")
        raise QueryFailed(f"查询执行失败: {answer[1]}", f"the query failed: {answer[1]}")

    def close(self) -> None:
        with self._lock:
            workers = list(self._processes.values())
            self._idle = []
        for worker in workers:
            self._discard(worker)
