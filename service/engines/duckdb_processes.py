"""The DuckDB adapter: queries run in separate query processes (``query_worker``) that open the
file read-only with file access, extensions and configuration changes off, under a memory cap; a
process still running past the time limit plus a grace is killed."""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from service.engines.base import QueryResult, QueryTooHeavy, WarehouseUnavailable, failed, timed_out
from service.query_worker import FAILED, MEMORY, OK, TIMEOUT, TOO_LARGE, Job, QueryLimits, command

STARTUP_TIMEOUT_S = 60


@dataclass
class _Process:
    process: subprocess.Popen
    pipe: Connection
    version: tuple[int, int]


class DuckDbProcesses:
    """Idle query processes are kept for the next query; the caller's slots bound how many run."""

    dialect = "duckdb"

    def __init__(self, path: Path, limits: QueryLimits) -> None:
        if not Path(path).is_file():
            raise WarehouseUnavailable(f"数据仓库文件不存在: {path}", f"warehouse file not found: {path}")
        self.path = Path(path)
        self.limits = limits
        self._idle: list[_Process] = []
        self._processes: dict[int, _Process] = {}
        self._lock = threading.Lock()
        self._checkin(self._spawn())  # fail at start, not at the first question, when the file is unusable

    def data_version(self) -> tuple[int, int]:
        """Changes whenever the warehouse file does (a rebuilt demo, a new load)."""
        status = self.path.stat()
        return status.st_mtime_ns, status.st_size

    def schema_sql(self) -> str:
        return ("SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position")

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

    def execute(self, sql: str, row_cap: int, timeout_s: float) -> tuple[QueryResult, int]:
        """Run in a query process (the caller holds a slot); the result and its size in bytes."""
        worker = self._checkout()
        payload = b""
        try:
            worker.pipe.send(Job(sql, row_cap, timeout_s))
            if not worker.pipe.poll(timeout_s + self.limits.grace_s):
                self._discard(worker)
                raise timed_out(timeout_s, abandoned=True)
            payload = worker.pipe.recv_bytes()
            answer = pickle.loads(payload)
        except (EOFError, OSError):
            answer = (MEMORY, "the query process ran out of its resources")
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
            raise timed_out(timeout_s)
        if kind == TOO_LARGE:
            limit = self.limits.result_max_mb
            raise QueryTooHeavy(f"结果太大（超过 {limit} MB），请缩小范围或减少明细",
                                f"the result is larger than {limit} MB; narrow the query down")
        if kind == MEMORY:
            limit = self.limits.memory_mb
            raise QueryTooHeavy(f"查询需要的内存超过上限（{limit} MB），请缩小范围或减少明细: {answer[1]}",
                                f"the query needs more than the {limit} MB memory limit; narrow it down: {answer[1]}")
        raise failed(answer[1])

    def close(self) -> None:
        with self._lock:
            workers = list(self._processes.values())
            self._idle = []
        for worker in workers:
            self._discard(worker)
