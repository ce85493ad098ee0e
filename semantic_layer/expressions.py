"""Parsing the SQL snippets a model holds (measure expressions, filters, bindings) into sqlglot
trees whose columns are qualified, and binding the ``:today`` reference date into them."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

DIALECT = "duckdb"


class ExpressionInvalid(ValueError):
    pass


def parse_snippet(text: str, table: str | None = None) -> exp.Expression:
    """Parse a model expression; unqualified columns are qualified with ``table``. Model snippets
    repeat in every query, so parses are cached and each caller gets its own copy.

    >>> parse_snippet("quantity * products.unit_cost", "order_items").sql()
    'order_items.quantity * products.unit_cost'
    """
    return _parsed_snippet(text, table).copy()


@lru_cache(maxsize=2048)
def _parsed_snippet(text: str, table: str | None) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(text, read=DIALECT)
    except ParseError as error:
        raise ExpressionInvalid(f"not a valid SQL expression: {text!r} ({error.errors[0]['description']})")
    if table is not None:
        for column in tree.find_all(exp.Column):
            if not column.table:
                column.set("table", exp.to_identifier(table))
    return tree


def parse_derived_table(text: str) -> exp.Query:
    try:
        tree = sqlglot.parse_one(text, read=DIALECT)
    except ParseError as error:
        raise ExpressionInvalid(f"not a valid SELECT ({error.errors[0]['description']})")
    if not isinstance(tree, exp.Query):
        raise ExpressionInvalid("a derived table must be one SELECT")
    return tree


def literal(value) -> exp.Expression:
    """A SQL literal for a filter value.

    >>> literal("天猫").sql(), literal(3).sql(), literal(True).sql()
    ("'天猫'", '3', 'TRUE')
    """
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def date_literal(day: dt.date) -> exp.Expression:
    """A typed DATE literal.

    >>> date_literal(dt.date(2025, 7, 1)).sql("duckdb")
    "CAST('2025-07-01' AS DATE)"
    """
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.Type.DATE)


def timestamp_literal(day: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(f"{day.isoformat()} 00:00:00"), exp.DataType.Type.TIMESTAMP)


def bind_today(tree: exp.Expression, today: dt.date) -> exp.Expression:
    """Replace every ``:today`` placeholder with the reference date."""
    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name == "today":
            return date_literal(today)
        return node
    return tree.copy().transform(replace)
