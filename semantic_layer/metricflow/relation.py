"""What each metric is computed into: a subquery of the group-by columns and one value column, and how
several of them meet (full outer joins on the group-by columns, as MetricFlow does)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from semantic_layer.metricflow.names import MfQueryInvalid
from semantic_layer.metricflow.spec import MfMeasure


@dataclass(frozen=True)
class Relation:
    """A subquery: the group-by columns (in the query's order), then one value column."""

    query: exp.Select
    groups: tuple[str, ...]
    value: str
    fill: int | None = None


def measure_aggregate(measure: MfMeasure, value: exp.Expression) -> exp.Expression:
    if measure.agg == "sum_boolean":
        return exp.Sum(this=exp.Cast(this=value, to=exp.DataType.build("INT")))
    if measure.agg == "percentile" or measure.agg == "median":
        share = exp.Literal.number(measure.percentile if measure.agg == "percentile" else 0.5)
        if measure.approximate and measure.discrete:
            raise MfQueryInvalid("DuckDB has no approximate discrete percentile")
        name = "approx_quantile" if measure.approximate else ("quantile_disc" if measure.discrete
                                                             else "quantile_cont")
        return exp.Anonymous(this=name, expressions=[value, share])
    if measure.agg == "count_distinct":
        return exp.Count(this=exp.Distinct(expressions=[value]))
    return {"sum": exp.Sum, "count": exp.Count, "min": exp.Min, "max": exp.Max, "average": exp.Avg}[measure.agg](
        this=value)


def column(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table, quoted=True)


def combine_values(parts: list[Relation], value: exp.Expression, name: str) -> Relation:
    """The parts side by side and ``value`` computed from their value columns."""
    joined, groups = join_relations(parts)
    names = {p.value for p in parts}
    value = value.transform(lambda node: _input_value(parts, node.name) if isinstance(
        node, exp.Column) and node.name in names and not node.table else node)
    query = exp.select(*(column(g, "__combined") for g in groups),
                       exp.alias_(value, name, quoted=True)).from_(joined.subquery("__combined"))
    return Relation(query, groups, name)


def _input_value(parts: list[Relation], name: str) -> exp.Expression:
    part = next(p for p in parts if p.value == name)
    value = column(part.value, "__combined")
    return value if part.fill is None else exp.func("coalesce", value, exp.Literal.number(part.fill))


def join_relations(parts: list[Relation]) -> tuple[exp.Select, tuple[str, ...]]:
    """The parts side by side: full outer joins on the group-by columns (cross joins without any)."""
    groups = parts[0].groups
    query = exp.select().from_(parts[0].query.subquery("m0"))
    for number, part in enumerate(parts[1:], start=1):
        alias = f"m{number}"
        if groups:
            on = exp.and_(*(exp.NullSafeEQ(this=_key(groups, position, number), expression=column(g, alias))
                            for position, g in enumerate(part.groups)))
            query = query.join(part.query.subquery(alias), on=on, join_type="full outer")
        else:
            query = query.join(part.query.subquery(alias), join_type="cross")
    selects = [exp.alias_(_key(groups, position, len(parts)), g, quoted=True) for position, g in enumerate(groups)]
    selects += [exp.alias_(column(p.value, f"m{n}"), p.value, quoted=True) for n, p in enumerate(parts)]
    return query.select(*selects), groups


def _key(groups: tuple[str, ...], position: int, count: int) -> exp.Expression:
    """A group-by column as the first non-null of the first ``count`` parts (full outer joins)."""
    columns = [column(groups[position], f"m{n}") for n in range(count)]
    return columns[0] if count == 1 else exp.func("coalesce", *columns)
