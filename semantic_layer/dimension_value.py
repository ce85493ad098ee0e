"""The SQL value of a dimension through one of its bindings: a column, an expression, a band of
an expression (age band) or a group of another dimension's values (region of a province)."""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from semantic_layer.expressions import bind_today, literal, parse_snippet
from semantic_layer.model import Binding, Dimension


def binding_value(binding: Binding, today: dt.date) -> exp.Expression:
    """The raw column or expression a binding names."""
    if binding.column:
        return exp.column(binding.column, table=binding.table)
    return bind_today(parse_snippet(binding.expr, binding.table), today)


def dimension_value(dimension: Dimension, binding: Binding, today: dt.date) -> exp.Expression:
    value = binding_value(binding, today)
    if dimension.bands:
        cases = exp.Case()
        for band in dimension.bands:
            if band.below is None:
                cases = cases.else_(literal(band.label))
            else:
                cases = cases.when(exp.LT(this=value.copy(), expression=literal(band.below)), literal(band.label))
        return cases
    if dimension.groups:
        cases = exp.Case()
        for label, members in dimension.groups.items():
            cases = cases.when(exp.In(this=value.copy(), expressions=[literal(m) for m in members]), literal(label))
        return cases
    return value
