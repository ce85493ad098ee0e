"""Why a metric changed (归因): the metric in the period and in the one compared with, split over
each candidate dimension; the dimensions ranked by how much of the change their top 3 members
explain; the top dimension's members with their parts of the change (rate and mix effects for a
ratio), a waterfall from the comparison total to the current one, and one sentence.

A dimension is used only where its members split the metric without overlap (an order with two
categories would count twice): what no member takes (orders without a campaign) is a member of
its own, and a dimension whose members add up to more than the whole is left out and said so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from semantic_layer.attribution import (Effect, Side, additive_effects, attribution_candidates, explanatory_power,
                                        ratio_effects)
from semantic_layer.chart import ChartSpec, ColumnInfo
from semantic_layer.describe import range_text
from semantic_layer.model import SemanticModel
from semantic_layer.narrate import format_difference
from semantic_layer.query import DimensionRef, SemanticQuery, TimeRange
from semantic_layer.resolve import ResolvedQuery
from semantic_layer.timeexpr import DateRange

TOLERANCE = 1e-9  # relative: sums of floats that should be equal
TOP = 3
_COMPARED = {"previous_period": ("环比", "vs the previous period"),
             "same_period_last_year": ("同比", "year over year")}


@dataclass(frozen=True)
class Split:
    dimension: str
    effects: list[Effect]
    power: float
    sql: str  # the two queries that split the change: current period, then the compared one


class _Figures:
    """The metric (and a ratio's denominator) of one query's rows, keyed by member."""

    def __init__(self, rows: list[list], ratio: bool) -> None:
        self.rows, self.ratio = rows, ratio

    def total(self) -> Side:
        row = self.rows[0] if self.rows else [None, None]
        return Side(row[0] or 0.0, (row[1] or 0.0) if self.ratio else None)

    def members(self) -> dict[str, Side]:
        return {str(row[0]): Side(row[1] or 0.0, (row[2] or 0.0) if self.ratio else None) for row in self.rows
                if not self.ratio or row[2]}


def _close(a: float, b: float, scale: float) -> bool:
    """Equal up to the rounding of sums of floats of this size."""
    return abs(a - b) <= TOLERANCE * max(abs(scale), 1.0)


def _with_the_rest(members: dict[str, Side], total: Side, unassigned: str) -> dict[str, Side] | None:
    """Members plus what none of them takes; None when they overlap (add up to more than the whole).

    >>> parts = {"a": Side(123456789.1), "b": Side(0.3)}
    >>> _with_the_rest(parts, Side(123456789.4000001), "-") == parts  # float noise is no member
    True
    >>> round(_with_the_rest(parts, Side(123456790.4), "-")["-"].value, 6)
    1.0
    >>> _with_the_rest(parts, Side(100.0), "-") is None
    True
    """
    if total.base is None:
        scale = abs(total.value) + sum(abs(s.value) for s in members.values())
        rest = total.value - sum(s.value for s in members.values())
        if _close(rest, 0.0, scale):
            return members
        return {**members, unassigned: Side(rest)} if rest > 0 else None
    bases = abs(total.base) + sum(abs(s.base) for s in members.values())
    amounts = abs(total.value * total.base) + sum(abs(s.value * s.base) for s in members.values())
    base_rest = total.base - sum(s.base for s in members.values())
    amount_rest = total.value * total.base - sum(s.value * s.base for s in members.values())
    if _close(base_rest, 0.0, bases):
        return members if _close(amount_rest, 0.0, amounts) else None
    if base_rest < 0 or amount_rest < 0 and not _close(amount_rest, 0.0, amounts):
        return None
    return {**members, unassigned: Side(max(amount_rest, 0.0) / base_rest, base_rest)}


def explain_change(model: SemanticModel, query: SemanticQuery, resolved: ResolvedQuery,
                   run: Callable[[SemanticQuery], object]) -> tuple[list[ColumnInfo], list[list], ChartSpec, dict, str]:
    """Columns, rows and chart of the top dimension's members, the analysis payload, and the SQL;
    ``resolved``: the query resolved (its metric, period and the one compared with)."""
    spec = model.analyses.attribution
    metric = resolved.metrics[0]
    denominator = spec.denominators.get(metric.id)
    periods = (resolved.comparison, resolved.time_range)

    def figures(period: DateRange, dimension: str | None):
        answer = run(SemanticQuery(metrics=[metric.id, *([denominator] if denominator else [])],
                                   dimensions=[DimensionRef(name=dimension)] if dimension else [],
                                   filters=query.filters, time_range=TimeRange(start=period.start, end=period.end)))
        return _Figures(answer.rows, bool(denominator)), answer.sql

    totals = [figures(p, None)[0].total() for p in periods]
    unassigned = spec.unassigned.pick("zh")
    usable, skipped = attribution_candidates(model, query)
    splits = []
    for dimension in usable:
        (before, sql_before), (after, sql_after) = (figures(p, dimension) for p in periods)
        sides = [_with_the_rest(f.members(), total, unassigned) for f, total in zip((before, after), totals)]
        if None in sides:
            skipped.append(dimension)
            continue
        effects = (ratio_effects if denominator else additive_effects)(*sides)
        sql = f"-- {range_text(periods[1], 'en')}\n{sql_after};\n\n-- {range_text(periods[0], 'en')}\n{sql_before}"
        splits.append(Split(dimension, effects, explanatory_power(effects, TOP), sql))
    splits.sort(key=lambda s: -s.power)  # stable: ties keep the model's order
    change = totals[1].value - totals[0].value
    top = splits[0] if splits else None
    payload = {"kind": "attribution", "metric": metric.id,
               "total": {"previous": totals[0].value, "current": totals[1].value, "change": change,
                         "relative": change / totals[0].value if totals[0].value else None},
               "periods": {"current": range_text(periods[1], "zh"), "previous": range_text(periods[0], "zh")},
               "dimension": top.dimension if top else None,
               "dimensions": [{"id": s.dimension, "label": model.dimension_by_id[s.dimension].label.model_dump(),
                               "power": s.power} for s in splits],
               "skipped": [{"id": d, "label": model.dimension_by_id[d].label.model_dump()} for d in skipped]}
    payload["summary"] = {language: _sentence(model, metric, resolved.compare, payload, top, language)
                          for language in ("zh", "en")}
    columns, rows = _member_table(model, metric, top, change, bool(denominator))
    chart = ChartSpec("waterfall", x=top.dimension if top else None, y=("contribution",))
    return columns, rows, chart, payload, top.sql if top else ""


def _member_table(model: SemanticModel, metric, top: Split | None, change: float,
                  ratio: bool) -> tuple[list[ColumnInfo], list[list]]:
    if top is None:
        return [], []
    fmt = metric.format
    columns = [ColumnInfo(top.dimension, model.dimension_by_id[top.dimension].label.model_dump(), "dimension", "text"),
               ColumnInfo(f"{metric.id}__previous", {"zh": f"{metric.name.zh} (对比期)",
                                                     "en": f"{metric.name.en} (compared period)"}, "metric", fmt),
               ColumnInfo(metric.id, metric.name.model_dump(), "metric", fmt),
               ColumnInfo("contribution", {"zh": "贡献", "en": "contribution"}, "metric", fmt),
               ColumnInfo("share_of_change", {"zh": "占变化", "en": "share of change"}, "metric", "percent")]
    if ratio:
        columns += [ColumnInfo("rate_effect", {"zh": "比率效应", "en": "rate effect"}, "metric", fmt),
                    ColumnInfo("mix_effect", {"zh": "结构效应", "en": "mix effect"}, "metric", fmt)]
    rows = [[e.member, e.previous, e.current, e.change, e.change / change if change else None,
             *([e.rate, e.mix] if ratio else [])]
            for e in sorted(top.effects, key=lambda e: -abs(e.change))]
    return columns, rows


def _sentence(model: SemanticModel, metric, compare: str, payload: dict, top: Split | None, language: str) -> str:
    """'成交金额环比下降 ¥32.10万（-8.4%），按渠道看主要来自 抖音（-¥25.30万，占 79%）…'"""
    zh, total = language == "zh", payload["total"]
    name, word = metric.name.pick(language), _COMPARED.get(compare, ("比对比期", "vs the compared period"))[0 if zh else 1]
    if total["change"] == 0:
        return f"{name}{word}没有变化。" if zh else f"{name} did not change {word}."
    amount = format_difference(abs(total["change"]), metric.format, language, signed=False)
    relative = f"{total['relative']:+.1%}" if total["relative"] is not None else ""
    if zh:
        head = f"{name}{word}{'上升' if total['change'] > 0 else '下降'} {amount}" + (f"（{relative}）" if relative else "")
    else:
        head = f"{name} {'rose' if total['change'] > 0 else 'fell'} {amount}" + (f" ({relative})" if relative else "") \
            + f" {word}"
    if top is None:
        return head + ("；没有能拆分这次变化的维度。" if zh else "; no dimension splits this change.")
    label = model.dimension_by_id[top.dimension].label.pick(language)
    leading = [e for e in sorted(top.effects, key=lambda e: -abs(e.change))[:TOP] if e.change]
    if zh:
        parts = "、".join(f"{e.member}（{format_difference(e.change, metric.format, language)}，"
                         f"占 {e.change / total['change']:.0%}）" for e in leading)
        return f"{head}，按{label}看主要来自 {parts}。"
    parts = ", ".join(f"{e.member} ({format_difference(e.change, metric.format, language)}, "
                      f"{e.change / total['change']:.0%} of it)" for e in leading)
    return f"{head}; by {label}, mostly {parts}."

