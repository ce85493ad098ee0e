"""The state database is opened by every worker process at once on a fresh machine (`make serve`
starts one per core, each with several stores): each must get its connections in WAL mode, none an
error. Switching a fresh file to WAL from several processes at once made SQLite refuse one of them
('database is locked') now and then, and that worker's start-up failed."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from service.answer_log import connect_state


def _open_stores(path: str, start, results) -> None:
    start.wait()  # all together, as workers start
    try:
        for store in range(5):
            connection = connect_state(Path(path))
            connection.executescript(f"CREATE TABLE IF NOT EXISTS store{store} (n INTEGER);"
                                     f"INSERT INTO store{store} VALUES (1);")
        results.put(connection.execute("PRAGMA journal_mode").fetchone()[0])
    except Exception as error:  # reported to the test, which names it
        results.put(f"{type(error).__name__}: {error}")


def test_many_processes_open_a_fresh_state_database_at_once(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(30):
        start, results = context.Barrier(8), context.Queue()
        workers = [context.Process(target=_open_stores, args=(str(tmp_path / f"s{attempt}.sqlite"), start, results))
                   for _ in range(8)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == ["wal"] * len(workers), f"attempt {attempt}: {outcomes}"
