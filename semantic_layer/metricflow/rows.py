"""One semantic model's rows with the columns a MetricFlow query needs: its measure, the items it
groups and filters by (joined along entities, ``listing__user__home_state`` two hops away), and its
time, re-timed by offsets and cumulative windows over the time spine before anything is aggregated."""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from semantic_layer.metricflow.names import METRIC_TIME, Item, MfQueryInvalid
from semantic_layer.metricflow.spec import (TIME_GRAINS, MetricFlowSpec, MfDimension, MfEntity, MfSemanticModel,
                                            MfTimeSpine, Window)


def snippet(sql: str, alias: str) -> exp.Expression:
    """A model expression (``booking_value``, ``CASE WHEN is_instant ...``) with its columns on ``alias``."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    for column in tree.find_all(exp.Column):
        if not column.table:
            column.set("table", exp.to_identifier(alias))
    return tree


def truncated(grain: str, value: exp.Expression) -> exp.Expression:
    return exp.func("date_trunc", exp.Literal.string(grain), value)


def interval(count: int, grain: str) -> exp.Interval:
    return exp.Interval(this=exp.Literal.string(str(count)), unit=exp.Var(this=grain.upper()))


@dataclass(frozen=True)
class Retime:
    """A change of a row's time: shifted by a window, moved to the start of a grain's period (every day of
    the period takes the value of its first), or spread over the days a cumulative window covers."""

    kind: str  # "offset_window" | "offset_to_grain" | "cumulative"
    window: Window | None = None
    grain: str | None = None  # offset_to_grain / cumulative grain_to_date
    period: str | None = None  # offset_to_grain by week, month...: only the first day of each such period
    within: tuple[exp.Expression, exp.Expression] | None = None  # cumulative: the spine's days inside the
    # query's time constraint, before any offset moves them


class Rows:
    def __init__(self, spec: MetricFlowSpec, home: MfSemanticModel, time_dimension: str | None,
                 infer: bool = True, entity_join: str = "left") -> None:
        """``entity_join``: how other semantic models join (full outer for a query without metrics)."""
        self.spec, self.home, self.infer, self.entity_join = spec, home, infer, entity_join
        self.query = exp.select().from_(exp.to_table(home.table).as_("s"))
        self._hops: dict[tuple, tuple[str, MfSemanticModel]] = {(): ("s", home)}
        self._joins = 0
        self.time: exp.Expression | None = None
        self.time_grain = "day"
        self.time_dimension = time_dimension
        if time_dimension:
            dimension = home.dimension_by_name.get(time_dimension)
            if dimension is None:
                raise MfQueryInvalid(f"{home.name} has no time dimension {time_dimension}")
            self.time_grain = _base_grain(dimension.grain)
            self.time = truncated(self.time_grain, snippet(dimension.expr, "s"))

    def _alias(self) -> str:
        self._joins += 1
        return f"j{self._joins}"

    def join(self, table: str, on: exp.Expression, alias: str, kind: str = "left") -> None:
        self.query = self.query.join(exp.to_table(table).as_(alias), on=on, join_type=kind)

    # items -------------------------------------------------------------------------------------------
    def _hop(self, path: tuple[str, ...], want: str | None) -> tuple[str, MfSemanticModel]:
        """Join along ``path`` (entities) from the home model; the last hop to a model that has ``want``."""
        key = (path, want)
        if key in self._hops:
            return self._hops[key]
        alias, model = self._hop(path[:-1], path[-1]) if len(path) > 1 else self._hops[()]
        entity = path[-1]
        own = model.entity_by_name.get(entity)
        if own is None:
            raise MfQueryInvalid(f"{model.name} has no entity {entity}")
        targets = [t for t in self.spec.semantic_models if t is not model and t.identifies(entity)
                   and (want is None or want in t.dimension_by_name or want in t.entity_by_name)]
        if not targets:
            raise MfQueryInvalid(f"no semantic model identifies {entity} with {want}")
        target = targets[0]
        target_alias = self._alias()
        on = exp.EQ(this=snippet(own.expr, alias), expression=snippet(target.entity_by_name[entity].expr
                                                                       if entity in target.entity_by_name
                                                                       else own.expr, target_alias))
        self.join(target.table, exp.and_(on, *self._partitions(alias, model, target_alias, target)), target_alias,
                  self.entity_join)
        self._hops[key] = (target_alias, target)
        return self._hops[key]

    def _partitions(self, alias: str, model: MfSemanticModel, target_alias: str,
                    target: MfSemanticModel) -> list[exp.Expression]:
        """A partition of the target matches the same partition of the side it joins, or of the home model."""
        conditions = []
        for partition in (d for d in target.dimensions if d.partition):
            for side_alias, side in ((alias, model), ("s", self.home)):
                own = side.dimension_by_name.get(partition.name)
                if own is not None and own.partition:
                    conditions.append(exp.EQ(this=truncated("day", snippet(own.expr, side_alias)),
                                             expression=truncated("day", snippet(partition.expr, target_alias))))
                    break
        return conditions

    def _owner(self, path: tuple[str, ...], name: str) -> tuple[str, MfSemanticModel]:
        alias, model = self._hop(path[:-1], path[-1]) if len(path) > 1 else self._hops[()]
        if path and model.identifies(path[-1]) and (name in model.dimension_by_name or name in model.entity_by_name):
            return alias, model
        if not path:
            if name in model.entity_by_name:
                return alias, model
            raise MfQueryInvalid(f"{name} is not an entity of {model.name}")
        return self._hop(path, name)

    def resolve(self, item: Item, default_grain: str) -> tuple[str, exp.Expression]:
        """The item's column name and expression on these rows."""
        if item.name == METRIC_TIME and not item.path:
            if self.time is None:
                raise MfQueryInvalid(f"{self.home.name} has no time to group by")
            grain = item.grain or default_grain
            return item.column((), grain), self.time_value(self.time, grain, item.date_part)
        if self.is_own_time(item):  # the aggregation time: offsets and windows move it as they move metric_time
            grain = item.grain or self.time_grain
            return item.column(item.path, grain), self.time_value(self.time, grain, item.date_part)
        tried: list[str] = []
        inferred = [(e.name, *item.path) for e in self.home.entities] if self.infer else []
        for path in [item.path] + inferred:
            try:
                alias, model = self._owner(path, item.name)
            except MfQueryInvalid as error:
                tried.append(str(error))
                continue
            element = model.dimension_by_name.get(item.name) or model.entity_by_name[item.name]
            return self._element(item, path, alias, element)
        raise MfQueryInvalid(f"cannot reach {item.column(item.path, item.grain)} from {self.home.name}: {tried[0]}")

    def is_own_time(self, item: Item) -> bool:
        return (self.time is not None and len(item.path) == 1 and item.name == self.time_dimension
                and self.home.identifies(item.path[0]))

    def _element(self, item: Item, path: tuple[str, ...], alias: str,
                 element: MfDimension | MfEntity) -> tuple[str, exp.Expression]:
        value = snippet(element.expr, alias)
        if isinstance(element, MfEntity) or element.type == "categorical":
            return item.column(path, None), value
        grain = item.grain or element.grain or "day"
        return item.column(path, grain), self.time_value(value, grain, item.date_part)

    def time_value(self, value: exp.Expression, grain: str, date_part: str | None) -> exp.Expression:
        if date_part:
            return exp.Extract(this=exp.Var(this=date_part.upper()), expression=value)
        if grain in TIME_GRAINS:
            return truncated(grain, value)
        spine, column = self._custom(grain)
        alias = self._alias()
        self.join(spine.table, exp.EQ(this=exp.column(spine.column, alias), expression=truncated("day", value)),
                  alias)
        return exp.column(column, alias)

    def _custom(self, grain: str) -> tuple[MfTimeSpine, str]:
        if grain not in self.spec.custom_granularities:
            raise MfQueryInvalid(f"unknown time grain {grain}")
        return self.spec.custom_granularities[grain]

    # time --------------------------------------------------------------------------------------------
    def retime(self, change: Retime) -> None:
        if self.time is None:
            raise MfQueryInvalid(f"{self.home.name} has no time to shift")
        if change.kind == "offset_window" and change.window.grain not in TIME_GRAINS:
            raise MfQueryInvalid(f"offsets by custom grain {change.window.grain} are not supported")
        if change.kind == "offset_window" and self.time_grain != "day":  # finer than the day spine
            self.time = exp.Add(this=self.time, expression=interval(change.window.count, change.window.grain))
            return
        spine = time_spine(self.spec, self.time_grain)
        alias = self._alias()
        day = exp.column(spine.column, alias)
        if change.kind == "offset_window":  # through the spine: a month before March 30 and 31 is February 29
            on = exp.EQ(this=exp.Sub(this=day, expression=interval(change.window.count, change.window.grain)),
                        expression=self.time)
        elif change.kind == "offset_to_grain":
            on = exp.EQ(this=truncated(change.grain, day), expression=self.time)
            if change.period:
                on = exp.and_(on, exp.EQ(this=truncated(change.period, day), expression=day))
        else:
            on = exp.LTE(this=self.time, expression=day)
            if change.window:
                on = exp.and_(on, exp.GT(this=self.time, expression=exp.Sub(
                    this=day, expression=interval(change.window.count, change.window.grain))))
            if change.grain:
                on = exp.and_(on, exp.GTE(this=self.time, expression=truncated(change.grain, day)))
            if change.within:
                on = exp.and_(on, exp.GTE(this=day, expression=change.within[0]),
                              exp.LT(this=day, expression=change.within[1]))
        self.join(spine.table, on, alias, "inner")
        self.time = day


def time_spine(spec: MetricFlowSpec, grain: str) -> MfTimeSpine:
    """The spine of ``grain``, else the day's."""
    spines = [s for s in spec.time_spines if s.grain == grain] or [s for s in spec.time_spines if s.grain == "day"]
    if not spines:
        raise MfQueryInvalid("the model has no time spine")
    return spines[0]


def _base_grain(grain: str | None) -> str:
    return grain if grain in TIME_GRAINS else "day"
