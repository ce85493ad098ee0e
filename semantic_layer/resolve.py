"""Names -> references: a SemanticQuery checked against the model becomes a ResolvedQuery, or a
QueryInvalid error whose message names the problem and the closest valid names."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from sqlglot import exp

from semantic_layer.analysis import expand_analysis
from semantic_layer.errors import QueryInvalid
from semantic_layer.expressions import parse_snippet
from semantic_layer.graph import forward_paths, reach_dimension
from semantic_layer.model import Dimension, Fact, Grain, Measure, Metric, SemanticModel
from semantic_layer.query import SemanticQuery
from semantic_layer.timeexpr import DateRange, check_reference_date, comparison_range, resolve_time_expression


@dataclass(frozen=True)
class ResolvedDimension:
    dimension: Dimension
    grain: Grain | None = None
    versus: tuple = ()  # two groups: these values against all the others
    labels: tuple[str, str] = ("", "")  # the groups' names when versus is set
    ever: Metric | None = None  # with versus: those this metric counts who ever had a value, and the rest


@dataclass(frozen=True)
class ResolvedFilter:
    dimension: Dimension
    op: str
    values: tuple  # one value, or the list for in / not in / between
    ever: Metric | None = None  # those this metric counts who ever (=, in) or never (!=, not in) had the value


@dataclass(frozen=True)
class CountedEntity:
    """What a metric counts (buyer_count: customers), as a key of a table, and where it counts it."""

    table: str  # the entity's table (customers)
    column: str  # its key there (customer_id)
    fact: Fact  # the fact whose rows say who did it (paid orders)
    measure: Measure  # the count_distinct over the fact's key column


@dataclass(frozen=True)
class ResolvedEachHaving:
    """Those ``per`` counts (``entity``) whose own ``metric`` (one plain measure of ``fact``) passes."""

    per: Metric
    entity: CountedEntity
    metric: Metric
    fact: Fact
    measure: Measure
    op: str
    value: float


@dataclass(frozen=True)
class ResolvedQuery:
    metrics: tuple[Metric, ...]
    dimensions: tuple[ResolvedDimension, ...]
    filters: tuple[ResolvedFilter, ...]
    time_range: DateRange | None
    order_by: tuple[tuple[str, bool], ...]  # (field, descending)
    limit: int | None
    having: tuple[tuple[str, str, float], ...]
    compare: str | None
    today: dt.date
    comparison: DateRange | None = None  # the period compared with
    share_of: tuple[str, ...] = ()  # dimensions whose parts the shares are of
    compare_group: ResolvedFilter | None = None  # the group compared with (compare == "group")
    count_groups: bool = False  # how many groups pass the having, one row
    analysis: str | None = None  # the analysis these figures are for (query.ANALYSES)
    each_having: tuple[ResolvedEachHaving, ...] = ()  # limits on each person or thing counted


def metric_facts(model: SemanticModel, metric: Metric) -> list[Fact]:
    """The facts whose measures a metric uses, in order of first use."""
    facts: dict[str, Fact] = {}
    for column in parse_snippet(metric.expr).find_all(exp.Column):
        fact = model.fact_by_measure[column.name][0]
        facts.setdefault(fact.name, fact)
    return list(facts.values())


def lifts_default_filter(fact: Fact, query: ResolvedQuery) -> bool:
    """Grouping by the lifting dimension, or selecting values of it, replaces a fact's default filter;
    excluding values only narrows it (paid orders except the refunded ones), and so does selecting
    values the filter holds already (refunded orders, which were paid)."""
    lifter = fact.default_filter.lifted_by if fact.default_filter else None
    inside = set(fact.default_filter.kept_for) if fact.default_filter else set()
    return bool(lifter) and (any(d.dimension.id == lifter for d in query.dimensions) or any(
        f.dimension.id == lifter and f.op in ("=", "in") and f.ever is None and not set(f.values) <= inside
        for f in query.filters))


def counted_entity(model: SemanticModel, metric: Metric) -> CountedEntity | None:
    """The people or things a metric counts, when it is a plain distinct count of a key: the
    table's own key (customers) or a many-to-one join's key (orders.customer_id -> customers)."""
    found = model.fact_by_measure.get(metric.expr)
    if found is None or found[1].agg != "count_distinct" or found[1].filter:
        return None
    fact, measure = found
    if list(model.table_by_name[fact.table].primary_key) == [measure.expr]:
        return CountedEntity(fact.table, measure.expr, fact, measure)
    join = next((j for j in model.joins if j.source == fact.table and [left for left, _ in j.keys] == [measure.expr]),
                None)
    return CountedEntity(join.target, join.keys[0][1], fact, measure) if join else None


def has_time(model: SemanticModel, metric: Metric) -> bool:
    return metric.time_scope == "period" and all(f.time for f in metric_facts(model, metric))


def allowed_dimensions(model: SemanticModel, metric: Metric) -> list[Dimension]:
    """The dimensions a metric can be grouped or filtered by: every one of its facts reaches them,
    through the same column (customers who did not buy, by city, would subtract ship-to cities
    from home cities: refused)."""
    facts = metric_facts(model, metric)

    def reached(dimension: Dimension) -> bool:
        reaches = [reach_dimension(model, f, dimension) for f in facts]
        return all(reaches) and len({(r.binding.table, r.binding.column, r.binding.expr) for r in reaches}) == 1
    return [d for d in model.dimensions if (has_time(model, metric) if d.time else reached(d))]


def shared_dimensions(model: SemanticModel, metrics: list[Metric]) -> set[str]:
    """The ids of the dimensions every one of these metrics can be grouped or filtered by."""
    return set.intersection(*({d.id for d in allowed_dimensions(model, m)} for m in metrics))


def _closest(word: str, names: dict[str, str]) -> tuple[str, ...]:
    """The ids whose id or any name is closest to ``word``."""
    hits = difflib.get_close_matches(word.casefold(), list(names), n=6, cutoff=0.4)
    return tuple(dict.fromkeys(names[h] for h in hits))[:3]


def _names(items) -> dict[str, str]:
    """Every way an item is called (id, both names, synonyms), case folded -> its id."""
    names: dict[str, str] = {}
    for item in items:
        title = getattr(item, "name", None) or item.label
        for word in (item.id, title.zh, title.en, *item.synonyms):
            names.setdefault(word.casefold(), item.id)
    return names


def _lookup(by_id: dict, items, name: str, kind_zh: str, kind_en: str):
    """The item with this id, or QueryInvalid naming the closest ids."""
    if name in by_id:
        return by_id[name]
    close = _closest(name, _names(items))
    hint_zh = f"，您是不是想用: {', '.join(close)}" if close else ""
    hint_en = f"; did you mean: {', '.join(close)}" if close else ""
    raise QueryInvalid(f"未知{kind_zh} {name!r}{hint_zh}", f"unknown {kind_en} {name!r}{hint_en}", close)


def _metric(model: SemanticModel, name: str) -> Metric:
    return _lookup(model.metric_by_id, model.metrics, name, "指标", "metric")


def _dimension(model: SemanticModel, name: str) -> Dimension:
    return _lookup(model.dimension_by_id, model.dimensions, name, "维度", "dimension")


def _check_reachable(model: SemanticModel, metric: Metric, dimension: Dimension) -> None:
    allowed = allowed_dimensions(model, metric)
    if dimension in allowed:
        return
    zh = "、".join(d.label.zh for d in allowed)
    en = ", ".join(d.id for d in allowed)
    if dimension.time:
        raise QueryInvalid(f"{metric.name.zh}不按时间统计（口径: 全部历史），不能按日期拆分或筛选时间；可用维度: {zh}",
                           f"{metric.id} is not dated (all-time definition); it allows: {en}",
                           tuple(d.id for d in allowed))
    raise QueryInvalid(f"{metric.name.zh}不能按{dimension.label.zh}拆分或筛选；可用维度: {zh}",
                       f"{metric.id} cannot be broken down or filtered by {dimension.id}; it allows: {en}",
                       tuple(d.id for d in allowed))


def _ever(model: SemanticModel, metrics: tuple[Metric, ...], name: str, dimension: Dimension) -> Metric:
    """The metric an 'ever' filter draws its people from: it counts an entity every metric of the
    query reaches, and it can be filtered by the dimension."""
    ever = _metric(model, name)
    entity = counted_entity(model, ever)
    if entity is None:
        raise QueryInvalid(f"{ever.name.zh}不是按人或物计数的指标，不能用来圈定“买过/没买过”的对象",
                           f"{ever.id} does not count people or things; 'ever' needs one that does (buyer_count)")
    _check_reachable(model, ever, dimension)
    _check_restrictable(model, metrics, entity, ever)
    return ever


def _check_restrictable(model: SemanticModel, metrics: tuple[Metric, ...], entity: CountedEntity,
                        counter: Metric) -> None:
    """Every metric's facts reach the people or things ``counter`` counts."""
    for metric in metrics:
        if not all(entity.table in forward_paths(model, f.table) for f in metric_facts(model, metric)):
            raise QueryInvalid(f"{metric.name.zh}和{counter.name.zh}统计的对象连不起来",
                               f"{metric.id} cannot be restricted to what {counter.id} counts")


def figure_of_each(model: SemanticModel, metric: Metric, entity: CountedEntity) -> bool:
    """Can each one of ``entity`` have its own ``metric``: one plain sum or count whose rows reach it,
    counting nothing of which each has one at most (a customer's orders: yes; an order's buyers: no)."""
    found = model.fact_by_measure.get(metric.expr)
    if found is None or found[1].agg == "count_entities" or entity.table not in forward_paths(model, found[0].table):
        return False
    counted = counted_entity(model, metric)
    return counted is None or counted.table != entity.table and entity.table in forward_paths(model, counted.table)


def _each_having(model: SemanticModel, metrics: tuple[Metric, ...], item) -> ResolvedEachHaving:
    """A limit on each one a metric counts ('消费超过1万的客户'): the counter counts people or things,
    the limit is one plain measure whose rows reach them, and the query's metrics reach them too."""
    per, metric = _metric(model, item.per), _metric(model, item.metric)
    entity = counted_entity(model, per)
    if entity is None:
        raise QueryInvalid(f"{per.name.zh}不是按人或物计数的指标，不能给每一个设阈值",
                           f"{per.id} does not count people or things; a limit on each needs one that does")
    if item.op not in (">", ">="):  # below a limit would have to count those with no rows at all
        raise QueryInvalid("每个对象的阈值目前只支持“超过/至少”；“少于/不超过”请换成对比或分组来问",
                           "a limit on each one takes 'more than' or 'at least' only; those below it are not counted "
                           "yet (people with no rows would be left out)")
    if not figure_of_each(model, metric, entity):
        raise QueryInvalid(f"{metric.name.zh}不能按每一个统计对象单独计算，请换一个加总或计数的指标",
                           f"{metric.id} cannot be computed for each one {per.id} counts; use a sum or a count")
    _check_restrictable(model, metrics, entity, per)
    fact, measure = model.fact_by_measure[metric.expr]
    return ResolvedEachHaving(per, entity, metric, fact, measure, item.op, item.value)


def _ever_labels(model: SemanticModel, ever: Metric, values: tuple) -> tuple[str, str]:
    """'买过面霜' / '没买过面霜' (the metric's first verb), or 'ever' / 'never' in English names.

    >>> from semantic_layer.loader import load_model
    >>> model = load_model()
    >>> _ever_labels(model, model.metric_by_id["buyer_count"], ("面霜",))
    ('买过面霜', '没买过面霜')
    """
    joined = "、".join(map(str, values))
    verb = next((v for v in ever.verbs if not v.isascii()), None)
    if verb is None or all(str(v).isascii() for v in values):
        return f"ever {joined}", f"never {joined}"
    return f"{verb}过{joined}", f"没{verb}过{joined}"


def normalize_value(dimension: Dimension, value):
    """Map a value synonym to the warehouse value ('Tmall' -> '天猫'), case-insensitively."""
    if not isinstance(value, str):
        return value
    lowered = {k.casefold(): v for k, v in dimension.value_synonyms.items()}
    return lowered.get(value.strip().casefold(), value.strip())


def _versus(dimension: Dimension, ref) -> tuple[tuple, tuple[str, str]]:
    """The values of a 'these against the rest' split and the two groups' names."""
    if not ref.versus:
        return (), ("", "")
    if dimension.time:
        raise QueryInvalid("日期不能分成两组对比，请用时间范围和环比/同比",
                           "dates cannot be split in two groups; use a time range and a comparison")
    values = tuple(normalize_value(dimension, v) for v in ref.versus)
    ascii_only = all(str(v).isascii() for v in values)
    default = ("、".join(map(str, values)) if not ascii_only else ", ".join(map(str, values)),
               "others" if ascii_only else "其余")
    return values, tuple(ref.versus_labels or default)


def resolve_query(model: SemanticModel, query: SemanticQuery, today: dt.date) -> ResolvedQuery:
    check_reference_date(today)
    analysis = query.analysis
    query = expand_analysis(model, query, today)
    metrics = tuple(dict.fromkeys(_metric(model, name) for name in query.metrics))
    dimensions: list[ResolvedDimension] = []
    for ref in query.dimensions:
        dimension = _dimension(model, ref.name)
        if ref.grain and not dimension.time:
            raise QueryInvalid(f"只有日期维度可以设置粒度（{dimension.label.zh}不行）",
                               f"only the date dimension takes a grain, not {dimension.id}")
        ever = _ever(model, metrics, ref.ever, dimension) if ref.ever else None
        for metric in metrics if ever is None else ():  # an 'ever' split's dimension is the ever metric's
            _check_reachable(model, metric, dimension)
        versus, labels = _versus(dimension, ref)
        if ever is not None and not ref.versus_labels:
            labels = _ever_labels(model, ever, versus)
        resolved = ResolvedDimension(dimension, (ref.grain or "day") if dimension.time else None, versus, labels,
                                     ever)
        if all(d.dimension != dimension for d in dimensions):
            dimensions.append(resolved)
    filters = []
    for item in query.filters:
        dimension = _dimension(model, item.dimension)
        if dimension.time:
            raise QueryInvalid("日期请用时间范围（time_range）限定，而不是筛选条件",
                               "restrict dates with time_range, not with a filter")
        ever = _ever(model, metrics, item.ever, dimension) if item.ever else None
        if ever is None:  # an 'ever' filter's dimension is the ever metric's; the query's metrics reach its people
            for metric in metrics:
                _check_reachable(model, metric, dimension)
        values = item.value if isinstance(item.value, list) else [item.value]
        filters.append(ResolvedFilter(dimension, item.op, tuple(normalize_value(dimension, v) for v in values), ever))

    time_range = _time_range(query.time_range, today) if query.time_range is not None else None
    compare_group = None
    if query.compare == "group":
        dimension = _dimension(model, query.compare_group.dimension)
        values = query.compare_group.value if isinstance(query.compare_group.value, list) else [query.compare_group.value]
        compare_group = ResolvedFilter(dimension, "=" if len(values) == 1 else "in",
                                       tuple(normalize_value(dimension, v) for v in values))
        if not any(f.dimension == dimension and f.op in ("=", "in") for f in filters) or query.compare_group.op not in (
                "=", "in"):
            raise QueryInvalid("和另一组对比时，先筛选出要对比的一组（同一维度）",
                               "a group comparison needs a filter on the same dimension for the group compared")
    if query.compare and query.compare != "group" and time_range is None:
        raise QueryInvalid("对比（环比/同比）需要一个时间范围", "a comparison needs a time range",
                           ("上个月", "本月", "今年"))
    comparison = time_range if query.compare == "group" else None
    if query.compare == "period":
        comparison = _time_range(query.compare_to, today)
    elif query.compare and query.compare != "group":
        try:
            comparison = comparison_range(time_range, query.compare)
        except (OverflowError, ValueError):
            raise QueryInvalid("对比期超出了可用的日期范围", "the comparison period falls outside the calendar")
    if query.compare and query.compare != "group" and any(not has_time(model, m) for m in metrics):
        raise QueryInvalid("全部历史口径的指标不能做环比或同比", "all-time metrics cannot be compared across periods")

    named = {d.dimension.id for d in dimensions if not d.dimension.time} | {f.dimension.id for f in filters}
    for dimension in query.share_of:
        if dimension not in named:
            raise QueryInvalid(f"占比要按查询里拆分或筛选的维度计算（{dimension} 不在其中）",
                               f"a share is of a dimension the query breaks down or filters by, not {dimension!r}",
                               tuple(sorted(named)))
    if query.share_of and query.compare:
        raise QueryInvalid("占比和对比请分开问", "ask for shares and comparisons separately")

    fields = {m.id for m in metrics} | {d.dimension.id for d in dimensions}
    # with a comparison, rank or filter by how much each group changed ('同比下降最多的产品')
    changes = {f"{m.id}{suffix}" for m in metrics for suffix in ("__difference", "__change")} if query.compare else set()
    for order in query.order_by:
        if order.field not in fields | changes:
            raise QueryInvalid(f"排序字段 {order.field!r} 不在查询的指标或维度中",
                               f"order_by field {order.field!r} is not a metric or dimension of the query",
                               tuple(sorted(fields)))
    for condition in query.having:
        if condition.metric not in {m.id for m in metrics} | changes:
            raise QueryInvalid(f"筛选阈值的指标 {condition.metric!r} 不在查询中",
                               f"having metric {condition.metric!r} is not among the query's metrics",
                               tuple(m.id for m in metrics))
    resolved = ResolvedQuery(
        metrics=metrics, dimensions=tuple(dimensions), filters=tuple(filters), time_range=time_range,
        order_by=tuple((o.field, o.direction == "desc") for o in query.order_by), limit=query.limit,
        having=tuple((h.metric, h.op, h.value) for h in query.having), compare=query.compare,
        today=today, comparison=comparison, share_of=tuple(dict.fromkeys(query.share_of)), compare_group=compare_group,
        count_groups=query.count_groups, analysis=analysis,
        each_having=tuple(_each_having(model, metrics, item) for item in query.each_having))
    if resolved.each_having and (resolved.compare == "group" or resolved.share_of):
        raise QueryInvalid("每个对象的阈值和分组对比、占比请分开问",
                           "ask a limit on each one apart from a group comparison or a share")
    return resolved


def _time_range(time_range, today: dt.date) -> DateRange:
    if time_range.expression is not None:
        return resolve_time_expression(time_range.expression, today)
    return DateRange(time_range.start, time_range.end)
