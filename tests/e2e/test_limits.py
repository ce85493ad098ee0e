"""Limits that keep the service up: per-key rate limit, query slots with a queue, the answer cache
and its invalidation when the warehouse file changes."""

from __future__ import annotations

import os
import threading
import time

import httpx
import pytest

from service.warehouse import Warehouse, WarehouseBusy
from tests.e2e.conftest import start_service

SLOW = "SELECT COUNT(*) FROM events a JOIN events b ON a.customer_id <> b.customer_id"


def test_the_rate_limit_answers_429_with_retry_after(warehouse_path, tmp_path):
    process, base = start_service(warehouse_path, tmp_path / "state.sqlite", CHATBI_RATE_LIMIT_PER_MIN="5")
    try:
        codes = [httpx.get(f"{base}/api/v1/metrics").status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        limited = httpx.get(f"{base}/api/v1/metrics")
        assert limited.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert httpx.get(f"{base}/healthz").status_code == 200  # probes are not limited
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_queries_beyond_the_slots_wait_then_are_refused(warehouse_path):
    warehouse = Warehouse(warehouse_path, max_concurrent=1, queue_timeout_s=0.3, cache_entries=0)
    started = threading.Event()

    def slow() -> None:
        started.set()
        try:
            warehouse.run(SLOW, 1, 2)
        except Exception:
            pass

    worker = threading.Thread(target=slow)
    worker.start()
    started.wait()
    time.sleep(0.1)
    with pytest.raises(WarehouseBusy):
        warehouse.run("SELECT 2", 1, 5)
    worker.join()
    assert warehouse.run("SELECT 3", 1, 5).rows == [(3,)]
    warehouse.close()


def test_answers_are_cached_until_the_warehouse_file_changes(warehouse_path):
    warehouse = Warehouse(warehouse_path)
    sql = "SELECT COUNT(*) FROM orders"
    first = warehouse.run(sql, 10, 5)
    assert warehouse.run(sql, 10, 5) == first
    assert warehouse.stats == {"queries": 1, "cache_hits": 1, "active": 0}
    stat = warehouse_path.stat()
    os.utime(warehouse_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    warehouse.run(sql, 10, 5)
    assert warehouse.stats["queries"] == 2
    warehouse.close()
