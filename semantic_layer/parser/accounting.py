"""What a question names that any plan for it must keep: the values and groups it filters, splits or
compares by, its periods, the unit words that say what it counts and the metrics it names. The
parser finds them; a plan made elsewhere (the LLM front end) is accepted only if it keeps every one
of them (``left_out``), so a dropped filter or a swapped metric never becomes an answer."""

from __future__ import annotations

from dataclasses import dataclass

from semantic_layer.model import SemanticModel
from semantic_layer.parser.metric_choice import counted_units
from semantic_layer.parser.read import Reading
from semantic_layer.resolve import ResolvedQuery
from semantic_layer.timeexpr import DateRange


@dataclass(frozen=True)
class Named:
    text: str  # the words of the question
    kind: str  # value (any one of options), group (all of options), period, unit, metric, limit
    options: frozenset  # (dimension, value) pairs; DateRange; metric ids; the limit's amount


def named_in(reading: Reading, model: SemanticModel) -> list[Named]:
    """Everything the question names that a plan must keep."""
    named: list[Named] = []
    parts_of_names = reading.named_mentions()
    for i, mention in enumerate(reading.mentions):
        if i in parts_of_names or any(e.kind not in ("value", "set", "neutral", "filler") for e in mention.entries):
            continue  # a word that is also something else ('其他' the rest, '拉新' a verb) binds no plan
        values = frozenset((e.target, e.value) for e in mention.entries if e.kind == "value")
        sets = [frozenset((e.target, v) for v in e.values) for e in mention.entries if e.kind == "set"]
        if values:
            named.append(Named(mention.text, "value", values))
        elif sets:
            named.append(Named(mention.text, "group", sets[0]))
    for thing in reading.names:
        if not thing.ambiguous:
            named.append(Named(reading.text[thing.start:thing.end], "group",
                               frozenset((thing.dimension, v) for v in thing.values)))
    for i, match in enumerate(reading.times):
        if i not in reading.named_times():
            named.append(Named(reading.text[match.start:match.end], "period", frozenset([match.range])))
    for i in counted_units(reading.mentions, reading.text, set()):
        unit = reading.mentions[i].first("unit")
        named.append(Named(reading.mentions[i].text, "unit", _with_line_level(model, unit.targets)))
    for mention in reading.mentions:
        metric = mention.first("metric")
        if metric:
            named.append(Named(mention.text, "metric", _with_line_level(model, (metric.target,))))
    for threshold in reading.thresholds:  # '超过5单', 'orders over ¥500': a limit, on groups or on each one
        named.append(Named(reading.text[threshold.start:threshold.end], "limit", frozenset([threshold.value])))
    return named


def _with_line_level(model: SemanticModel, metrics) -> frozenset:
    """A metric or the one it is read as by lines (GMV by product is product sales)."""
    return frozenset(metrics) | {model.metric_by_id[m].line_level for m in metrics
                                 if m in model.metric_by_id and model.metric_by_id[m].line_level}


def left_out(named: list[Named], query: ResolvedQuery) -> list[Named]:
    """The things the plan does not keep."""
    pairs = {(f.dimension.id, v) for f in query.filters for v in f.values}
    pairs |= {(d.dimension.id, v) for d in query.dimensions for v in d.versus}
    if query.compare_group:
        pairs |= {(query.compare_group.dimension.id, v) for v in query.compare_group.values}
    periods: set[DateRange] = {r for r in (query.time_range, query.comparison) if r is not None}
    metrics = {m.id for m in query.metrics} | {item.metric.id for item in query.each_having}
    limits = {value for _, _, value in query.having} | {item.value for item in query.each_having}
    missing = []
    for item in named:
        kept = {"value": lambda options: bool(options & pairs), "group": lambda options: options <= pairs,
                "period": lambda options: bool(options & periods),
                "unit": lambda options: bool(options & metrics), "metric": lambda options: bool(options & metrics),
                "limit": lambda options: bool(options & limits)}
        if not kept[item.kind](item.options):
            missing.append(item)
    return missing


def described(item: Named) -> str:
    """What a plan left out, said so that it can be put back."""
    if item.kind in ("value", "group"):
        pairs = ", ".join(f"{dimension} = {value}" for dimension, value in sorted(item.options))
        return f"'{item.text}' ({'a filter on one of' if item.kind == 'value' else 'a filter on all of'}: {pairs})"
    if item.kind == "period":
        period = next(iter(item.options))
        return f"'{item.text}' (the period {period.start} to {period.end}, end exclusive)"
    if item.kind == "limit":
        return f"'{item.text}' (a limit of {next(iter(item.options)):g}: having, or each_having on each one counted)"
    return f"'{item.text}' (one of the metrics {', '.join(sorted(item.options))})"
