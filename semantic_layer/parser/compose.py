"""Parts -> SemanticQuery, and back: what a question asks before it is checked as a whole (the
parts follow-ups edit), the query it becomes, and a plain question that reads back as the same
parts (for clickable suggestions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from semantic_layer.graph import reach_dimension
from semantic_layer.model import SemanticModel
from semantic_layer.query import DimensionRef, EachHaving, Filter, Having, OrderBy, SemanticQuery, TimeRange
from semantic_layer.resolve import metric_facts
from semantic_layer.timeexpr import DateRange, resolve_time_expression


@dataclass
class Parts:
    """What a question asks, before it is checked as a whole; follow-ups edit these."""

    metrics: list[str] = field(default_factory=list)
    dimensions: list[DimensionRef] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    time_range: DateRange | None = None
    time_yearless: bool = False  # named without a year ('Q4'): a follow-up keeps the year in context
    compare: str | None = None
    compare_to: DateRange | None = None  # the named period compared with (compare == "period")
    shift: str | None = None  # a follow-up asks for the previous period moved back ('那去年同期呢')
    compare_group: Filter | None = None  # the other group a group is compared with (compare == "group")
    order: tuple[str | None, str] | None = None  # (metric or None for the first metric, direction)
    limit: int | None = None
    having: list[tuple[str | None, str, float]] = field(default_factory=list)
    count_groups: bool = False  # how many groups pass the having ('有几天'), not the groups themselves
    each_having: list[EachHaving] = field(default_factory=list)  # on each one counted ('消费超过1万的客户')
    beside_previous: bool = False  # a follow-up's value shown beside the previous one ('跟天猫比呢')
    chart: str | None = None
    set_names: dict[str, str] = field(default_factory=dict)  # dimension -> named set the filter came from
    drop_filters: list[str] = field(default_factory=list)  # a follow-up's split replaces these filters
    refers_back: bool = False  # built on the previous question's values ('for each of them')
    target: bool = False  # 'which day / month' asks for the top bucket
    share_of: list[str] = field(default_factory=list)  # each row as a share of the whole of these dimensions
    sold: bool = False  # the metric is what was sold ('套组卖了多少钱'): of a product or category, its lines
    analysis: str | None = None  # an analysis of the model ('新客留存', 'A/B测试结果'): its own metrics

    def versus_of(self, dimension: str) -> DimensionRef | None:
        return next((d for d in self.dimensions if d.name == dimension and d.versus), None)


def auto_grain(time_range: DateRange | None) -> str:
    if time_range is None:
        return "month"
    return "day" if time_range.days <= 31 else "week" if time_range.days <= 92 else "month"


def line_level_metric(model: SemanticModel, metric_id: str, dimensions: list[DimensionRef]) -> str:
    """A metric broken down by something only its fact's lines have (GMV by product) is read as its
    line-level metric (product sales), as the model says."""
    metric = model.metric_by_id.get(metric_id)
    if metric is None or not metric.line_level:
        return metric_id
    for ref in dimensions:
        dimension = model.dimension_by_id.get(ref.name)
        if dimension is None or dimension.time:
            continue
        reaches = [reach_dimension(model, fact, dimension) for fact in metric_facts(model, metric)]
        if any(reach is not None and reach.bridge is not None for reach in reaches):
            return metric.line_level
    return metric_id


def to_query(parts: Parts, model: SemanticModel) -> SemanticQuery:
    """Parts -> SemanticQuery."""
    if parts.analysis:  # the analysis brings its metrics and breakdown; the question, who and when
        time_range = TimeRange(start=parts.time_range.start, end=parts.time_range.end) if parts.time_range else None
        if parts.analysis == "customer_list":  # who: those a deed's metric counts ('买过面膜的'), else everyone
            return SemanticQuery(analysis=parts.analysis, metrics=parts.metrics, filters=parts.filters,
                                 time_range=time_range, each_having=parts.each_having)
        if parts.analysis != "attribution":
            return SemanticQuery(analysis=parts.analysis, filters=parts.filters, time_range=time_range)
        compare = parts.compare if parts.compare != "period" or parts.compare_to else None
        compare_to = TimeRange(start=parts.compare_to.start, end=parts.compare_to.end) if compare == "period" else None
        return SemanticQuery(analysis=parts.analysis, metrics=parts.metrics, dimensions=parts.dimensions,
                             filters=parts.filters, time_range=time_range, compare=compare, compare_to=compare_to)
    # a share of products or categories is a share of their lines' money, like a breakdown by them, and so
    # is what a product or category sold
    lines = list(parts.share_of) + ([f.dimension for f in parts.filters if f.op in ("=", "in")] if parts.sold else [])
    split = parts.dimensions + [DimensionRef(name=d) for d in dict.fromkeys(lines)
                                if d not in {r.name for r in parts.dimensions}]
    swap = {m: line_level_metric(model, m, split) for m in parts.metrics}
    metrics = list(dict.fromkeys(swap[m] for m in parts.metrics))
    order_by = []
    if parts.order and metrics:
        target = parts.order[0] or metrics[0]
        order_by.append(OrderBy(field=swap.get(target, target), direction=parts.order[1]))
    having = [Having(metric=swap.get(m or metrics[0], m or metrics[0]), op=op, value=value)
              for m, op, value in parts.having if metrics]
    time_range = TimeRange(start=parts.time_range.start, end=parts.time_range.end) if parts.time_range else None
    compare = parts.compare if time_range and (parts.compare != "period" or parts.compare_to) or \
        parts.compare == "group" and parts.compare_group else None
    compare_to = TimeRange(start=parts.compare_to.start, end=parts.compare_to.end) \
        if compare == "period" else None
    return SemanticQuery(metrics=metrics, dimensions=parts.dimensions, filters=parts.filters,
                         time_range=time_range, order_by=order_by, limit=parts.limit, having=having,
                         compare=compare, compare_to=compare_to, chart=parts.chart,
                         compare_group=parts.compare_group if compare == "group" else None,
                         share_of=[d for d in parts.share_of if not compare],
                         count_groups=parts.count_groups and bool(having and parts.dimensions),
                         each_having=parts.each_having)


def parts_from_query(query: SemanticQuery, time_range: DateRange | None, comparison: DateRange | None = None) -> Parts:
    """A SemanticQuery (from a verified example or the LLM) as editable parts for follow-ups."""
    order = (query.order_by[0].field, query.order_by[0].direction) if query.order_by else None
    return Parts(metrics=list(query.metrics), dimensions=list(query.dimensions), filters=list(query.filters),
                 time_range=time_range, compare=query.compare,
                 compare_to=comparison if query.compare == "period" else None, compare_group=query.compare_group,
                 order=order, limit=query.limit,
                 having=[(h.metric, h.op, h.value) for h in query.having], chart=query.chart,
                 share_of=list(query.share_of), count_groups=query.count_groups, analysis=query.analysis,
                 each_having=list(query.each_having))


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


def _ever_phrase(item: Filter, model: SemanticModel, values: list, zh: bool) -> str:
    """'从没买过面霜的', 'who never bought 面霜': with the first verb the model gives the metric."""
    verbs = model.metric_by_id[item.ever].verbs
    never = item.op in ("!=", "not in")
    joined = ("和" if zh else " or ").join(map(str, values))
    if zh:
        verb = next((v for v in verbs if not v.isascii()), "")
        return f"{'从没' if never else ''}{verb}过{joined}的"
    verb = next((v for v in verbs if v.isascii() and v.endswith("ed")), next((v for v in verbs if v.isascii()), ""))
    return f"who {'never ' if never else ''}{verb} {joined}"


def question_text(parts: Parts, model: SemanticModel, language: str, today: date) -> str:
    """A plain question that reads back as these parts (for clickable suggestions)."""
    zh = language == "zh"
    pieces = []
    if parts.time_range:
        pieces.append(period_phrase(parts.time_range, today, language))
    for item in parts.filters:
        values = item.value if isinstance(item.value, list) else [item.value]
        if item.ever:
            pieces.append(_ever_phrase(item, model, values, zh))
        elif item.op in ("=", "in"):
            pieces.append(parts.set_names.get(item.dimension) or ("和" if zh else " and ").join(map(str, values)))
        elif item.op in ("!=", "not in"):
            joined = ("和" if zh else " and ").join(map(str, values))
            pieces.append(f"除{joined}以外" if zh else f"excluding {joined}")
    for ref in parts.dimensions:
        label = model.dimension_by_id[ref.name].label
        if model.dimension_by_id[ref.name].time:
            pieces.append({"day": "每天", "week": "每周", "month": "每月", "quarter": "每季度", "year": "每年"}[
                ref.grain or "month"] if zh else f"by {ref.grain or 'month'}")
        elif ref.versus:
            labels = ref.versus_labels or ("、".join(map(str, ref.versus)), "其余")
            pieces.append(f"{labels[0]}和其余{label.zh}对比" if zh else f"{labels[0]} vs other {label.en}")
        else:
            pieces.append(f"各{label.zh}" if zh else f"by {label.en}")
    names = [model.metric_by_id[m].name.pick(language) for m in parts.metrics]
    if parts.analysis:
        names = [*names, getattr(model.analyses, parts.analysis).name.pick(language)]
    if zh:
        return "".join(pieces) + ("的" if pieces else "") + "和".join(names) + ("占比" if parts.share_of else "")
    return ("share of " if parts.share_of else "") + " and ".join(names) + " " + " ".join(pieces)
