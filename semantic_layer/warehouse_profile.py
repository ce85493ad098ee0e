"""What a warehouse holds, as far as drafting a model needs: each table's columns with their types
(in DuckDB's words), row and distinct counts, the values of its few-valued columns, and the keys the
warehouse declares. Filled by the service (``service/profile_warehouse.py``), read by ``draft.py``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from sqlglot import exp
from sqlglot.errors import ParseError

ColumnKind = Literal["number", "text", "date", "timestamp", "other"]


def column_kind(duck_type: str) -> ColumnKind:
    """A DuckDB type name as what a model can do with the column.

    >>> [column_kind(t) for t in ("DECIMAL(12,2)", "VARCHAR", "DATE", "TIMESTAMP WITH TIME ZONE", "BOOLEAN")]
    ['number', 'text', 'date', 'timestamp', 'other']
    """
    try:
        kind = exp.DataType.build(duck_type, dialect="duckdb")
    except (ParseError, ValueError):
        return "other"
    if kind.is_type(*exp.DataType.NUMERIC_TYPES):
        return "number"
    if kind.is_type(*exp.DataType.TEXT_TYPES):
        return "text"
    if kind.is_type(exp.DataType.Type.DATE):
        return "date"
    if kind.is_type(*exp.DataType.TEMPORAL_TYPES):
        return "timestamp"
    return "other"


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str
    non_null: int
    distinct: int
    values: tuple[str, ...] = ()  # every value of a few-valued text column, else none

    @cached_property
    def kind(self) -> ColumnKind:
        return column_kind(self.type)


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableProfile:
    name: str
    rows: int
    columns: tuple[ColumnProfile, ...]
    primary_key: tuple[str, ...] = ()  # as declared by the warehouse
    foreign_keys: tuple[ForeignKey, ...] = ()

    def unique(self, column: ColumnProfile) -> bool:
        """Every row has its own non-null value."""
        return self.rows > 0 and column.non_null == column.distinct == self.rows
