"""The ClickHouse adapters: a ClickHouse server through clickhouse-connect, and chdb, the same
engine in-process on a local directory. Both send every query with the same settings: read-only,
its time limit, its row and memory caps, and the three that make ClickHouse answer as DuckDB and
PostgreSQL do (NULL for an outer join's missing side and for an aggregate over no rows)."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlglot
from sqlglot import exp

from service.engines.base import (QueryResult, QueryTooHeavy, WarehouseUnavailable, canonical_type, capped_result,
                                  failed, timed_out)
from service.query_worker import QueryLimits
from service.warehouse_url import WarehouseUrl

DIALECT = "clickhouse"
SCHEMA_SQL = ("SELECT table, name, type FROM system.columns WHERE database = currentDatabase() "
              "ORDER BY table, position")
VERSION_SQL = ("SELECT count(), max(modification_time), sum(rows) FROM system.parts "
               "WHERE database = currentDatabase() AND active")
TIMEOUT_CODE, MEMORY_CODE, READONLY_CODE = 159, 241, 164


def query_settings(timeout_s: float, limits: QueryLimits) -> dict[str, int | float | str]:
    """What every query is sent with."""
    return {"readonly": 1, "max_execution_time": timeout_s, "timeout_overflow_mode": "throw",
            "max_memory_usage": limits.memory_mb * 1024 * 1024, "max_threads": limits.threads,
            "join_use_nulls": 1, "aggregate_functions_null_for_empty": 1, "prefer_column_name_to_alias": 1}


def _error(error: Exception, timeout_s: float, limits: QueryLimits) -> Exception:
    text = str(error)
    code = getattr(error, "code", None)
    if code == TIMEOUT_CODE or "TIMEOUT_EXCEEDED" in text:
        return timed_out(timeout_s)
    if code == MEMORY_CODE or "MEMORY_LIMIT_EXCEEDED" in text:
        return QueryTooHeavy(f"查询需要的内存超过上限（{limits.memory_mb} MB），请缩小范围或减少明细",
                             f"the query needs more than the {limits.memory_mb} MB memory limit; narrow it down")
    return failed(text.removeprefix("Code: ").split("DB::Exception: ")[-1])


class ClickHouseServer:
    """A ClickHouse server (or cluster, through Distributed tables) over HTTP."""

    dialect = DIALECT

    def __init__(self, url: WarehouseUrl, limits: QueryLimits) -> None:
        import clickhouse_connect
        from clickhouse_connect.driver.exceptions import ClickHouseError

        self.limits = limits
        self._errors = ClickHouseError
        options = dict(url.options)
        try:
            self.client = clickhouse_connect.get_client(
                host=url.host, port=url.port or 8123, username=url.user or "default", password=url.password,
                database=url.database, secure=options.get("secure", "") in ("1", "true"),
                autogenerate_session_id=False)
        except ClickHouseError as error:
            raise WarehouseUnavailable(f"无法连接 ClickHouse: {error}", f"cannot connect to ClickHouse: {error}")
        self._lock = threading.Lock()  # one client, one query at a time over it

    def schema_sql(self) -> str:
        return SCHEMA_SQL

    def data_version(self) -> tuple:
        with self._lock:
            return tuple(self.client.query(VERSION_SQL).result_rows[0])

    def execute(self, sql: str, row_cap: int, timeout_s: float) -> tuple[QueryResult, int]:
        try:
            with self._lock:
                # the server stops at one row past the cap, at a block's end (the rest is cut here)
                result = self.client.query(sql, settings={
                    **query_settings(timeout_s, self.limits), "max_result_rows": row_cap + 1,
                    "max_result_bytes": self.limits.result_max_mb * 1024 * 1024, "result_overflow_mode": "break"})
        except self._errors as error:
            raise _error(error, timeout_s, self.limits)
        columns = [(name, canonical_type(kind.name, DIALECT))
                   for name, kind in zip(result.column_names, result.column_types)]
        rows = [tuple(row) for row in result.result_rows]
        return capped_result(columns, rows, row_cap, len(repr(rows)), self.limits.result_max_mb)

    def close(self) -> None:
        self.client.close()


class ChdbSession:
    """chdb on a local directory: one session per process (ClickHouse locks the directory), so
    queries take turns on it; results come back as Parquet, which keeps every type."""

    dialect = DIALECT

    def __init__(self, path: Path, limits: QueryLimits) -> None:
        from chdb import session

        if not Path(path).is_dir():
            raise WarehouseUnavailable(f"chdb 目录不存在: {path}", f"chdb directory not found: {path}")
        self.limits = limits
        self._lock = threading.Lock()
        self._zone = ZoneInfo("UTC")
        try:
            self.session = session.Session(str(path))
        except Exception as error:  # chdb raises plain RuntimeErrors
            raise WarehouseUnavailable(f"无法打开 chdb: {error}", f"cannot open chdb: {error}")
        self._zone = ZoneInfo(self._query("SELECT timezone()", {}, 1)[1][0][0])

    def schema_sql(self) -> str:
        return SCHEMA_SQL

    def data_version(self) -> tuple:
        return self._query(VERSION_SQL, {}, 1)[1][0]

    def _query(self, sql: str, settings: dict, row_cap: int) -> tuple[list[tuple[str, str]], list[tuple], int]:
        """Only a SELECT reaches the session, limited to one row past the cap (a result cut by
        ClickHouse's own overflow 'break' would be a broken Parquet file)."""
        import pyarrow.parquet as parquet

        tree = sqlglot.parse_one(sql, read=DIALECT)
        if not isinstance(tree, exp.Query):
            raise failed("only a SELECT is run")
        limit = tree.args.get("limit")
        bound = limit.expression if isinstance(limit, exp.Limit) else None
        if not (isinstance(bound, exp.Literal) and bound.is_int and int(bound.this) <= row_cap + 1):
            tree = tree.limit(row_cap + 1)
        tree.set("settings", [exp.EQ(this=exp.var(name), expression=exp.convert(value))
                              for name, value in settings.items()])
        with self._lock:
            try:
                payload = self.session.query(tree.sql(DIALECT), "Parquet").bytes()
            except RuntimeError:
                # chdb hands a failed query's partial output to the next query: drain it here
                self.session.query("SELECT 1", "CSV")
                raise
        table = parquet.read_table(io.BytesIO(payload))
        columns = [(field.name, _arrow_type(field.type)) for field in table.schema]
        values = [[_naive(v, self._zone) for v in column.to_pylist()] for column in table.columns]
        return columns, list(zip(*values)) if values else [], len(payload)

    def execute(self, sql: str, row_cap: int, timeout_s: float) -> tuple[QueryResult, int]:
        try:
            columns, rows, size = self._query(sql, query_settings(timeout_s, self.limits), row_cap)
        except RuntimeError as error:
            raise _error(error, timeout_s, self.limits)
        return capped_result(columns, rows, row_cap, size, self.limits.result_max_mb)

    def close(self) -> None:
        with self._lock:
            self.session.close()


def _naive(value, zone):
    """ClickHouse times as the naive wall-clock times DuckDB and PostgreSQL give."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def _arrow_type(kind) -> str:
    """An Arrow type (of chdb's Parquet) in DuckDB's words."""
    import pyarrow as pa

    if pa.types.is_decimal(kind):
        return f"DECIMAL({kind.precision}, {kind.scale})"
    if pa.types.is_timestamp(kind):
        return "TIMESTAMP"
    if pa.types.is_date(kind):
        return "DATE"
    if pa.types.is_floating(kind):
        return "DOUBLE"
    if pa.types.is_integer(kind):
        return "BIGINT"
    if pa.types.is_boolean(kind):
        return "BOOLEAN"
    return "VARCHAR"
