"""What every engine adapter shares: the result shape, the errors a query can end in, and the
Protocol the warehouse drives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlglot import exp
from sqlglot.errors import ParseError

from semantic_layer.errors import SemanticError


class WarehouseUnavailable(SemanticError):
    code = "warehouse_unavailable"
    status = 503


class QueryTimeout(SemanticError):
    """Interrupted by the engine at the time limit: the question asks too much (narrow it down)."""

    code = "query_timeout"
    status = 400


class QueryAbandoned(QueryTimeout):
    """Still running past the limit and a grace, the query's process killed: the server gave up."""

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
    columns: list[tuple[str, str]]  # (name, type in DuckDB's words, whatever the engine)
    rows: list[tuple]
    truncated: bool


class Engine(Protocol):
    dialect: str

    def execute(self, sql: str, row_cap: int, timeout_s: float) -> tuple[QueryResult, int]:
        """Run one SELECT read-only; at most ``row_cap`` rows (and whether there were more), the
        result's size in bytes; stopped after ``timeout_s``."""

    def data_version(self) -> tuple:
        """Changes whenever the data may have (cached answers of another version are not used)."""

    def schema_sql(self) -> str:
        """SQL listing (table, column, native type) of the tables queries may read."""

    def close(self) -> None: ...


def timed_out(timeout_s: float, abandoned: bool = False) -> QueryTimeout:
    return (QueryAbandoned if abandoned else QueryTimeout)(
        f"查询超过 {timeout_s:g} 秒被中止，请缩小范围", f"the query ran past {timeout_s:g} s and was stopped; narrow it down")


def failed(message: str) -> QueryFailed:
    message = message.strip().split("\n")[0][:300]
    return QueryFailed(f"查询执行失败: {message}", f"the query failed: {message}")


def capped_result(columns: list[tuple[str, str]], rows: list[tuple], row_cap: int, size: int,
                  result_max_mb: int) -> tuple[QueryResult, int]:
    """At most ``row_cap`` of ``rows`` (fetched with one more, to tell a cut result) and the
    result's size; a result over ``result_max_mb`` is refused."""
    if size > result_max_mb * 1024 * 1024:
        raise QueryTooHeavy(f"结果太大（超过 {result_max_mb} MB），请缩小范围或减少明细",
                            f"the result is larger than {result_max_mb} MB; narrow the query down")
    return QueryResult(columns, rows[:row_cap], len(rows) > row_cap), size


def canonical_type(native: str, dialect: str) -> str:
    """An engine's type name in DuckDB's words, the one vocabulary the service reads types in.

    >>> canonical_type("Nullable(Decimal(38, 2))", "clickhouse"), canonical_type("int8", "postgres")
    ('DECIMAL(38, 2)', 'BIGINT')
    """
    if dialect == "duckdb":
        return native
    try:
        return exp.DataType.build(native, dialect=dialect).sql("duckdb")
    except (ParseError, ValueError):
        return native.upper()
