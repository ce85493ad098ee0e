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


def _hashable_full_joins(node: exp.Expression) -> exp.Expression:
    """PostgreSQL runs a FULL JOIN only on plain equalities: ``a IS NOT DISTINCT FROM b`` becomes
    ``(a IS NULL) = (b IS NULL) AND COALESCE(a::text, '') = COALESCE(b::text, '')`` (the same
    match, NULL with NULL included; both sides are the same dimension, so of one type)."""
    if not (isinstance(node, exp.Join) and node.side == "FULL" and node.args.get("on")):
        return node

    def plain(condition: exp.Expression) -> exp.Expression:
        if not isinstance(condition, exp.NullSafeEQ):
            return condition
        left, right = condition.this, condition.expression
        null = [exp.Paren(this=exp.Is(this=side.copy(), expression=exp.Null())) for side in (left, right)]
        text = [exp.Coalesce(this=exp.cast(side.copy(), exp.DataType.Type.TEXT), expressions=[exp.Literal.string("")])
                for side in (left, right)]
        return exp.and_(exp.EQ(this=null[0], expression=null[1]), exp.EQ(this=text[0], expression=text[1]))
    node.set("on", node.args["on"].transform(plain))
    return node


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


def _bare_column_names(node: exp.Expression) -> exp.Expression:
    """A SELECT's ``t.col`` is named ``col`` elsewhere; ClickHouse names it ``t.col``, so an outer
    ``f.col`` would not find it: such columns get their bare name as an alias."""
    if not isinstance(node, exp.Select):
        return node
    named = [e.as_(e.name) if isinstance(e, exp.Column) and e.table and not isinstance(e.this, exp.Star) else e
             for e in node.expressions]
    return node.select(*named, append=False, copy=False) if named != node.expressions else node


TRANSFORMS: dict[str, tuple[Callable[[exp.Expression], exp.Expression], ...]] = {
    "duckdb": (),
    "postgres": (_first_by_order, _hashable_full_joins),
    "clickhouse": (_whole_years, _float_division, _bare_column_names),
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
