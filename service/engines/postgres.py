"""The PostgreSQL adapter: psycopg 3 with a small pool; every query runs in a read-only
transaction with its own statement_timeout, through a server-side cursor so that only the rows
under the cap ever leave the server."""

from __future__ import annotations

from service.engines.base import (QueryResult, QueryTooHeavy, WarehouseBusy, WarehouseUnavailable, canonical_type,
                                  capped_result, failed, timed_out)
from service.query_worker import QueryLimits
from service.warehouse_url import WarehouseUrl

DIALECT = "postgres"
SCHEMA_SQL = ("SELECT table_name, column_name, data_type FROM information_schema.columns "
              "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
# the WAL position moves with every write anywhere on the server: a cheap 'the data may have changed'
VERSION_SQL = ("SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
               "ELSE pg_current_wal_lsn() END::text")


def conninfo(url: WarehouseUrl) -> dict[str, str]:
    """psycopg's connection keywords from the URL (its query options, e.g. sslmode, passed on)."""
    keywords = {"dbname": url.database, "application_name": "chatbi"}
    for name, value in (("host", url.host), ("port", str(url.port or "")), ("user", url.user),
                        ("password", url.password)):
        if value:
            keywords[name] = value
    return {**keywords, **dict(url.options)}


class PostgresPool:
    dialect = DIALECT

    def __init__(self, url: WarehouseUrl, limits: QueryLimits, size: int = 4) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool, PoolTimeout

        self.limits = limits
        self._psycopg = psycopg
        self._pool_timeout = PoolTimeout

        def read_only(connection) -> None:
            connection.read_only = True  # every transaction BEGINs READ ONLY

        self.pool = ConnectionPool(kwargs=conninfo(url), min_size=1, max_size=size, configure=read_only,
                                   open=False, name="chatbi")
        try:
            self.pool.open(wait=True, timeout=15)
        except PoolTimeout as error:
            self.pool.close()
            raise WarehouseUnavailable(f"无法连接 PostgreSQL: {error}", f"cannot connect to PostgreSQL: {error}")

    def schema_sql(self) -> str:
        return SCHEMA_SQL

    def data_version(self) -> tuple:
        return (self.execute(VERSION_SQL, 1, 5)[0].rows[0][0],)

    def execute(self, sql: str, row_cap: int, timeout_s: float) -> tuple[QueryResult, int]:
        psycopg = self._psycopg
        try:
            with self.pool.connection(timeout=timeout_s) as connection:
                try:
                    connection.execute(psycopg.sql.SQL("SET LOCAL statement_timeout = {}").format(
                        psycopg.sql.Literal(max(1, int(timeout_s * 1000)))))
                    with connection.cursor(name="chatbi_query") as cursor:
                        cursor.execute(sql)
                        rows = cursor.fetchmany(row_cap + 1)
                        columns = [(d.name, self._type_name(d.type_code)) for d in cursor.description]
                finally:
                    connection.rollback()
        except self._pool_timeout:
            raise WarehouseBusy("PostgreSQL 连接繁忙，请稍后再试", "no PostgreSQL connection free; try again shortly")
        except psycopg.errors.QueryCanceled:
            raise timed_out(timeout_s)
        except (psycopg.errors.OutOfMemory, psycopg.errors.DiskFull, psycopg.errors.ProgramLimitExceeded) as error:
            raise QueryTooHeavy(f"查询超出数据库的资源上限: {error}", f"the query exceeds the database's limits: {error}")
        except psycopg.OperationalError as error:
            raise WarehouseUnavailable(f"PostgreSQL 不可用: {error}", f"PostgreSQL is unavailable: {error}")
        except psycopg.Error as error:
            raise failed(str(error))
        return capped_result(columns, rows, row_cap, len(repr(rows)), self.limits.result_max_mb)

    def _type_name(self, oid: int) -> str:
        info = self._psycopg.adapters.types.get(oid)
        return canonical_type(info.name, DIALECT) if info else "VARCHAR"

    def close(self) -> None:
        self.pool.close()
