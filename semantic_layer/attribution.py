"""Attribution (归因) in model terms: which dimensions a metric's change is split over, and how a
member's share of the change is computed, for additive metrics (its own change) and for ratios
(rate and mix effects that add up to the change exactly), spec/customer_ops.md 1."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from semantic_layer.expressions import parse_snippet
from semantic_layer.graph import reach_dimension
from semantic_layer.model import Dimension, Metric, SemanticModel
from semantic_layer.query import SemanticQuery
from semantic_layer.resolve import shared_dimensions


def attribution_candidates(model: SemanticModel, query: SemanticQuery) -> tuple[list[str], list[str]]:
    """The dimensions a change is split over (those named, else the model's candidates, each one the
    metric reaches and the query does not hold to one value), and those of them whose members would
    overlap (a buyer on two channels, an order with two categories)."""
    spec = model.analyses.attribution
    metrics = [model.metric_by_id[query.metrics[0]]]
    if query.metrics[0] in spec.denominators:
        metrics.append(model.metric_by_id[spec.denominators[query.metrics[0]]])
    reach = shared_dimensions(model, metrics)
    fixed = {f.dimension for f in query.filters if f.op == "=" and not f.ever}
    named = [d for d in [d.name for d in query.dimensions] or list(spec.dimensions) if d in reach and d not in fixed]
    apart = [d for d in named if all(_splits(model, m, model.dimension_by_id[d]) for m in metrics)]
    return apart, [d for d in named if d not in apart]


def _splits(model: SemanticModel, metric: Metric, dimension: Dimension) -> bool:
    """Whether each thing a metric adds up falls in at most one member of the dimension: rows of its
    fact reached many-to-one (no bridge), counted as rows, or as distinct values of something the
    dimension is an attribute of (buyers split by their segment, not by the channels they bought on)."""
    for column in parse_snippet(metric.expr).find_all(exp.Column):
        fact, measure = model.fact_by_measure[column.name]
        reach = reach_dimension(model, fact, dimension)
        if reach is None or reach.bridge is not None:
            return False
        counted = measure.entity if measure.agg == "count_entities" else measure.expr
        if measure.agg in ("sum", "count") or counted in model.table_by_name[fact.table].primary_key:
            continue
        if not (reach.path and [left for left, _ in reach.path[0].keys] == [counted]):
            return False
    return True


@dataclass(frozen=True)
class Side:
    """A member's figures in one period: the metric's value and, for a ratio, its denominator."""

    value: float
    base: float | None = None  # the denominator of a ratio metric


@dataclass(frozen=True)
class Effect:
    member: str
    previous: float | None
    current: float | None
    change: float  # the member's part of the whole change
    rate: float | None = None  # ratio metrics: the change of the member's own rate, weighted
    mix: float | None = None  # ratio metrics: the change of the member's weight


def additive_effects(previous: dict[str, Side], current: dict[str, Side]) -> list[Effect]:
    """Each member's own change; a member missing from a period counts 0 there.

    >>> [e.change for e in additive_effects({"a": Side(5.0)}, {"a": Side(7.0), "b": Side(1.0)})]
    [2.0, 1.0]
    """
    members = list(dict.fromkeys([*current, *previous]))
    return [Effect(m, previous[m].value if m in previous else None, current[m].value if m in current else None,
                   (current[m].value if m in current else 0.0) - (previous[m].value if m in previous else 0.0))
            for m in members]


def ratio_effects(previous: dict[str, Side], current: dict[str, Side]) -> list[Effect]:
    """Rate effect w_prev * (r_cur - r_prev) and mix effect (w_cur - w_prev) * r_cur per member, with w
    its share of the denominator; a member missing from a period has weight 0 there and the other
    period's rate, so the effects over all members add up to the ratio's change exactly.

    >>> effects = ratio_effects({"a": Side(0.5, 10), "b": Side(0.2, 10)}, {"a": Side(0.6, 30), "b": Side(0.2, 10)})
    >>> [(e.member, round(e.rate, 4), round(e.mix, 4)) for e in effects]
    [('a', 0.05, 0.15), ('b', 0.0, -0.05)]
    >>> round(sum(e.change for e in effects), 10) == round((0.6 * 30 + 0.2 * 10) / 40 - 0.35, 10)
    True
    """
    totals = (sum(s.base for s in previous.values()), sum(s.base for s in current.values()))
    effects = []
    for member in dict.fromkeys([*current, *previous]):
        before, after = previous.get(member), current.get(member)
        rate_before = before.value if before else after.value
        rate_after = after.value if after else before.value
        weight_before = before.base / totals[0] if before and totals[0] else 0.0
        weight_after = after.base / totals[1] if after and totals[1] else 0.0
        rate = weight_before * (rate_after - rate_before)
        mix = (weight_after - weight_before) * rate_after
        effects.append(Effect(member, before.value if before else None, after.value if after else None,
                              rate + mix, rate, mix))
    return effects


def explanatory_power(effects: list[Effect], top: int = 3) -> float:
    """The share of all members' absolute effects that the ``top`` largest explain.

    >>> explanatory_power([Effect("a", 0, 0, -8.0), Effect("b", 0, 0, 1.0), Effect("c", 0, 0, 1.0), Effect("d", 0, 0, 0.0)])
    1.0
    """
    sizes = sorted((abs(e.change) for e in effects), reverse=True)
    return sum(sizes[:top]) / sum(sizes) if sum(sizes) else 0.0
