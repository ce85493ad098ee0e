"""A warehouse's profile for ``chatbi init``: its tables and column types (the schema the service
reads), declared primary and foreign keys where the engine has them (information_schema), row and
distinct counts, and the values of each few-valued text column, read with the warehouse's own
read-only queries."""

from __future__ import annotations

from collections import defaultdict

from sqlglot import exp

from semantic_layer.draft import MAX_DIMENSION_VALUES
from semantic_layer.warehouse_profile import ColumnProfile, ForeignKey, TableProfile, column_kind
from service.warehouse import QueryFailed, Warehouse

TIMEOUT_S = 300
# both in the standard information_schema, read the same by DuckDB and PostgreSQL; an engine
# without them (ClickHouse) declares no keys
PRIMARY_KEYS_SQL = """
SELECT kcu.table_name, kcu.column_name
FROM information_schema.table_constraints AS tc
JOIN information_schema.key_column_usage AS kcu
  ON kcu.constraint_name = tc.constraint_name AND kcu.constraint_schema = tc.constraint_schema
WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
ORDER BY kcu.table_name, kcu.ordinal_position"""
FOREIGN_KEYS_SQL = """
SELECT kcu.constraint_name, kcu.table_name, kcu.column_name, ref.table_name, ref.column_name
FROM information_schema.referential_constraints AS rc
JOIN information_schema.key_column_usage AS kcu
  ON kcu.constraint_name = rc.constraint_name AND kcu.constraint_schema = rc.constraint_schema
JOIN information_schema.key_column_usage AS ref
  ON ref.constraint_name = rc.unique_constraint_name AND ref.constraint_schema = rc.unique_constraint_schema
  AND ref.ordinal_position = kcu.position_in_unique_constraint
WHERE kcu.table_schema = current_schema()
ORDER BY kcu.constraint_name, kcu.ordinal_position"""


def _declared(warehouse: Warehouse, sql: str) -> list[tuple]:
    try:
        return warehouse.run(sql, 100_000, TIMEOUT_S).rows
    except QueryFailed:
        return []


def _counts(warehouse: Warehouse, table: str, columns: list[str]) -> tuple[int, dict[str, tuple[int, int]]]:
    """The table's rows and, per column, (non-null values, distinct values), in one query."""
    select = exp.select(exp.Count(this=exp.Star()).as_("row_count"))
    for i, name in enumerate(columns):
        column = exp.column(name, quoted=True)
        select = select.select(exp.Count(this=column.copy()).as_(f"n{i}"),
                               exp.Count(this=exp.Distinct(expressions=[column])).as_(f"d{i}"))
    row = warehouse.run(select.from_(exp.to_table(table, quoted=True)), 1, TIMEOUT_S).rows[0]
    return int(row[0]), {name: (int(row[1 + 2 * i]), int(row[2 + 2 * i])) for i, name in enumerate(columns)}


def _values(warehouse: Warehouse, table: str, column: str) -> tuple[str, ...]:
    name = exp.column(column, quoted=True)
    select = (exp.select(name).distinct().from_(exp.to_table(table, quoted=True))
              .where(exp.Not(this=exp.Is(this=name.copy(), expression=exp.Null()))).order_by(name.copy()))
    return tuple(str(v) for (v,) in warehouse.run(select, MAX_DIMENSION_VALUES, TIMEOUT_S).rows)


def profile_warehouse(warehouse: Warehouse) -> list[TableProfile]:
    """Every table of the warehouse's default schema, profiled."""
    primary: dict[str, list[str]] = defaultdict(list)
    for table, column in _declared(warehouse, PRIMARY_KEYS_SQL):
        primary[table].append(column)
    foreign: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for name, table, column, target, target_column in _declared(warehouse, FOREIGN_KEYS_SQL):
        foreign[(name, table, target)].append((column, target_column))
    profiles = []
    for table, types in sorted(warehouse.schema().items()):
        rows, counts = _counts(warehouse, table, list(types))
        columns = []
        for name, kind in types.items():
            non_null, distinct = counts[name]
            few = column_kind(kind) == "text" and 0 < distinct <= MAX_DIMENSION_VALUES
            columns.append(ColumnProfile(name, kind, non_null, distinct,
                                         _values(warehouse, table, name) if few else ()))
        keys = tuple(ForeignKey(tuple(c for c, _ in pairs), target, tuple(t for _, t in pairs))
                     for (_, source, target), pairs in foreign.items() if source == table)
        profiles.append(TableProfile(table, rows, tuple(columns), tuple(primary.get(table, ())), keys))
    return profiles
