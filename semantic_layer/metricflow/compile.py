"""A MetricFlow-style query -> one SELECT (a sqlglot tree) over an imported model. Each metric is
computed on its own (each measure aggregated from its own semantic model's rows, joined along
entities many-to-one, so nothing fans out) and the metrics meet on the group-by columns in full
outer joins, as MetricFlow does. Offsets and cumulative windows re-time rows over the time spine
(``rows.py``); ratio and derived metrics combine their inputs' results."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import sqlglot
from sqlglot import exp

from semantic_layer.metricflow.names import (METRIC_TIME, Filter, Item, MetricItem, MfQueryInvalid, parse_filter,
                                             parse_item)
from semantic_layer.metricflow.conversion import conversions
from semantic_layer.metricflow.relation import Relation, column as _column, combine_values, join_relations, \
    measure_aggregate
from semantic_layer.metricflow.request import MfQuery
from semantic_layer.metricflow.rows import Retime, Rows, interval, snippet, time_spine, truncated
from semantic_layer.metricflow.spec import TIME_GRAINS, MetricFlowSpec, MfInput, MfMeasure, MfMetric, MfSemanticModel

VALUE = "__value"
_PERIODS = ("week", "month", "quarter", "year")


_SUB_DAILY = {"hour": 4, "minute": 5, "second": 6}  # how many of (year, month, day, hour, ...) a grain keeps


def _time_bound(text: str, end: bool, grain: str | None = None) -> exp.Expression:
    """A time constraint's bound; by hours, minutes or seconds it widens to whole ones, as MetricFlow does."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise MfQueryInvalid(f"time constraint {text!r} is not a date")
    if grain in _SUB_DAILY:
        moment = dt.datetime(*moment.timetuple()[:_SUB_DAILY[grain]])
    value = exp.Cast(this=exp.Literal.string(moment.isoformat(sep=" ")), to=exp.DataType.build("TIMESTAMP"))
    if not end:
        return value
    step = interval(1, grain) if grain in _SUB_DAILY else interval(1, "day") if len(text.strip()) <= 10 \
        else interval(1, "second")
    return exp.Add(this=value, expression=step)


class Planner:
    """One query's items, filter and default grain; builds each metric's relation."""

    def __init__(self, spec: MetricFlowSpec, query: MfQuery) -> None:
        self.spec, self.query = spec, query
        self.custom = frozenset(spec.custom_granularities)
        self.items = [parse_item(g, self.custom) for g in query.group_bys] + [
            parse_item(o.name, self.custom, o.grain, o.date_part) for o in query.group_by_objs]
        self.filter = parse_filter(query.where_filter, self.custom) if query.where_filter else None
        for name in query.metrics:
            self.metric(name)
        self.default_grain = self._default_grain()
        grains = [i.grain for i in self.items if _is_metric_time(i) and i.grain in _SUB_DAILY]
        self.constraint_grain = max(grains, key=_SUB_DAILY.get) if grains else None

    def _bounds(self) -> tuple[exp.Expression, exp.Expression] | None:
        """The time constraint: from its start, up to (not including) the end of its end."""
        if not self.query.time_constraint:
            return None
        start, end = self.query.time_constraint
        return _time_bound(start, False, self.constraint_grain), _time_bound(end, True, self.constraint_grain)

    def metric(self, name: str) -> MfMetric:
        metric = self.spec.metric_by_name.get(name)
        if metric is None:
            raise MfQueryInvalid(f"unknown metric {name!r}")
        return metric

    def _default_grain(self) -> str:
        grains = {self.metric(m).time_granularity for m in self.query.metrics} - {None}
        return grains.pop() if len(grains) == 1 else "day"

    # measures ------------------------------------------------------------------------------------------
    def measure(self, source: MfInput, items: list[Item], filters: tuple[Filter, ...], retimes: tuple[Retime, ...],
                name: str) -> Relation:
        home, measure = self.spec.measure_home.get(source.name, (None, None))
        if measure is None:
            raise MfQueryInvalid(f"unknown measure {source.name!r}")
        rows = Rows(self.spec, home, measure.agg_time_dimension or None)
        for change in retimes:
            rows.retime(change)
        extra = [exp.alias_(snippet(measure.expr, "s"), VALUE, quoted=True)]
        if measure.non_additive:
            extra += self._non_additive(rows, measure)
        relation, groups = self.filtered_rows(rows, items, filters, extra)
        if measure.non_additive:
            relation = self._first_or_last(relation, measure, items, groups)
        aggregated = relation.select(*(_column(g, "r") for g in groups),
                                     exp.alias_(measure_aggregate(measure, _column(VALUE, "r")), name, quoted=True))
        if groups:
            aggregated = aggregated.group_by(*(_column(g, "r") for g in groups))
        return Relation(aggregated, tuple(groups), name, source.fill_nulls_with)

    def filtered_rows(self, rows: Rows, items: list[Item], filters: tuple[Filter, ...],
                      extra: list[exp.Expression]) -> tuple[exp.Select, list[str]]:
        """SELECT ... FROM (the rows with the items, filter items and ``extra``) AS r WHERE the filters."""
        groups, selects = [], []
        for item in items:
            column, value = rows.resolve(item, self.default_grain)
            groups.append(column)
            selects.append(exp.alias_(value, column, quoted=True))
        conditions, joins = [], []
        for number, condition in enumerate(filters):
            tree = condition.tree
            for placeholder, item in condition.items.items():
                alias = f"__f{number}_{placeholder}"
                if isinstance(item, MetricItem):
                    joins.append(self._metric_filter(rows, item, alias, selects))
                    target = _column(item.metric, alias)
                else:
                    _, value = rows.resolve(item, self.default_grain)
                    selects.append(exp.alias_(value, alias, quoted=True))
                    target = _column(alias, "r")
                tree = tree.transform(lambda node, name=placeholder, to=target: to.copy() if isinstance(
                    node, exp.Column) and node.name == name and not node.table else node)
            conditions.append(tree)
        if self.query.time_constraint and rows.time is not None:
            selects.append(exp.alias_(rows.time, "__time", quoted=True))
            start, end = self._bounds()
            conditions.append(exp.GTE(this=_column("__time", "r"), expression=start))
            conditions.append(exp.LT(this=_column("__time", "r"), expression=end))
        rows.query = rows.query.select(*selects, *extra)
        relation = exp.select().from_(rows.query.subquery("r"))
        for query, on in joins:
            relation = relation.join(query, on=on, join_type=rows.entity_join)
        for condition in conditions:
            relation = relation.where(condition)
        return relation, groups

    def _metric_filter(self, rows: Rows, item: MetricItem, alias: str,
                       selects: list) -> tuple[exp.Subquery, exp.Expression]:
        """``{{ Metric('bookings', group_by=['listing']) }}``: the metric per entity, joined to the rows."""
        keys = [parse_item(g, self.custom) for g in item.group_by]
        inner = self.metric_relation(self.metric(item.metric), keys, (), ())
        on = []
        for number, key in enumerate(keys):
            _, value = rows.resolve(Item((), key.name), self.default_grain)
            column = f"{alias}_key{number}"
            selects.append(exp.alias_(value, column, quoted=True))
            on.append(exp.NullSafeEQ(this=_column(column, "r"), expression=_column(inner.groups[number], alias)))
        return inner.query.subquery(alias), exp.and_(*on) if on else exp.true()

    def _non_additive(self, rows: Rows, measure: MfMeasure) -> list[exp.Expression]:
        """Semi-additive measures: the columns that pick the rows at the first or last value of the dimension."""
        own = rows.home.dimension_by_name[measure.non_additive.dimension]
        extra = [exp.alias_(truncated("day", snippet(own.expr, "s")), "__na", quoted=True)]
        for number, entity in enumerate(measure.non_additive.window_groupings):
            _, value = rows.resolve(Item((), entity), self.default_grain)
            extra.append(exp.alias_(value, f"__nag{number}", quoted=True))
        return extra

    @staticmethod
    def _first_or_last(relation: exp.Select, measure: MfMeasure, items: list[Item], groups: list[str]) -> exp.Select:
        """Only the rows at the first or last value of the dimension, per time group and window grouping."""
        rule = measure.non_additive
        partition = [_column(g, "r") for g, i in zip(groups, items) if i.name in (METRIC_TIME, rule.dimension)]
        partition += [_column(f"__nag{n}", "r") for n in range(len(rule.window_groupings))]
        pick = exp.Max if rule.window_choice == "max" else exp.Min
        window = exp.Window(this=pick(this=_column("__na", "r")), partition_by=partition or None)
        picked = relation.select(*(_column(c, "r") for c in (*groups, VALUE, "__na")),
                                 exp.alias_(window, "__na_pick", quoted=True))
        return exp.select().from_(picked.subquery("r")).where(
            exp.EQ(this=_column("__na", "r"), expression=_column("__na_pick", "r")))

    def dimensions(self, filters: tuple[Filter, ...]) -> tuple[exp.Select, tuple[str, ...]]:
        """A query without metrics: the values of its items, from the semantic model that reaches them all
        (the one that has the first of them itself, if it can), joined in full; metric_time crosses them
        with the time spine."""
        times = [i for i in self.items if _is_metric_time(i)]
        others = [i for i in self.items if not _is_metric_time(i)]
        spine = self._spine_times(times) if times else None
        if not others:
            return spine, tuple(c.alias for c in spine.expressions)
        named = others + [i for f in filters for i in f.items.values() if isinstance(i, Item)]
        homes = sorted(self.spec.semantic_models, key=lambda home: (
            not _local(home, others[0]), -sum(_local(home, i) for i in named), bool(home.measures)))
        problems = []
        for infer, home in [(False, h) for h in homes] + [(True, h) for h in homes]:
            rows = Rows(self.spec, home, None, infer, "full")
            try:
                relation, groups = self.filtered_rows(rows, others, filters, [])
            except MfQueryInvalid as error:
                problems.append(str(error))
                continue
            relation = relation.select(*(_column(g, "r") for g in groups))
            if self.query.apply_group_by:
                relation = relation.distinct()
            if spine is None:
                return relation, tuple(groups)
            names = {c.alias: "t" for c in spine.expressions} | {g: "d" for g in groups}
            columns = [next(n for n in names if n == i.column((), i.grain or self.default_grain)) if i in times
                       else groups[others.index(i)] for i in self.items]
            crossed = exp.select(*(_column(c, names[c]) for c in columns)).from_(spine.subquery("t")).join(
                relation.subquery("d"), join_type="cross")
            return crossed, tuple(columns)
        raise MfQueryInvalid(f"no semantic model reaches every item: {problems[0] if problems else ''}")

    def _spine_times(self, items: list[Item]) -> exp.Select:
        """The distinct times of the time spine at the items' grains (the finest grain's spine)."""
        grains = [self._grain(i) for i in items]
        finest = min(grains, key=lambda g: TIME_GRAINS.index(g) if g in TIME_GRAINS else TIME_GRAINS.index("day"))
        spine = time_spine(self.spec, finest)
        rows = Rows(self.spec, MfSemanticModel(name=spine.table, table=spine.table), None)
        rows.time = _column(spine.column, "s")
        times = [exp.alias_(rows.time_value(rows.time, g, i.date_part), i.column(i.path, g), quoted=True)
                 for i, g in zip(items, grains)]  # before the select: a custom grain joins the spine again
        query = rows.query.select(*times)
        if self.query.apply_group_by:
            query = query.distinct()
        if self.query.time_constraint:
            start, end = self._bounds()
            query = query.where(exp.GTE(this=rows.time, expression=start)).where(exp.LT(this=rows.time, expression=end))
        return query

    def _grain(self, item: Item) -> str:
        return item.grain or (self.default_grain if _is_metric_time(item) else "day")

    def _time_column(self, item: Item) -> str:
        return item.column(item.path, self._grain(item))

    def _joined_to_spine(self, relation: Relation, items: list[Item], source: MfInput) -> Relation:
        """join_to_timespine: every time of the spine, with the metric where it has a value (by metric_time
        or the measure's own aggregation time)."""
        home, measure = self.spec.measure_home[source.name]
        times = [i for i in items if _is_metric_time(i) or len(i.path) == 1 and home.identifies(i.path[0])
                 and i.name == measure.agg_time_dimension]
        if not times:
            return relation
        spine = self._spine_times(times)
        columns = [c.alias for c in spine.expressions]
        on = exp.and_(*(exp.NullSafeEQ(this=_column(c, "t"), expression=_column(c, "v")) for c in columns))
        selects = [_column(g, "t" if g in columns else "v") for g in relation.groups]
        query = exp.select(*selects, _column(relation.value, "v")).from_(spine.subquery("t")).join(
            relation.query.subquery("v"), on=on, join_type="left")
        condition = self._on_groups(relation.groups)
        if condition is not None:  # a filter on what the query groups by holds for the spine's rows too
            query = query.where(condition.transform(lambda node: _column(
                node.name, "t" if node.name in columns else "v") if isinstance(node, exp.Column) else node))
        return replace(relation, query=query)

    def _on_groups(self, groups: tuple[str, ...]) -> exp.Expression | None:
        """The query's filter over the group-by columns, when it names nothing else."""
        if self.filter is None or not all(isinstance(i, Item) for i in self.filter.items.values()):
            return None
        names = {placeholder: item.column((), item.grain or self.default_grain) if _is_metric_time(item)
                 else item.column(item.path, item.grain) for placeholder, item in self.filter.items.items()}
        if not set(names.values()) <= set(groups):
            return None
        return self.filter.tree.transform(lambda node: exp.column(names[node.name]) if isinstance(
            node, exp.Column) and node.name in names and not node.table else node)

    # metrics -------------------------------------------------------------------------------------------
    def metric_relation(self, metric: MfMetric, items: list[Item], filters: tuple[Filter, ...],
                        retimes: tuple[Retime, ...], name: str | None = None) -> Relation:
        name = name or metric.name
        filters = filters + tuple(parse_filter(f, self.custom) for f in metric.filter)
        if metric.type == "simple":
            source = metric.measure
            own = tuple(parse_filter(f, self.custom) for f in source.filter)
            relation = self.measure(source, items, filters + own, retimes, name)
            return self._joined_to_spine(relation, items, source) if source.join_to_timespine else relation
        if metric.type == "cumulative":
            times = [i for i in items if self._is_time(i)]
            if times:
                retimes = (Retime("cumulative", metric.window, metric.grain_to_date, within=self._bounds()),) + retimes
            if any((i.grain or self.default_grain) in _PERIODS or i.grain in self.custom for i in times):
                return self._per_period(metric, items, filters, retimes, name)
            return self._cumulative(metric, items, filters, retimes, name)
        if metric.type == "ratio":
            parts = [self._input(part, items, filters, retimes, f"__{side}")
                     for side, part in (("numerator", metric.numerator), ("denominator", metric.denominator))]
            value = exp.Div(this=exp.Cast(this=exp.column("__numerator"), to=exp.DataType.build("DOUBLE")),
                            expression=exp.func("nullif", exp.column("__denominator"), exp.Literal.number(0)))
            return combine_values(parts, value, name)
        if metric.type == "derived":
            parts = [self._input(part, items, filters, retimes, part.alias or part.name) for part in metric.inputs]
            value = sqlglot.parse_one(metric.expr, read="duckdb")
            return combine_values(parts, value, name)
        return conversions(self, metric, items, filters, retimes, name)

    def _input(self, part: MfInput, items: list[Item], filters: tuple[Filter, ...], retimes: tuple[Retime, ...],
               name: str) -> Relation:
        own = tuple(parse_filter(f, self.custom) for f in part.filter)
        if part.offset_window:
            retimes = (Retime("offset_window", part.offset_window),) + retimes
        if part.offset_to_grain:
            retimes = (Retime("offset_to_grain", grain=part.offset_to_grain, period=self._period(items)),) + retimes
        relation = self.metric_relation(self.metric(part.name), items, filters + own, retimes, name)
        return replace(relation, fill=relation.fill if part.fill_nulls_with is None else part.fill_nulls_with)

    def _period(self, items: list[Item]) -> str | None:
        """The finest grain coarser than the day the query groups time by, if any."""
        grains = [i.grain or self.default_grain for i in items if self._is_time(i) and not i.date_part]
        periods = [g for g in _PERIODS if g in grains]
        return periods[0] if periods else None

    def _is_time(self, item: Item) -> bool:
        """metric_time or the aggregation time dimension of the semantic model the item's entity names."""
        if _is_metric_time(item):
            return True
        return len(item.path) == 1 and any(
            home.identifies(item.path[0]) and any(m.agg_time_dimension == item.name for m in home.measures)
            for home in self.spec.semantic_models)

    def _per_period(self, metric: MfMetric, items: list[Item], filters: tuple[Filter, ...],
                    retimes: tuple[Retime, ...], name: str) -> Relation:
        """A cumulative metric by week, month, ...: the value of the period's first or last day, or the
        average over its days (``period_agg``)."""
        day = Item((), METRIC_TIME, "day")
        inner = self._cumulative(metric, [*items, day], filters, retimes, name)
        groups, day_column = inner.groups[:-1], _column(inner.groups[-1], "p")
        value = _column(inner.value, "p")
        picked = {"first": exp.ArgMin(this=value, expression=day_column),
                  "last": exp.ArgMax(this=value, expression=day_column),
                  "average": exp.Avg(this=value)}[metric.period_agg]
        query = exp.select(*(_column(g, "p") for g in groups), exp.alias_(picked, name, quoted=True)).from_(
            inner.query.subquery("p"))
        if groups:
            query = query.group_by(*(_column(g, "p") for g in groups))
        return Relation(query, groups, name, inner.fill)

    def _cumulative(self, metric: MfMetric, items: list[Item], filters: tuple[Filter, ...],
                    retimes: tuple[Retime, ...], name: str) -> Relation:
        if metric.inputs:
            return self.metric_relation(self.metric(metric.inputs[0].name), items, filters, retimes, name)
        return self.measure(metric.measure, items, filters, retimes, name)



def _local(home: MfSemanticModel, item: Item) -> bool:
    """Whether the item is the home model's own (its dimension, or the entity it identifies)."""
    if item.path:
        return home.identifies(item.path[-1]) and item.name in home.dimension_by_name
    return home.identifies(item.name)


def _is_metric_time(item: Item) -> bool:
    return item.name == METRIC_TIME and not item.path




def compile_mf_query(spec: MetricFlowSpec, query: MfQuery) -> exp.Select:
    """The query's SELECT: the group-by columns, then the metrics; ordered, limited, or only their
    smallest and largest values (``min_max_only``)."""
    query = _with_saved_query(spec, query)
    planner = Planner(spec, query)
    filters = (planner.filter,) if planner.filter else ()
    if query.metrics:
        parts = [planner.metric_relation(planner.metric(m), planner.items, filters, ()) for m in query.metrics]
        joined, groups = join_relations(parts)
        values = [exp.alias_(_filled(p), p.value, quoted=True) for p in parts]
    else:
        joined, groups = planner.dimensions(filters)
        values = []
    final = exp.select(*(_column(g, "q") for g in groups), *values).from_(joined.subquery("q"))
    if query.min_max_only:
        if len(groups) != 1 or query.metrics:
            raise MfQueryInvalid("min_max_only takes one group-by item and no metrics")
        column = _column(groups[0], "q")
        return exp.select(exp.alias_(exp.Min(this=column), f"{groups[0]}__min", quoted=True),
                          exp.alias_(exp.Max(this=column), f"{groups[0]}__max", quoted=True)).from_(
            joined.subquery("q"))
    for order in query.order_bys:
        final = final.order_by(exp.Ordered(this=_column(_order_column(planner, order.lstrip("-"), groups, query)),
                                           desc=order.startswith("-")))
    if query.limit is not None:
        final = final.limit(query.limit)
    return final


def _filled(part: Relation) -> exp.Expression:
    value = _column(part.value, "q")
    return value if part.fill is None else exp.func("coalesce", value, exp.Literal.number(part.fill))


def _order_column(planner: Planner, name: str, groups: tuple[str, ...], query: MfQuery) -> str:
    if name in query.metrics or name in groups:
        return name
    item = parse_item(name, planner.custom)
    for group, candidate in zip(groups, planner.items):
        if (candidate.path, candidate.name) == (item.path, item.name) and item.grain in (None, candidate.grain):
            return group
    raise MfQueryInvalid(f"cannot order by {name!r}: it is neither a metric nor a group-by item of the query")


def _with_saved_query(spec: MetricFlowSpec, query: MfQuery) -> MfQuery:
    if not query.saved_query_name:
        return query
    saved = next((s for s in spec.saved_queries if s.name == query.saved_query_name), None)
    if saved is None:
        raise MfQueryInvalid(f"unknown saved query {query.saved_query_name!r}")
    where = [f for f in (*saved.where, query.where_filter) if f]
    return query.model_copy(update={
        "metrics": query.metrics or saved.metrics,
        "group_bys": query.group_bys or tuple(_saved_group_by(g) for g in saved.group_by),
        "where_filter": " AND ".join(f"({f})" for f in where) or None,
        "order_bys": query.order_bys or saved.order_by, "limit": query.limit or saved.limit,
        "saved_query_name": None})


def _saved_group_by(text: str) -> str:
    """``TimeDimension('metric_time', 'day')`` / ``Dimension('listing__capacity_latest')`` -> a name."""
    item = parse_filter("{{ " + text + " }}", frozenset()).items["__item_0"]
    return item.column(item.path, item.grain)
