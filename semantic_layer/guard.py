"""The SQL guard: any SQL text -> a proven read-only SELECT over the model's tables and columns,
or SqlRefused. A tuple of small rules over the sqlglot tree; the read-only DuckDB connection
behind it is the second line of defence, not the first."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from semantic_layer.errors import SqlRefused, SqlUnparsable

DIALECT = "duckdb"
MAX_SQL_LENGTH = 20_000
MAX_TABLE_REFERENCES = 64  # a human or model query names a handful; hundreds only burn planning time

# Statements and clauses that do anything but read.
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name) for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "TruncateTable", "Command",
        "Pragma", "Set", "Copy", "Export", "Use", "Attach", "Detach", "Install", "Load", "Transaction",
        "Commit", "Rollback", "Grant", "Revoke", "Describe", "Summarize", "Into", "LoadData",
        "Analyze", "Cache", "Uncache", "Refresh", "Kill", "Show", "Execute",
    ) if hasattr(exp, name))

# Functions sqlglot knows, judged by their class: the session and system (CURRENT_USER, VERSION(),
# CURRENT_SCHEMA, ...; only the clock is allowed), files and row generators.
_CLOCK = (exp.CurrentDate, exp.CurrentTime, exp.CurrentTimestamp, exp.CurrentDatetime)
_FORBIDDEN_FUNCTION_CLASSES: tuple[type[exp.Func], ...] = tuple(
    cls for name, cls in vars(exp).items()
    if isinstance(cls, type) and issubclass(cls, exp.Func) and name.startswith("Current")
    and not issubclass(cls, _CLOCK)) + tuple(
    getattr(exp, name) for name in (
        "ReadCSV", "ReadParquet", "GenerateSeries", "GenerateDateArray", "GenerateTimestampArray", "GenerateTable",
        "Unnest", "Explode", "SessionUser", "Host",
    ) if hasattr(exp, name))

# Functions sqlglot does not know (Anonymous), judged by name: files, URLs, settings, the catalog.
_FORBIDDEN_FUNCTION_PREFIXES = ("read_", "parquet_", "duckdb_", "pragma_", "sqlite_", "postgres_",
                                "mysql_", "iceberg_", "delta_", "json_execute", "pg_", "current_setting",
                                "getenv", "glob", "query", "sniff_", "load_", "install_", "icu_",
                                "httpfs", "s3", "which_secret", "enable_", "disable_", "set_",
                                "getvariable", "txid_", "version", "database_", "checkpoint",
                                "force_checkpoint", "system", "table_info", "storage_info",
                                "read", "write", "copy", "export", "import", "attach", "detach",
                                "range", "generate_series", "unnest", "repeat_row", "sql_auto_complete",
                                "ducklake", "arrow_scan", "seq_scan", "test_", "summary", "histogram_values",
                                "file", "from_json_", "current_database", "current_catalog", "current_schema",
                                "current_user", "session_user", "user", "nextval", "currval", "setseed", "current_query",
                                "current_connection", "current_transaction", "get_block_size", "get_current",
                                "txid", "in_search_path", "has_", "sleep")
_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "system", "temp", "sqlite_master"}


def _refuse(zh: str, en: str) -> SqlRefused:
    return SqlRefused(f"SQL 被拒绝: {zh}", f"SQL refused: {en}")


def _forbidden_function(node: exp.Func) -> bool:
    if isinstance(node, _FORBIDDEN_FUNCTION_CLASSES):
        return True
    names = [str(node.name)] if isinstance(node, exp.Anonymous) else [type(node).__name__, *node.sql_names()]
    return any(name.lower().startswith(_FORBIDDEN_FUNCTION_PREFIXES) for name in names)


def _function_name(node: exp.Func) -> str:
    return str(node.name).lower() if isinstance(node, exp.Anonymous) else node.sql_name().lower()


def one_read_only_query(tree: exp.Expression, allowed: dict[str, dict[str, str]]) -> Iterator[SqlRefused]:
    if not isinstance(tree, exp.Query):
        yield _refuse("只允许一条只读的 SELECT 查询", "only one read-only SELECT is allowed")


def no_writes(tree: exp.Expression, allowed) -> Iterator[SqlRefused]:
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            yield _refuse(f"不允许 {node.key.upper()} 语句", f"{node.key.upper()} is not allowed")
            return
        if isinstance(node, exp.Lock):
            yield _refuse("不允许加锁", "locking clauses are not allowed")
            return


def no_outside_functions(tree: exp.Expression, allowed) -> Iterator[SqlRefused]:
    for node in tree.find_all(exp.Func):
        if _forbidden_function(node):
            name = _function_name(node)
            yield _refuse(f"不允许函数 {name}()", f"function {name}() is not allowed")
            return
    for node in tree.find_all(exp.Table):
        if not isinstance(node.this, exp.Identifier):
            yield _refuse("不允许表函数或文件/URL 作为数据源", "table functions, files and URLs are not allowed as sources")
            return


def only_model_tables(tree: exp.Expression, allowed: dict[str, dict[str, str]]) -> Iterator[SqlRefused]:
    if sum(1 for _ in tree.find_all(exp.Table)) > MAX_TABLE_REFERENCES:
        yield _refuse(f"SQL 引用的表过多（上限 {MAX_TABLE_REFERENCES} 处）",
                      f"the SQL names tables more than {MAX_TABLE_REFERENCES} times")
        return
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        schema = (table.db or "").lower()
        catalog = (table.catalog or "").lower()
        name = table.name.lower()
        if schema in _SYSTEM_SCHEMAS or catalog or (schema and schema != "main"):
            yield _refuse(f"不允许访问 {table.sql(DIALECT)}", f"access to {table.sql(DIALECT)} is not allowed")
            return
        if name not in allowed and not (name in cte_names and not schema):
            yield _refuse(f"表 {table.name} 不在语义模型中", f"table {table.name} is not in the semantic model")
            return


def no_shadowing_ctes(tree: exp.Expression, allowed: dict[str, dict[str, str]]) -> Iterator[SqlRefused]:
    """A CTE named like a table, or like the views row policies add, would make them ambiguous."""
    for cte in tree.find_all(exp.CTE):
        name = cte.alias_or_name.lower()
        if name in allowed or name.startswith("__chatbi"):
            yield _refuse(f"CTE 名称 {cte.alias_or_name} 与表同名", f"CTE {cte.alias_or_name} shadows a table")
            return


def no_pivots(tree: exp.Expression, allowed: dict[str, dict[str, str]]) -> Iterator[SqlRefused]:
    """PIVOT/UNPIVOT change which columns exist in ways the column check cannot follow."""
    if any(True for _ in tree.find_all(exp.Pivot)):
        yield _refuse("不支持 PIVOT/UNPIVOT", "PIVOT and UNPIVOT are not supported")


def known_columns(tree: exp.Expression, allowed: dict[str, dict[str, str]]) -> Iterator[SqlRefused]:
    """Every column must resolve to a column of an allowed table (qualify proves it)."""
    try:
        qualify(tree.copy(), schema={"main": allowed}, db="main", dialect=DIALECT,
                validate_qualify_columns=True, identify=False)
    except (OptimizeError, SqlglotError) as error:
        yield _refuse(f"无法确认列属于模型中的表 ({error})", f"columns must belong to the model's tables ({error})")


RULES: tuple[Callable[[exp.Expression, dict], Iterator[SqlRefused]], ...] = (
    one_read_only_query, no_writes, no_outside_functions, only_model_tables, no_shadowing_ctes, no_pivots,
    known_columns,
)


def guard_sql(sql: str, allowed: dict[str, dict[str, str]]) -> exp.Query:
    """Parse ``sql`` and prove it one read-only SELECT over ``allowed`` ({table: {column: type}}).

    >>> guard_sql("SELECT 1 FROM t", {"t": {"a": "INT"}}).sql()
    'SELECT 1 FROM t'
    """
    if len(sql) > MAX_SQL_LENGTH:
        raise _refuse(f"SQL 过长（上限 {MAX_SQL_LENGTH} 字符）", f"SQL longer than {MAX_SQL_LENGTH} characters")
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except (ParseError, SqlglotError) as error:
        raise SqlUnparsable(f"SQL 语法错误: {error}", f"SQL syntax error: {error}")
    except RecursionError:
        raise _refuse("SQL 嵌套过深", "SQL nested too deeply")
    if len(statements) != 1:
        raise _refuse("只允许一条语句", "exactly one statement is allowed")
    tree = statements[0]
    allowed = {name.lower(): columns for name, columns in allowed.items()}
    for rule in RULES:
        for refusal in rule(tree, allowed):
            raise refusal
    return tree
