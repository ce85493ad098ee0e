"""ResolvedQuery -> one sqlglot SELECT, built as a tree.

Plan: every fact a query touches is aggregated in its own CTE over the requested dimensions
(one CTE per fact, per period when comparing, and one per nested 'count_entities' measure),
so rows never fan out; the outer SELECT joins the CTEs on the dimensions and computes each
metric from its summed parts. Dialect is applied only when the tree is rendered."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlglot import exp

from semantic_layer.dimension_value import binding_value, dimension_value
from semantic_layer.expressions import (bind_today, date_literal, literal, parse_derived_table, parse_snippet,
                                        timestamp_literal)
from semantic_layer.graph import Reach, forward_paths, join_condition, reach_dimension
from semantic_layer.model import Dimension, Fact, Measure, Metric, SemanticModel
from semantic_layer.query import GROUP_COUNT
from semantic_layer.resolve import (CountedEntity, ResolvedDimension, ResolvedEachHaving, ResolvedFilter,
                                    ResolvedQuery, counted_entity, has_time, lifts_default_filter)
from semantic_layer.timeexpr import OPEN_START

CURRENT, COMPARISON, WHOLE = "current", "comparison", "whole"  # WHOLE: the total a share is of
_COMPARISONS = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE, "=": exp.EQ, "!=": exp.NEQ}


@dataclass
class Context:
    """One CTE: a fact aggregated for one period (and one nested measure, when it has one)."""

    fact: Fact
    period: str
    dated: bool  # the time range applies
    nested: Measure | None = None
    measures: list[Measure] = field(default_factory=list)

    undated_label: str = ""  # set when an all-time fact sits beside dated ones

    @property
    def alias(self) -> str:
        parts = ["agg", self.fact.name, self.nested.name if self.nested else "", self.undated_label,
                 {CURRENT: "", COMPARISON: "previous", WHOLE: "whole"}[self.period]]
        return "_".join(p for p in parts if p)


def _identifier(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _column(name: str, table: str | None = None) -> exp.Column:
    return exp.column(_identifier(name), table=exp.to_identifier(table) if table else None)


def _safe_division(tree: exp.Expression) -> exp.Expression:
    """a / b -> CAST(a AS DOUBLE) / NULLIF(b, 0): float division on every engine, no error at 0."""
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Div):
            return exp.Div(this=exp.cast(node.this, exp.DataType.Type.DOUBLE),
                           expression=exp.Nullif(this=node.expression, expression=exp.Literal.number(0)))
        return node
    return tree.transform(rewrite)


class QueryCompiler:
    def __init__(self, model: SemanticModel, query: ResolvedQuery) -> None:
        self.model = model
        self.query = query
        self.ranges = {CURRENT: query.time_range}
        if query.compare and query.time_range or query.compare == "group":
            self.ranges[COMPARISON] = query.comparison
        if query.share_of:
            self.ranges[WHOLE] = query.time_range
        self.derived_tables: list[str] = []

    # ---- pieces over one fact ------------------------------------------------------------
    def _snippet(self, text: str, table: str) -> exp.Expression:
        return bind_today(parse_snippet(text, table), self.query.today)

    def _time_column(self, fact: Fact) -> exp.Expression:
        text = fact.time.column
        if fact.default_filter and fact.default_filter.time_when_lifted and lifts_default_filter(fact, self.query):
            text = fact.default_filter.time_when_lifted
        return self._snippet(text, fact.table)

    def _dimension_value(self, fact: Fact, dimension: Dimension, reach: Reach) -> exp.Expression:
        return dimension_value(dimension, reach.binding, self.query.today)

    def _group_value(self, fact: Fact, item: ResolvedDimension, reach: Reach) -> exp.Expression:
        """A dimension's value in the GROUP BY; a 'these vs the rest' split becomes two labels."""
        if not item.versus:
            return self._dimension_value(fact, item.dimension, reach)
        chosen = self._filter_condition(fact, ResolvedFilter(item.dimension, "in", item.versus), reach)
        return exp.Case().when(chosen, literal(item.labels[0])).else_(literal(item.labels[1]))

    def _time_bucket(self, fact: Fact, grain: str, period: str) -> exp.Expression:
        moment = self._time_column(fact)
        if period == COMPARISON and self.query.compare != "group":  # align the comparison period's buckets
            if self.query.compare == "same_period_last_year":
                moment = exp.Add(this=moment, expression=exp.Interval(this=exp.Literal.string("1"),
                                                                      unit=exp.Var(this="YEAR")))
            else:
                current, previous = self.ranges[CURRENT], self.ranges[COMPARISON]
                months = (current.start.year - previous.start.year) * 12 + current.start.month - previous.start.month
                amount, unit = (str(months), "MONTH") if previous.start.day == 1 and current.start.day == 1 \
                    else (str((current.start - previous.start).days), "DAY")
                moment = exp.Add(this=moment, expression=exp.Interval(this=exp.Literal.string(amount),
                                                                      unit=exp.Var(this=unit)))
        return exp.cast(exp.DateTrunc(this=moment, unit=exp.Literal.string(grain)), exp.DataType.Type.DATE)

    def _condition(self, value: exp.Expression, item: ResolvedFilter) -> exp.Expression:
        values = [literal(v) for v in item.values]
        op = item.op
        if op == "=":
            return exp.EQ(this=value, expression=values[0])
        if op == "!=":
            return exp.NEQ(this=value, expression=values[0])
        if op in ("in", "not in"):
            condition = exp.In(this=value, expressions=values)
            return exp.Not(this=condition) if op == "not in" else condition
        if op == "between":
            return exp.Between(this=value, low=values[0], high=values[1])
        if op == "contains":
            return exp.GT(this=exp.StrPosition(this=value, substr=exp.Literal.string(str(item.values[0]))),
                          expression=exp.Literal.number(0))
        comparisons = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}
        return comparisons[op](this=value, expression=values[0])

    def _filter_condition(self, fact: Fact, item: ResolvedFilter, reach: Reach) -> exp.Expression:
        dimension = item.dimension
        if dimension.groups and item.op in ("=", "!=", "in", "not in"):
            # region = 华东 -> province IN (上海, 江苏, ...): the plain column keeps the filter simple
            members = [m for v in item.values for m in dimension.groups.get(v, ())] or list(item.values)
            base = ResolvedFilter(dimension, "in" if item.op in ("=", "in") else "not in", tuple(members))
            return self._condition(binding_value(reach.binding, self.query.today), base)
        return self._condition(self._dimension_value(fact, dimension, reach), item)

    def _joins(self, select: exp.Select, start: str, paths: list[tuple]) -> exp.Select:
        """Add the many-to-one joins of every path once, in path order."""
        seen = {start}
        for path in paths:
            for join in path:
                if join.target in seen:
                    continue
                seen.add(join.target)
                self._note_table(join.target)
                select = select.join(exp.to_table(join.target).as_(join.target), on=join_condition(join), copy=False)
        return select

    def _note_table(self, name: str) -> None:
        table = self.model.table_by_name[name]
        if table.sql and name not in self.derived_tables:
            self.derived_tables.append(name)

    def _tables_in(self, tree: exp.Expression) -> set[str]:
        return {c.table for c in tree.find_all(exp.Column) if c.table}

    def _aggregate(self, measure: Measure, fact: Fact) -> exp.Expression:
        value = (exp.Star() if measure.expr == "*" else self._snippet(measure.expr, fact.table))
        if measure.filter:
            condition = self._snippet(measure.filter, fact.table)
            value = exp.Case().when(condition, exp.Literal.number(1) if measure.expr == "*" else value)
        distinct = measure.agg == "count_distinct"
        if distinct:
            value = exp.Distinct(expressions=[value])
        function = {"sum": exp.Sum, "count": exp.Count, "count_distinct": exp.Count, "avg": exp.Avg,
                    "min": exp.Min, "max": exp.Max, "stddev": exp.StddevSamp}[measure.agg]
        return function(this=value)

    def _grouped(self, context: Context) -> list[ResolvedDimension]:
        """The dimensions a context groups by: the whole a share is of has none of the parts'."""
        return [d for d in self.query.dimensions if context.period != WHOLE or d.dimension.id not in self.query.share_of]

    def _fact_query(self, context: Context) -> exp.Select:
        select, group_values = self._rows(context)
        measures = [context.nested] if context.nested else context.measures
        if context.nested:
            return self._nested_query(select, context.fact, context.nested, group_values)
        select = select.select(*[value.as_(_identifier(name)) for name, value in group_values],
                               *[self._aggregate(m, context.fact).as_(_identifier(m.name)) for m in measures],
                               copy=False)
        if group_values:
            select = select.group_by(*[value.copy() for _, value in group_values], copy=False)
        return select

    def _rows(self, context: Context,
              keyed_by: str | None = None) -> tuple[exp.Select, list[tuple[str, exp.Expression]]]:
        """The rows of a context's fact, joined and filtered, and the values it groups by; ``keyed_by``:
        a table they must join as well (whose keys they are grouped by)."""
        fact, query = context.fact, self.query
        self._note_table(fact.table)
        group_values: list[tuple[str, exp.Expression]] = []
        bridged_groups: list[tuple[str, ResolvedDimension, Reach]] = []
        paths: list[tuple] = []
        for item in self._grouped(context):
            if item.dimension.time:
                group_values.append((item.dimension.id, self._time_bucket(fact, item.grain, context.period)))
                continue
            if item.ever:  # who ever had one of the values, and the rest, by the people the metric counts
                chosen = self._ever_condition(ResolvedFilter(item.dimension, "in", item.versus, item.ever), fact, paths)
                group_values.append((item.dimension.id, exp.Case().when(chosen, literal(item.labels[0])).else_(
                    literal(item.labels[1]))))
                continue
            reach = reach_dimension(self.model, fact, item.dimension)
            if reach.bridge:
                bridged_groups.append((item.dimension.id, item, reach))
            else:
                paths.append(reach.path)
                group_values.append((item.dimension.id, self._group_value(fact, item, reach)))

        conditions: list[exp.Expression] = []
        bridged_filters: list[tuple[ResolvedFilter, Reach]] = []
        if fact.default_filter and not lifts_default_filter(fact, self.query):
            conditions.append(self._snippet(fact.default_filter.condition, fact.table))
        if context.dated and fact.time:
            period = self.ranges[context.period]
            moment = self._time_column(fact)
            bound = date_literal if fact.time.type == "date" else timestamp_literal
            if period.start > OPEN_START:  # 'up to May' has no first day
                conditions.append(exp.GTE(this=moment.copy(), expression=bound(period.start)))
            conditions.append(exp.LT(this=moment, expression=bound(period.end)))
        filters = list(query.filters)
        if context.period == COMPARISON and query.compare_group:  # the other group in place of the first
            filters = [f for f in filters if f.dimension != query.compare_group.dimension] + [query.compare_group]
        for item in filters:
            if context.period == WHOLE and item.dimension.id in query.share_of:
                continue
            if item.ever:
                conditions.append(self._ever_condition(item, fact, paths))
                continue
            reach = reach_dimension(self.model, fact, item.dimension)
            if reach.bridge:
                bridged_filters.append((item, reach))
            else:
                paths.append(reach.path)
                conditions.append(self._filter_condition(fact, item, reach))

        conditions.extend(self._each_having_condition(item, fact, context.period, paths)
                          for item in query.each_having)
        if keyed_by:
            paths.append(forward_paths(self.model, fact.table)[keyed_by])
        measures = [context.nested] if context.nested else context.measures
        for tree in [*(v for _, v in group_values), *conditions,
                     *(self._aggregate(m, fact) for m in measures if m.agg != "count_entities")]:
            for table in self._tables_in(tree):
                if table in self.model.join_paths.get(fact.table, {}):
                    paths.append(self.model.join_paths[fact.table][table])
        if context.nested:
            for text in (context.nested.entity, context.nested.having):
                for table in self._tables_in(self._snippet(text, fact.table)):
                    paths.append(self.model.join_paths[fact.table][table])

        select = exp.select().from_(exp.to_table(fact.table).as_(fact.table), copy=False)
        select = self._joins(select, fact.table, paths)
        for bridge_join, reaches in self._bridges(bridged_groups, bridged_filters).items():
            select = self._bridge(select, fact, bridge_join, reaches, bridged_groups, bridged_filters)
            group_values.extend((dim_id, _column(dim_id, "bridge")) for dim_id, _, r in bridged_groups
                                if r.bridge == bridge_join)
        if conditions:
            select = select.where(exp.and_(*conditions), copy=False)
        return select, group_values

    def _ever_condition(self, item: ResolvedFilter, fact: Fact, paths: list) -> exp.Expression:
        """entity key IN (the keys of everyone the 'ever' metric counts with the value, all time);
        NOT IN for never. The join from ``fact`` to the entity's table goes into ``paths``."""
        positive = ResolvedFilter(item.dimension, "=" if item.op in ("=", "!=") else "in", item.values)
        inner = QueryCompiler(self.model, ResolvedQuery(
            metrics=(item.ever,), dimensions=(), filters=(positive,), time_range=None, order_by=(), limit=None,
            having=(), compare=None, today=self.query.today))
        condition = self._entity_in(counted_entity(self.model, item.ever), fact, paths, inner, inner.members())
        return exp.Not(this=condition) if item.op in ("!=", "not in") else condition

    def _each_having_condition(self, item: ResolvedEachHaving, fact: Fact, period: str, paths: list) -> exp.Expression:
        """entity key IN (the keys whose own metric passes, in the period's range and the query's
        filters). The join from ``fact`` to the entity's table goes into ``paths``."""
        entity = item.entity
        inner = QueryCompiler(self.model, replace(
            self.query, metrics=(item.metric,), dimensions=(), order_by=(), limit=None, having=(), compare=None,
            comparison=None, compare_group=None, share_of=(), count_groups=False, each_having=(),
            time_range=self.ranges.get(period, self.query.time_range)))
        rows, _ = inner._rows(Context(item.fact, CURRENT, dated=self.query.time_range is not None), entity.table)
        key = exp.column(entity.column, table=entity.table)
        keys = rows.select(key).group_by(key.copy()).having(
            _COMPARISONS[item.op](this=inner._aggregate(item.measure, item.fact), expression=literal(item.value)))
        return self._entity_in(entity, fact, paths, inner, keys)

    def _entity_in(self, entity: CountedEntity, fact: Fact, paths: list, inner: QueryCompiler,
                   keys: exp.Select) -> exp.Expression:
        """entity key IN (``keys``, selected by ``inner``): the join from ``fact`` to the entity's table
        goes into ``paths``, the derived tables ``inner`` reads into ours."""
        paths.append(forward_paths(self.model, fact.table)[entity.table])
        self.derived_tables.extend(t for t in inner.derived_tables if t not in self.derived_tables)
        return exp.In(this=exp.column(entity.column, table=entity.table), query=keys.subquery())

    def members(self) -> exp.Select:
        """The keys of everyone the query's one metric counts, with its filters and period (who a
        list holds); the derived tables it reads are noted in ``derived_tables``."""
        entity = counted_entity(self.model, self.query.metrics[0])
        rows, _ = self._rows(Context(entity.fact, CURRENT, dated=self.query.time_range is not None))
        key = self._snippet(entity.measure.expr, entity.fact.table)
        return rows.select(key.as_(entity.column)).where(
            exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null()))).distinct()

    def _bridges(self, groups, filters) -> dict:
        bridges: dict = {}
        for *_, reach in groups:
            bridges.setdefault(reach.bridge, []).append(reach)
        for _, reach in filters:
            bridges.setdefault(reach.bridge, []).append(reach)
        return bridges

    def _bridge(self, select: exp.Select, fact: Fact, bridge_join, reaches, groups, filters) -> exp.Select:
        """Rows of the fact that contain a matching line: a DISTINCT (key, dimensions) subquery
        over the one-to-many table when grouping, an IN (keys) condition when only filtering."""
        bridge_table = bridge_join.source
        inner = exp.select().from_(exp.to_table(bridge_table).as_(bridge_table))
        inner = self._joins(inner, bridge_table, [r.path for r in reaches])
        inner_conditions = [self._filter_condition(fact, item, reach) for item, reach in filters
                            if reach.bridge == bridge_join]
        if inner_conditions:
            inner = inner.where(exp.and_(*inner_conditions))
        keys = [(left, right) for left, right in bridge_join.keys]
        my_groups = [(dim_id, item, r) for dim_id, item, r in groups if r.bridge == bridge_join]
        if not my_groups:
            inner = inner.select(*[exp.column(left, table=bridge_table) for left, _ in keys])
            target = exp.column(keys[0][1], table=fact.table)
            return select.where(exp.In(this=target, query=inner.subquery()))
        inner = inner.select(*[exp.column(left, table=bridge_table).as_(_identifier(f"key_{i}"))
                               for i, (left, _) in enumerate(keys)],
                             *[self._group_value(fact, item, r).as_(_identifier(dim_id))
                               for dim_id, item, r in my_groups]).distinct()
        condition = exp.and_(*[exp.EQ(this=_column(f"key_{i}", "bridge"),
                                      expression=exp.column(right, table=fact.table))
                               for i, (_, right) in enumerate(keys)])
        return select.join(inner.subquery("bridge"), on=condition)

    def _nested_query(self, select: exp.Select, fact: Fact, measure: Measure, group_values) -> exp.Select:
        """count_entities: count the entities (per group) that satisfy a per-entity condition."""
        entity = self._snippet(measure.entity, fact.table)
        inner = select.select(*[value.as_(_identifier(name)) for name, value in group_values])
        inner = inner.group_by(*[value.copy() for _, value in group_values], entity.copy())
        inner = inner.having(self._snippet(measure.having, fact.table))
        inner = inner.select(entity.as_("entity"))
        outer = exp.select(*[_column(name, "entities") for name, _ in group_values],
                           exp.Count(this=exp.Star()).as_(_identifier(measure.name)))
        outer = outer.from_(inner.subquery("entities"))
        if group_values:
            outer = outer.group_by(*[_column(name, "entities") for name, _ in group_values])
        return outer

    # ---- the outer query -----------------------------------------------------------------
    def _contexts(self) -> tuple[list[Context], dict[tuple[str, str, str], Context]]:
        contexts: list[Context] = []
        lookup: dict[tuple[str, str, str], Context] = {}  # (metric id, measure, period) -> context
        for period in self.ranges:
            for metric in self.query.metrics:
                for column in parse_snippet(metric.expr).find_all(exp.Column):
                    fact, measure = self.model.fact_by_measure[column.name]
                    # each fact of the metric is dated when it can be (customers who did not buy in
                    # a period: every customer, less the period's buyers)
                    dated = metric.time_scope == "period" and fact.time is not None and \
                        self.query.time_range is not None
                    if period == COMPARISON and not has_time(self.model, metric) and self.query.compare != "group":
                        continue
                    nested = measure if measure.agg == "count_entities" else None
                    context = next((c for c in contexts if c.fact == fact and c.period == period
                                    and c.dated == dated and c.nested == nested), None)
                    if context is None:
                        undated = "all_time" if not dated and self.query.time_range else ""
                        context = Context(fact, period, dated, nested, undated_label=undated)
                        contexts.append(context)
                    if not nested and measure not in context.measures:
                        context.measures.append(measure)
                    lookup[(metric.id, measure.name, period)] = context
        return contexts, lookup

    def _metric_value(self, metric: Metric, period: str, lookup, joined: bool) -> exp.Expression:
        """The metric over CTE columns; after an outer join a missing count is 0, not unknown."""
        def to_cte(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column):
                context = lookup[(metric.id, node.name, period)]
                value = _column(node.name, context.alias)
                if joined and self.model.fact_by_measure[node.name][1].agg.startswith("count"):
                    return exp.Coalesce(this=value, expressions=[exp.Literal.number(0)])
                return value
            return node
        return _safe_division(parse_snippet(metric.expr).transform(to_cte))

    def compile(self) -> exp.Select:
        contexts, lookup = self._contexts()
        dims = [d.dimension.id for d in self.query.dimensions]
        outputs: list[tuple[str, exp.Expression]] = []
        metric_values: dict[str, exp.Expression] = {}
        for metric in self.query.metrics:
            current = self._metric_value(metric, CURRENT, lookup, len(contexts) > 1)
            metric_values[metric.id] = current
            outputs.append((metric.id, current))
            if COMPARISON in self.ranges and (metric.id, next(iter(
                    c.name for c in parse_snippet(metric.expr).find_all(exp.Column))), COMPARISON) in lookup:
                previous = self._metric_value(metric, COMPARISON, lookup, len(contexts) > 1)
                outputs.append((f"{metric.id}__previous", previous))
                outputs.append((f"{metric.id}__difference", exp.Sub(this=current.copy(), expression=previous.copy())))
                change = exp.Div(this=exp.Sub(this=current.copy(), expression=previous.copy()),
                                 expression=previous.copy())
                outputs.append((f"{metric.id}__change", _safe_division(change)))
            if WHOLE in self.ranges:
                whole = self._metric_value(metric, WHOLE, lookup, True)
                outputs.append((f"{metric.id}__share", _safe_division(exp.Div(this=current.copy(), expression=whole))))

        parts = [c for c in contexts if c.period != WHOLE]
        select = exp.select().from_(exp.to_table(parts[0].alias), copy=False)
        for context in parts[1:]:
            if dims:
                condition = exp.and_(*[exp.NullSafeEQ(this=self._dim_key(d, parts[:parts.index(context)]),
                                                      expression=_column(d, context.alias)) for d in dims])
                select = select.join(exp.to_table(context.alias), on=condition, join_type="FULL OUTER", copy=False)
            else:
                select = select.join(exp.to_table(context.alias), join_type="CROSS", copy=False)
        for context in contexts:  # the whole a share is of: one row per group of the dimensions left
            if context.period == WHOLE:
                kept = [d.dimension.id for d in self._grouped(context)]
                condition = exp.and_(*[exp.NullSafeEQ(this=self._dim_key(d, parts), expression=_column(
                    d, context.alias)) for d in kept]) if kept else None
                select = select.join(exp.to_table(context.alias), on=condition,
                                     join_type="LEFT" if kept else "CROSS", copy=False)
        select = select.select(*[self._dim_key(d, parts).as_(_identifier(d)) for d in dims],
                               *[value.as_(_identifier(name)) for name, value in outputs], copy=False)

        conditions = []
        if len(parts) > 1:  # a group some fact never saw: keep it only if some metric has a value
            conditions.append(exp.or_(*[exp.Not(this=exp.Is(this=v.copy(), expression=exp.Null()))
                                        for v in metric_values.values()]))
        values = dict(outputs)  # a metric, or its difference or change in a comparison
        for metric_id, op, value in self.query.having:
            conditions.append(_COMPARISONS[op](this=values[metric_id].copy(), expression=literal(value)))
        if conditions:
            select = select.where(exp.and_(*conditions), copy=False)

        if self.query.count_groups:  # how many groups passed: one row
            select = exp.select(exp.Count(this=exp.Star()).as_(_identifier(GROUP_COUNT))).from_(select.subquery("passed"))
        else:
            ordering = self._ordering(dims)
            if ordering:
                select = select.order_by(*ordering, copy=False)
            if self.query.limit:
                select = select.limit(self.query.limit, copy=False)

        fact_queries = [(context.alias, self._fact_query(context)) for context in contexts]
        # the derived tables noted while the fact queries were built
        select = with_derived_tables(self.model, select, self.derived_tables, self.query.today)
        for alias, tree in fact_queries:
            select = select.with_(exp.to_identifier(alias), as_=tree)
        return select

    def _dim_key(self, dim_id: str, contexts: list[Context]) -> exp.Expression:
        columns = [_column(dim_id, c.alias) for c in contexts]
        return columns[0] if len(columns) == 1 else exp.Coalesce(this=columns[0], expressions=columns[1:])

    def _ordering(self, dims: list[str]) -> list[exp.Ordered]:
        ordering = [exp.Ordered(this=_column(name), desc=desc, nulls_first=False)
                    for name, desc in self.query.order_by]
        named = {name for name, _ in self.query.order_by}
        time_dims = [d.dimension.id for d in self.query.dimensions if d.dimension.time]
        if not ordering and self.query.dimensions and not time_dims:
            ordering.append(exp.Ordered(this=_column(self.query.metrics[0].id), desc=True, nulls_first=False))
            named.add(self.query.metrics[0].id)
        # ties broken by the dimensions, so the same query always returns the same row order
        ordering.extend(exp.Ordered(this=_column(d), desc=False, nulls_first=False)
                        for d in time_dims + dims if d not in named)
        return list({o.sql(): o for o in ordering}.values())


def with_derived_tables(model: SemanticModel, select: exp.Select, names: list[str], today) -> exp.Select:
    """``select`` with a CTE for each derived table named and each derived table those read, each
    after the ones it reads, their ``:today`` bound."""
    trees: dict[str, exp.Query] = {}  # in reading order: each after the ones it reads

    def visit(name: str, reading: frozenset[str]) -> None:
        if name in trees or name in reading:  # a table reading itself, directly or round about, stops here
            return
        tree = parse_derived_table(model.table_by_name[name].sql)
        for source in tree.find_all(exp.Table):
            if source.name in model.table_by_name and model.table_by_name[source.name].sql:
                visit(source.name, reading | {name})
        trees[name] = tree
    for name in names:
        visit(name, frozenset())
    for name, tree in trees.items():
        select = select.with_(exp.to_identifier(name), as_=bind_today(tree, today))
    return select


def compile_query(model: SemanticModel, query: ResolvedQuery) -> exp.Select:
    """Compile a resolved query into one SELECT tree (render with ``.sql(dialect)``)."""
    return QueryCompiler(model, query).compile()

