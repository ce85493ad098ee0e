"""Conversion metrics: of the base events (visits), how many converted (a buy by the same entity within
the window, with the same constant properties). Each conversion is credited to the latest base event
before it, whose time and dimensions it takes; the rate divides the conversions by the base events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from semantic_layer.metricflow.names import Filter, Item, MfQueryInvalid
from semantic_layer.metricflow.relation import Relation, column as _column, combine_values, measure_aggregate
from semantic_layer.metricflow.rows import Retime, Rows, interval, snippet

if TYPE_CHECKING:  # the planner calls this module; only its type is needed here
    from semantic_layer.metricflow.compile import Planner


def _entity(rows: Rows, name: str, planner: Planner) -> exp.Expression:
    return rows.resolve(Item((), name), planner.default_grain)[1]


def conversions(planner: Planner, metric, items: list[Item], filters: tuple[Filter, ...],
                retimes: tuple[Retime, ...], name: str) -> Relation:
    """The metric's relation: conversions over base events (or the conversions alone)."""
    spec = planner.spec
    params = metric.conversion
    base_home, base_measure = spec.measure_home[params.base_measure.name]
    conversion_home, conversion_measure = spec.measure_home[params.conversion_measure.name]
    base_rows = Rows(spec, base_home, base_measure.agg_time_dimension)
    if base_rows.time is None:
        raise MfQueryInvalid(f"{base_home.name} has no time for conversions")
    extra = [exp.alias_(_entity(base_rows, params.entity, planner), "__entity", quoted=True),
             exp.alias_(base_rows.time, "__time", quoted=True)]
    extra += [exp.alias_(_entity(base_rows, base, planner), f"__cp{n}", quoted=True)
              for n, (base, _) in enumerate(params.constant_properties)]
    base, groups = planner.filtered_rows(base_rows, items, filters, extra)
    base = base.select(*(_column(c, "r") for c in (*groups, "__entity", "__time")),
                       *(_column(f"__cp{n}", "r") for n in range(len(params.constant_properties))))

    converted = Rows(spec, conversion_home, conversion_measure.agg_time_dimension)
    selects = [exp.alias_(_entity(converted, params.entity, planner), "__entity", quoted=True),
               exp.alias_(converted.time, "__time", quoted=True),
               exp.alias_(snippet(conversion_measure.expr, "s"), "__value", quoted=True),
               exp.alias_(exp.Window(this=exp.RowNumber()), "__uid", quoted=True)]
    selects += [exp.alias_(_entity(converted, conversion, planner), f"__cp{n}", quoted=True)
                for n, (_, conversion) in enumerate(params.constant_properties)]
    conversion_rows = converted.query.select(*selects)

    on = [exp.EQ(this=_column("__entity", "b"), expression=_column("__entity", "c")),
          exp.LTE(this=_column("__time", "b"), expression=_column("__time", "c"))]
    if params.window:
        on.append(exp.GT(this=_column("__time", "b"), expression=exp.Sub(
            this=_column("__time", "c"), expression=interval(params.window.count, params.window.grain))))
    on += [exp.EQ(this=_column(f"__cp{n}", "b"), expression=_column(f"__cp{n}", "c"))
           for n in range(len(params.constant_properties))]
    latest = exp.Order(expressions=[exp.Ordered(this=_column("__time", "b"), desc=True)])
    credited = exp.select(*(exp.alias_(exp.Window(this=exp.FirstValue(this=_column(g, "b")),
                                                  partition_by=[_column("__uid", "c")], order=latest), g, quoted=True)
                            for g in groups),
                          _column("__uid", "c"), _column("__value", "c")).distinct().from_(base.subquery("b")).join(
        conversion_rows.subquery("c"), on=exp.and_(*on), join_type="inner")
    counted = exp.select(*(_column(g, "r") for g in groups),
                         exp.alias_(measure_aggregate(conversion_measure, _column("__value", "r")), "__conversions",
                                    quoted=True)).from_(credited.subquery("r"))
    if groups:
        counted = counted.group_by(*(_column(g, "r") for g in groups))
    converted_part = Relation(counted, tuple(groups), "__conversions", params.conversion_measure.fill_nulls_with)
    if params.calculation == "conversions":
        return combine_values([converted_part], exp.column("__conversions"), name)
    opportunities = planner.measure(params.base_measure, items, filters, retimes, "__opportunities")
    rate = exp.Div(this=exp.Cast(this=exp.column("__conversions"), to=exp.DataType.build("DOUBLE")),
                   expression=exp.func("nullif", exp.column("__opportunities"), exp.Literal.number(0)))
    return combine_values([opportunities, converted_part], rate, name)
