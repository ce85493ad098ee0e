"""One query process: opens the warehouse read-only under hard resource limits and runs the SQL it
is sent, one statement at a time. A separate process because no in-process setting bounds every
way a query can use memory or time (a single 2 GB string, a 350-way join being planned): the
address space of this process is capped, and the service kills it when a query overstays."""

from __future__ import annotations

import json
import pickle
import resource
import sys
import threading
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path


@dataclass(frozen=True)
class QueryLimits:
    """What one query may use. ``memory_mb`` is DuckDB's memory_limit (ClickHouse's
    max_memory_usage); a DuckDB query process's whole address space is capped at
    ``memory_mb + headroom_mb`` (the interpreter, the library, thread stacks). A query still
    running ``grace_s`` past its time limit is abandoned."""

    memory_mb: int = 1024
    threads: int = 2
    temp_dir: Path = Path("data/query_tmp")
    temp_max_mb: int = 2048
    result_max_mb: int = 16
    headroom_mb: int = 1024
    grace_s: float = 2.0

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "temp_dir": str(self.temp_dir)})

    @classmethod
    def from_json(cls, text: str) -> QueryLimits:
        fields = json.loads(text)
        return cls(**{**fields, "temp_dir": Path(fields["temp_dir"])})


@dataclass(frozen=True)
class Job:
    sql: str
    row_cap: int
    timeout_s: float


# What a worker answers: ("ok", columns, rows, truncated) or (failure kind, message).
OK, TIMEOUT, MEMORY, TOO_LARGE, FAILED = "ok", "timeout", "memory", "too_large", "failed"


def _connect(path: str, limits: QueryLimits):
    import duckdb

    limits.temp_dir.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(path, read_only=True, config={
        "memory_limit": f"{limits.memory_mb}MB", "threads": limits.threads,
        "temp_directory": str(limits.temp_dir), "max_temp_directory_size": f"{limits.temp_max_mb}MB",
        "autoload_known_extensions": False, "autoinstall_known_extensions": False})
    # the temp directory cannot be set once file access is off, so these two come last
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


def _run(connection, job: Job) -> tuple:
    import duckdb

    cursor = connection.cursor()
    timer = threading.Timer(job.timeout_s, cursor.interrupt)
    timer.start()
    try:
        cursor.execute(job.sql)
        rows = cursor.fetchmany(job.row_cap + 1)
        columns = [(d[0], str(d[1])) for d in cursor.description]
        return OK, columns, rows[:job.row_cap], len(rows) > job.row_cap
    except duckdb.InterruptException:
        return TIMEOUT, ""
    except (duckdb.OutOfMemoryException, MemoryError) as error:
        return MEMORY, str(error).split("\n")[0][:300]
    except duckdb.Error as error:
        return FAILED, str(error).split("\n")[0][:300]
    finally:
        timer.cancel()
        cursor.close()


def serve(connection: Connection, path: str, limits: QueryLimits) -> None:
    """The worker's loop: first (OK,) once the warehouse is open, then a Job in, one pickled answer
    out, until the pipe closes."""
    cap = (limits.memory_mb + limits.headroom_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        database = _connect(path, limits)
    except Exception as error:  # tell the service why, then end
        connection.send_bytes(pickle.dumps((FAILED, str(error).split("\n")[0][:300])))
        return
    connection.send_bytes(pickle.dumps((OK,)))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):  # the service went away
            return
        try:
            answer = pickle.dumps(_run(database, job))
        except MemoryError:
            answer = pickle.dumps((MEMORY, "the result does not fit in memory"))
        if len(answer) > limits.result_max_mb * 1024 * 1024:
            answer = pickle.dumps((TOO_LARGE, ""))
        connection.send_bytes(answer)


def command(handle: int, path: str, limits: QueryLimits) -> list[str]:
    """The command line that starts a query process talking over the socket ``handle``."""
    return [sys.executable, "-m", "service.query_worker", str(handle), path, limits.as_json()]


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])), sys.argv[2], QueryLimits.from_json(sys.argv[3]))
