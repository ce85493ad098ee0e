"""Reading -> SemanticQuery: metrics, group-bys, filters, time, ranking, thresholds, comparison
and chart, following the conventions of a chat-BI question (TOP3 = top three by the metric,
'最喜欢/最畅销' = by units sold, 'which' = the top one, 'A和B哪个更高' = both values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from semantic_layer.model import SemanticModel
from semantic_layer.parser.lexicon import VALUE_PRIORITY, Mention
from semantic_layer.parser.read import Reading
from semantic_layer.query import DimensionRef, Filter, Having, OrderBy, SemanticQuery, TimeRange
from semantic_layer.resolve import allowed_dimensions
from semantic_layer.timeexpr import DateRange, comparison_range, resolve_time_expression

# Ranking products or categories by money means line sales (metrics.md: product_sales).
_LINE_LEVEL = {"gmv": "product_sales"}
_PRODUCT_DIMENSIONS = ("product", "category")


@dataclass
class Parts:
    """What a question asks, before it is checked as a whole; follow-ups edit these."""

    metrics: list[str] = field(default_factory=list)
    dimensions: list[DimensionRef] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    time_range: DateRange | None = None
    compare: str | None = None
    order: tuple[str | None, str] | None = None  # (metric or None for the first metric, direction)
    limit: int | None = None
    having: list[tuple[str | None, str, float]] = field(default_factory=list)
    chart: str | None = None


def auto_grain(time_range: DateRange | None) -> str:
    if time_range is None:
        return "month"
    return "day" if time_range.days <= 31 else "week" if time_range.days <= 92 else "month"


def _value_dimension(mention: Mention, allowed: set[str] | None) -> tuple[str, str] | None:
    """The dimension a value means: the first in priority order the metrics can use."""
    options = [(e.target, e.value) for e in mention.entries if e.kind == "value"]
    options.sort(key=lambda o: VALUE_PRIORITY.index(o[0]) if o[0] in VALUE_PRIORITY else len(VALUE_PRIORITY))
    for option in options:
        if allowed is None or option[0] in allowed:
            return option
    return options[0] if options else None


def _negated(reading: Reading, mention: Mention) -> bool:
    before = [m for m in reading.mentions if m.end <= mention.start]
    return bool(before) and before[-1].first("negation") is not None and mention.start - before[-1].end <= 2


def read_parts(reading: Reading, model: SemanticModel) -> Parts:
    parts = Parts()
    for mention in reading.kinds("metric"):
        metric = mention.first("metric").target
        if metric not in parts.metrics:
            parts.metrics.append(metric)
    popular = reading.has("popular")
    if popular and not parts.metrics:
        parts.metrics.append("units_sold")

    allowed: set[str] | None = None
    if parts.metrics:
        sets = [{d.id for d in allowed_dimensions(model, model.metric_by_id[m])} for m in parts.metrics]
        allowed = set.intersection(*sets)

    values: dict[str, list[tuple[str, bool]]] = {}
    for mention in reading.kinds("value"):
        if mention.first("metric") or mention.first("dimension"):
            continue
        choice = _value_dimension(mention, allowed)
        if choice and choice[1] not in [v for v, _ in values.get(choice[0], [])]:
            values.setdefault(choice[0], []).append((choice[1], _negated(reading, mention)))
    total = reading.has("total")
    for dimension, items in values.items():
        kept = [v for v, negated in items if not negated]
        dropped = [v for v, negated in items if negated]
        if kept:
            parts.filters.append(Filter(dimension=dimension, op="=" if len(kept) == 1 else "in",
                                        value=kept[0] if len(kept) == 1 else kept))
        if dropped:
            parts.filters.append(Filter(dimension=dimension, op="!=" if len(dropped) == 1 else "not in",
                                        value=dropped[0] if len(dropped) == 1 else dropped))
        if len(kept) >= 2 and not total:
            parts.dimensions.append(DimensionRef(name=dimension))

    filtered = {f.dimension for f in parts.filters if f.op == "="}
    time_range = reading.times[0].range if reading.times else None
    previous = None
    for mention in reading.mentions:
        dimension = mention.first("dimension")
        grain = mention.first("grain")
        suffix = previous is not None and previous.end == mention.start and previous.first("value")
        previous = mention
        if dimension and suffix:  # 上海地区, 天猫渠道: the word names the value's kind, not a breakdown
            continue
        if dimension and not (mention.first("metric")) and dimension.target not in filtered:
            ref = DimensionRef(name=dimension.target, grain=auto_grain(time_range)) \
                if model.dimension_by_id[dimension.target].time else DimensionRef(name=dimension.target)
            if all(d.name != ref.name for d in parts.dimensions):
                parts.dimensions.append(ref)
        elif grain:
            parts.dimensions = [d for d in parts.dimensions if d.name != "date"]
            parts.dimensions.append(DimensionRef(name="date", grain=grain.target))
        elif mention.first("trend") and all(d.name != "date" for d in parts.dimensions):
            parts.dimensions.append(DimensionRef(name="date", grain=auto_grain(time_range)))

    _time_and_comparison(reading, parts)
    _ranking(reading, parts, values)
    for threshold in reading.thresholds:
        before = [m for m in reading.kinds("metric") if m.end <= threshold.start]
        metric = before[-1].first("metric").target if before else None
        parts.having.append((metric, threshold.op, threshold.value))
    for mention in reading.kinds("chart"):
        parts.chart = mention.first("chart").target
    if reading.has("share") and parts.chart is None:
        parts.chart = "pie"
    return parts


def _time_and_comparison(reading: Reading, parts: Parts) -> None:
    times = [t.range for t in reading.times]
    if reading.has("previous_period"):
        parts.compare = "previous_period"
    if reading.has("same_period_last_year"):
        parts.compare = "same_period_last_year"
    if reading.previous_marker and times:
        parts.compare = parts.compare or "previous_period"
    if len(times) >= 2:
        later, earlier = sorted(times[:2], key=lambda r: r.start, reverse=True)
        for kind in ("previous_period", "same_period_last_year"):
            if comparison_range(later, kind) == earlier:
                parts.compare = kind
        parts.time_range = later if parts.compare else times[0]
    elif times:
        parts.time_range = times[0]


def _ranking(reading: Reading, parts: Parts, values: dict) -> None:
    superlative = reading.has("rank_desc") or reading.has("rank_asc") or reading.has("popular")
    ascending = reading.has("rank_asc") or any(r.ascending for r in reading.ranks)
    ordered = superlative or bool(reading.ranks) or reading.has("rank_order") or reading.has("which_one")
    if not ordered:
        return
    if not any(not _is_time(d) for d in parts.dimensions):
        if reading.has("popular") or "category" in values:  # 最畅销的面霜: the products are ranked
            if "product" not in values:
                parts.dimensions.append(DimensionRef(name="product"))
    parts.order = (None, "asc" if ascending else "desc")
    if reading.ranks:
        parts.limit = reading.ranks[0].count
    elif (superlative or reading.has("which_one")) and not reading.has("which_many"):
        both = any(len(v) >= 2 for v in values.values())  # "A和B哪个更高": show both
        parts.limit = None if both else 1


def _is_time(ref: DimensionRef) -> bool:
    return ref.name == "date"


def to_query(parts: Parts) -> SemanticQuery:
    """Parts -> SemanticQuery; gmv over products or categories becomes product_sales."""
    metrics = list(parts.metrics)
    if any(d.name in _PRODUCT_DIMENSIONS for d in parts.dimensions):
        metrics = [_LINE_LEVEL.get(m, m) for m in metrics]
    metrics = list(dict.fromkeys(metrics))
    swap = {old: new for old, new in _LINE_LEVEL.items() if new in metrics and old in parts.metrics}
    order_by = []
    if parts.order and metrics:
        target = parts.order[0] or metrics[0]
        order_by.append(OrderBy(field=swap.get(target, target), direction=parts.order[1]))
    having = [Having(metric=swap.get(m or metrics[0], m or metrics[0]), op=op, value=value)
              for m, op, value in parts.having if metrics]
    time_range = TimeRange(start=parts.time_range.start, end=parts.time_range.end) if parts.time_range else None
    return SemanticQuery(metrics=metrics, dimensions=parts.dimensions, filters=parts.filters,
                         time_range=time_range, order_by=order_by, limit=parts.limit, having=having,
                         compare=parts.compare if time_range else None, chart=parts.chart)


def parts_from_query(query: SemanticQuery, time_range: DateRange | None) -> Parts:
    """A SemanticQuery (from a verified example or the LLM) as editable parts for follow-ups."""
    order = (query.order_by[0].field, query.order_by[0].direction) if query.order_by else None
    return Parts(metrics=list(query.metrics), dimensions=list(query.dimensions), filters=list(query.filters),
                 time_range=time_range, compare=query.compare, order=order, limit=query.limit,
                 having=[(h.metric, h.op, h.value) for h in query.having], chart=query.chart)


_PERIOD_WORDS = (("上个月", "last month"), ("本月", "this month"), ("上季度", "last quarter"),
                 ("本季度", "this quarter"), ("今年", "this year"), ("去年", "last year"),
                 ("最近7天", "last 7 days"), ("最近30天", "last 30 days"), ("上周", "last week"))


def period_phrase(time_range: DateRange, today: date, language: str) -> str:
    """The everyday words for a range when there are some ('上个月'), else its dates."""
    for zh, en in _PERIOD_WORDS:
        if resolve_time_expression(zh, today) == time_range:
            return zh if language == "zh" else en
    end = date.fromordinal(time_range.end.toordinal() - 1)
    return f"{time_range.start}至{end}" if language == "zh" else f"from {time_range.start} to {end}"


def question_text(parts: Parts, model: SemanticModel, language: str, today: date) -> str:
    """A plain question that reads back as these parts (for clickable suggestions)."""
    zh = language == "zh"
    pieces = []
    if parts.time_range:
        pieces.append(period_phrase(parts.time_range, today, language))
    for item in parts.filters:
        if item.op in ("=", "in"):
            values = item.value if isinstance(item.value, list) else [item.value]
            pieces.append(("和" if zh else " and ").join(map(str, values)))
    for ref in parts.dimensions:
        label = model.dimension_by_id[ref.name].label
        if ref.name == "date":
            pieces.append({"day": "每天", "week": "每周", "month": "每月", "quarter": "每季度", "year": "每年"}[
                ref.grain or "month"] if zh else f"by {ref.grain or 'month'}")
        else:
            pieces.append(f"各{label.zh}" if zh else f"by {label.en}")
    names = [model.metric_by_id[m].name.pick(language) for m in parts.metrics]
    if zh:
        return "".join(pieces) + ("的" if pieces else "") + "和".join(names)
    return " and ".join(names) + " " + " ".join(pieces)
