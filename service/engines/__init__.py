"""Engine adapters: each connects to one kind of warehouse, sets its read-only mode and resource
limits, runs one rendered SELECT with a time limit and a row cap, and cancels what overstays."""

from __future__ import annotations

from service.engines.base import Engine
from service.query_worker import QueryLimits
from service.warehouse_url import WarehouseUrl


def open_engine(url: WarehouseUrl, limits: QueryLimits) -> Engine:
    """The adapter for ``url``'s engine, connected (or failing with WarehouseUnavailable)."""
    if url.engine == "duckdb":
        from service.engines.duckdb_processes import DuckDbProcesses
        return DuckDbProcesses(url.path, limits)
    if url.engine == "postgresql":
        from service.engines.postgres import PostgresPool
        return PostgresPool(url, limits)
    if url.engine == "clickhouse":
        from service.engines.clickhouse import ClickHouseServer
        return ClickHouseServer(url, limits)
    if url.engine == "chdb":
        from service.engines.clickhouse import ChdbSession
        return ChdbSession(url.path, limits)
    raise AssertionError(url.engine)
