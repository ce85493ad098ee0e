"""Rendering one compiled tree in an engine's dialect. Model snippets, derived tables and the
compiler all speak DuckDB's dialect; sqlglot transpiles, and where an engine still means something
else by the same words, a small transform per dialect rewrites the tree before it is rendered."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

SOURCE_DIALECT = "duckdb"


def _first_by_order(node: exp.Expression) -> exp.Expression:
    """PostgreSQL has no ARG_MIN/ARG_MAX: the first value of an array ordered by the key (rows
    with no key left out, as DuckDB does)."""
    if not isinstance(node, (exp.ArgMin, exp.ArgMax)):
        return node
    key = exp.Ordered(this=node.expression.copy(), desc=isinstance(node, exp.ArgMax))
    collected = exp.Filter(this=exp.ArrayAgg(this=exp.Order(this=node.this.copy(), expressions=[key])),
                           expression=exp.Where(this=exp.Not(this=exp.Is(this=node.expression.copy(),
                                                                        expression=exp.Null()))))
    # sqlglot counts from 0 and adds PostgreSQL's offset of 1
    return exp.Bracket(this=exp.Paren(this=collected), expressions=[exp.Literal.number(0)])


def _whole_years(node: exp.Expression) -> exp.Expression:
    """EXTRACT(YEAR FROM AGE(later, earlier)) -> ClickHouse's age('year', earlier, later): whole
    years between two dates (ClickHouse's AGE takes a unit first)."""
    if not (isinstance(node, exp.Extract) and node.name.upper() == "YEAR"):
        return node
    age = node.expression
    if not (isinstance(age, exp.Anonymous) and age.name.upper() == "AGE" and len(age.expressions) == 2):
        return node
    later, earlier = age.expressions
    return exp.Anonymous(this="age", expressions=[exp.Literal.string("year"), earlier.copy(), later.copy()])


def _float_division(node: exp.Expression) -> exp.Expression:
    """DuckDB's ``/`` always divides as floating point; ClickHouse keeps a decimal dividend's scale
    (SUM(money) / n -> 2 decimals), so the dividend becomes a DOUBLE first."""
    if not isinstance(node, exp.Div) or node.args.get("typed"):
        return node
    dividend = node.this
    if isinstance(dividend, exp.Cast) and dividend.to.is_type(exp.DataType.Type.DOUBLE):
        return node
    return exp.Div(this=exp.cast(dividend.copy(), exp.DataType.Type.DOUBLE), expression=node.expression.copy())


TRANSFORMS: dict[str, tuple[Callable[[exp.Expression], exp.Expression], ...]] = {
    "duckdb": (),
    "postgres": (_first_by_order,),
    "clickhouse": (_whole_years, _float_division),
}


def render_sql(tree: exp.Expression, dialect: str, pretty: bool = False) -> str:
    """``tree`` (DuckDB's meaning) as SQL for ``dialect``.

    >>> import sqlglot
    >>> render_sql(sqlglot.parse_one("SELECT ARG_MIN(a, b) FROM t"), "postgres")
    'SELECT (ARRAY_AGG(a ORDER BY b ASC) FILTER(WHERE NOT b IS NULL))[1] FROM t'
    >>> render_sql(sqlglot.parse_one("SELECT SUM(m) / COUNT(*) FROM t"), "clickhouse")
    'SELECT CAST(SUM(m) AS Nullable(Float64)) / COUNT(*) FROM t'
    """
    for transform in TRANSFORMS[dialect]:
        tree = tree.transform(transform)
    return tree.sql(dialect, pretty=pretty)
