"""What a model imported from dbt's semantic layer keeps of MetricFlow's own definitions, beside
the tables, facts, metrics and dimensions it also maps to: every metric type with its parameters,
the entities that join semantic models, time dimensions with grains, time spines and custom
granularities. Written by ``importer.py``, read by the MetricFlow query compiler."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Grains from finest to coarsest, as MetricFlow names them.
TIME_GRAINS = ("nanosecond", "microsecond", "millisecond", "second", "minute", "hour", "day", "week", "month",
               "quarter", "year")


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MfEntity(Spec):
    name: str
    type: Literal["primary", "unique", "foreign", "natural"]
    expr: str


class MfDimension(Spec):
    name: str
    type: Literal["categorical", "time"]
    expr: str
    grain: str | None = Field(None, description="a time dimension's own (finest) grain")
    partition: bool = Field(False, description="a partition: joins also match it with the same partition of the "
                                               "other side")


class NonAdditive(Spec):
    """A semi-additive measure: per group, only the rows at the first or last value of ``dimension``."""

    dimension: str
    window_choice: Literal["min", "max"]
    window_groupings: tuple[str, ...] = ()


class MfMeasure(Spec):
    name: str
    agg: Literal["sum", "count", "count_distinct", "sum_boolean", "min", "max", "average", "median", "percentile"]
    expr: str
    agg_time_dimension: str
    percentile: float | None = None
    discrete: bool = False
    approximate: bool = False
    non_additive: NonAdditive | None = None


class MfSemanticModel(Spec):
    name: str
    table: str
    primary_entity: str | None = None
    entities: tuple[MfEntity, ...] = ()
    dimensions: tuple[MfDimension, ...] = ()
    measures: tuple[MfMeasure, ...] = ()

    @cached_property
    def dimension_by_name(self) -> dict[str, MfDimension]:
        return {d.name: d for d in self.dimensions}

    @cached_property
    def entity_by_name(self) -> dict[str, MfEntity]:
        return {e.name: e for e in self.entities}

    def identifies(self, entity: str) -> bool:
        """Whether each row is one ``entity`` (so its dimensions are ``entity__dimension``)."""
        own = self.entity_by_name.get(entity)
        return entity == self.primary_entity or (own is not None and own.type != "foreign")


class Window(Spec):
    count: int
    grain: str


class MfInput(Spec):
    """A measure or metric a metric is made of, with its own filter, alias and time shift."""

    name: str
    alias: str | None = None
    filter: tuple[str, ...] = ()
    offset_window: Window | None = None
    offset_to_grain: str | None = None
    fill_nulls_with: int | None = None
    join_to_timespine: bool = False


class MfConversion(Spec):
    base_measure: MfInput
    conversion_measure: MfInput
    entity: str
    calculation: Literal["conversion_rate", "conversions"] = "conversion_rate"
    window: Window | None = None
    constant_properties: tuple[tuple[str, str], ...] = Field((), description="(base property, conversion property)")


class MfMetric(Spec):
    name: str
    type: Literal["simple", "ratio", "derived", "cumulative", "conversion"]
    description: str = ""
    label: str | None = None
    filter: tuple[str, ...] = ()
    measure: MfInput | None = None
    numerator: MfInput | None = None
    denominator: MfInput | None = None
    expr: str | None = None
    inputs: tuple[MfInput, ...] = ()
    window: Window | None = None
    grain_to_date: str | None = None
    period_agg: Literal["first", "last", "average"] = "first"
    conversion: MfConversion | None = None
    time_granularity: str | None = None


class MfTimeSpine(Spec):
    table: str
    column: str
    grain: str
    custom_granularities: dict[str, str] = Field({}, description="name -> column")


class MfSavedQuery(Spec):
    name: str
    metrics: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    limit: int | None = None


class MetricFlowSpec(Spec):
    semantic_models: tuple[MfSemanticModel, ...]
    metrics: tuple[MfMetric, ...]
    time_spines: tuple[MfTimeSpine, ...] = ()
    saved_queries: tuple[MfSavedQuery, ...] = ()

    @cached_property
    def metric_by_name(self) -> dict[str, MfMetric]:
        return {m.name: m for m in self.metrics}

    @cached_property
    def measure_home(self) -> dict[str, tuple[MfSemanticModel, MfMeasure]]:
        return {m.name: (s, m) for s in self.semantic_models for m in s.measures}

    @cached_property
    def custom_granularities(self) -> dict[str, tuple[MfTimeSpine, str]]:
        return {name: (spine, column) for spine in self.time_spines
                for name, column in spine.custom_granularities.items()}
