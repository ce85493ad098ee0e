"""The semantic model as frozen, typed objects: tables, joins, facts with measures, metrics and
dimensions. Parsed from YAML by ``loader.py``; cross-references are checked by ``rules.py``."""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from semantic_layer.metricflow.spec import MetricFlowSpec

Grain = Literal["day", "week", "month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "quarter", "year")
Format = Literal["money", "percent", "count", "ratio", "number"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Names(Frozen):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def pick(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class Table(Frozen):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    primary_key: tuple[str, ...] = Field(min_length=1)
    sql: str | None = Field(None, description="a derived table: one SELECT over other tables")
    columns: dict[str, str] | None = Field(None, description="column types of a derived table")
    sensitive: bool = Field(True, description="rows are business data: a row policy that cannot reach "
                                              "this table hides all of it (catalog tables say false)")
    predicted: str | None = Field(None, description="a derived table whose SELECT the service writes from a "
                                                    "prediction of the model, trained on the warehouse at start")


class Join(Frozen):
    """A many-to-one path: each row of ``source`` matches at most one row of ``target``."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    keys: tuple[tuple[str, str], ...] = Field(min_length=1, description="(from column, to column) pairs")


class TimeColumn(Frozen):
    column: str
    type: Literal["date", "timestamp"]


class DefaultFilter(Frozen):
    """A row filter that holds unless the query names the dimension that lifts it."""

    condition: str
    lifted_by: str | None = None
    time_when_lifted: str | None = None
    reading_when_lifted: Names | None = Field(None, description="what the fact counts, and by which time, when "
                                                                "the filter is lifted (all orders, by order time)")
    kept_for: list[str] = Field(default_factory=list, description="values of lifted_by inside the filter already "
                                                                 "(refunded orders were paid): choosing only "
                                                                 "these keeps it, and its time")


class Measure(Frozen):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    agg: Literal["sum", "count", "count_distinct", "avg", "min", "max", "stddev", "count_entities"]
    expr: str = "*"
    filter: str | None = None
    entity: str | None = Field(None, description="count_entities: the entity column")
    having: str | None = Field(None, description="count_entities: the per-entity condition")


class Fact(Frozen):
    name: str
    table: str
    time: TimeColumn | None = None
    default_filter: DefaultFilter | None = None
    bridges: tuple[str, ...] = Field(
        (), description="one-to-many tables whose dimensions mean 'rows containing a match'")
    measures: tuple[Measure, ...] = Field(min_length=1)
    reading: Names | None = Field(None, description="what the fact counts and by which time, shown in every "
                                                    "answer's reading (已付款订单 · 按支付时间)")


class Metric(Frozen):
    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    name: Names
    synonyms: tuple[str, ...] = ()
    description: Names
    format: Format
    expr: str = Field(description="arithmetic over measure names")
    time_scope: Literal["period", "all_time"] = "period"
    unit_words: tuple[str, ...] = Field((), description="what the metric counts or measures in words a question uses "
                                                        "with 多少/几/how many (件, 单, 人, 钱, units, people)")
    verbs: tuple[str, ...] = Field((), description="actions that go with the metric (卖, 买, 下单, sell, buy); they "
                                                   "choose between metrics that share a unit word")
    group_verbs: tuple[str, ...] = Field((), description="verbs that name the metric only when the question names "
                                                          "a group it can be filtered or split by, which the other "
                                                          "metrics of the verb cannot (金卡会员花了多少钱, which age "
                                                          "band spends the most: GMV; 我们花了多少钱: not)")
    complement_of: str | None = Field(None, description="the metric whose complement this one counts within the "
                                                        "same base (customers who did not buy vs buyers)")
    line_level: str | None = Field(None, description="the metric that measures the same over the lines of a fact "
                                                     "(GMV -> product sales), read instead when the question breaks "
                                                     "down by something only the lines have (product, category)")
    higher_is_better: bool = Field(True, description="'best/最好' ranks it from the top, 'worst/最差' from the bottom; "
                                                     "false for refund rate or churn")
    counts_members_of: tuple[str, ...] = Field((), description="dimensions whose values name groups of what the "
                                                               "metric counts: 'how many 重要价值客户' counts "
                                                               "customers")


class Binding(Frozen):
    table: str
    column: str | None = None
    expr: str | None = None


class Band(Frozen):
    label: str
    below: float | None = None


class Dimension(Frozen):
    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    label: Names
    description: Names | None = Field(None, description="how the dimension's values are decided, for the catalog")
    window_days: int | None = Field(None, ge=1, description="the values look back this many days from the reference "
                                                             "date (加购未付款: 7); a question naming that period with a "
                                                             "value means the value, not a period for the metric")
    synonyms: tuple[str, ...] = ()
    time: bool = False
    bindings: tuple[Binding, ...] = ()
    derived_from: str | None = None
    groups: dict[str, tuple[str, ...]] | None = None
    bands: tuple[Band, ...] | None = None
    value_synonyms: dict[str, str] = {}
    named_sets: dict[str, tuple[str, ...]] = Field({}, description="a name for several values at once "
                                                                   "(一线城市: 北京, 上海, 广州, 深圳)")
    kind_of: tuple[str, ...] = Field((), description="nouns this dimension is the type of: '各类型的活动', '哪种券' "
                                                     "(campaign type of 活动, coupon type of 券)")
    name_parts: dict[str, str] = Field({}, description="other words for parts of the values' names, to name a "
                                                       "value by part: {presale: 预热}")
    band_units: tuple[str, ...] = Field((), description="words after a number that measure what the bands split "
                                                        "('30岁以上', 'under 25 years old'): limits that fall on "
                                                        "band edges choose the bands")


class BestSelling(Frozen):
    """What 'best-selling / most popular / 卖得最好' means when a question names no metric or breakdown."""

    metric: str
    dimension: str


class CohortRetention(Frozen):
    """同期群留存: members grouped by the period of their first activity, and the share of each
    group active again k months later (spec/customer_ops.md 3)."""

    name: Names
    synonyms: tuple[str, ...] = ()
    description: Names
    metric: str = Field(description="counts the active members (buyers)")
    cohort: str = Field(description="the dimension naming each member's cohort month ('2025-01')")
    filter_as: dict[str, str] = Field({}, description="a filter on the key means one on the value: the channel of a "
                                                      "cohort is its first order's (channel: first_channel)")
    implied_filters: tuple[str, ...] = Field((), description="dimensions a question names that the cohort already "
                                                            "means (新客留存: customer_type), dropped")
    cohorts: int = Field(6, ge=1, le=36, description="how many complete months of cohorts when none is named")


class AbTestAnalysis(Frozen):
    """实验分析: per variant of a test, the recipients and their outcomes, each variant against the
    baseline with its significance (spec/customer_ops.md 2)."""

    name: Names
    synonyms: tuple[str, ...] = ()
    description: Names
    test: str = Field(description="the dimension naming the test")
    variant: str = Field(description="the dimension naming the variant")
    recipients: str = Field(description="the metric counting each variant's recipients")
    rates: tuple[str, ...] = Field(description="metrics that are shares of recipients (z-test)")
    means: dict[str, str] = Field({}, description="metric per recipient -> the metric of its standard deviation "
                                                  "(Welch's t-test)")
    baseline: tuple[str, ...] = Field(("对照", "control", "A"), description="variant names the others are "
                                                                          "compared with, first found first")


class Attribution(Frozen):
    """归因: a metric's change between two periods split over the members of each candidate
    dimension, the dimensions ranked by how much of it their top members explain (spec/customer_ops.md 1)."""

    name: Names
    synonyms: tuple[str, ...] = ()
    description: Names
    dimensions: tuple[str, ...] = Field(description="candidates, in order of preference on ties")
    additive: tuple[str, ...] = Field(description="metrics whose members add up to the whole: a member's part of "
                                                  "the change is its own change")
    denominators: dict[str, str] = Field({}, description="ratio metric -> the metric of its denominator: the change "
                                                         "splits into rate and mix effects")
    unassigned: Names = Field(Names(zh="（未归属）", en="(none)"),
                              description="the member of what no member of a dimension takes (orders without a "
                                          "campaign)")


class Tier(Frozen):
    label: str
    at_least: float = Field(ge=0, le=1)


class Prediction(Frozen):
    """A predicted tag (流失风险): who has no event within ``horizon_days`` after a reference date,
    fitted by time split on the warehouse (spec/customer_ops.md 5) and shown as tiers."""

    table: str = Field(description="the predicted table it fills: entity, tier column, probability column")
    entity: str
    features: str = Field(description="one SELECT at :today: the entity and its features, one row each")
    events: str = Field(description="one SELECT of (entity, happened): the events whose absence is the outcome")
    horizon_days: int = Field(90, ge=1)
    categorical: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = Field(min_length=1, description="highest first; the last takes every probability")
    tier_column: str
    probability_column: str


class CustomerList(Frozen):
    """圈人: the people a counting metric counts with a question's filters, one row each from a
    derived table of their attributes (spec/customer_ops.md 6)."""

    name: Names
    synonyms: tuple[str, ...] = ()
    description: Names
    who: str = Field(description="the metric whose people the filters choose (customer_count)")
    table: str = Field(description="a derived table: one row per person, their key first, then the list's columns")
    labels: dict[str, Names] = Field({}, description="column names, where a column is not a dimension's")
    metric_columns: dict[str, str] = Field({}, description="columns that show a metric (lifetime_gmv: gmv): left "
                                                           "out for a role the metric is hidden from")
    preview: int = Field(20, ge=1, le=200, description="rows shown in the answer before the download")


class Analyses(Frozen):
    cohort_retention: CohortRetention | None = None
    ab_test: AbTestAnalysis | None = None
    attribution: Attribution | None = None
    customer_list: CustomerList | None = None


class Pattern(Frozen):
    """A way of asking the catalog shows with its definition, that is no metric or dimension of its own
    (买过X没买过Y: an 'ever' filter or split)."""

    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    name: Names
    description: Names
    examples: tuple[str, ...] = ()


class SemanticModel(Frozen):
    name: str
    title: Names
    tables: tuple[Table, ...]
    joins: tuple[Join, ...]
    facts: tuple[Fact, ...]
    metrics: tuple[Metric, ...]
    dimensions: tuple[Dimension, ...]
    neutral_words: tuple[str, ...] = Field((), description="words of the business that name who or what a "
                                                           "question is about without changing it (客户, customers)")
    best_selling: BestSelling | None = None
    analyses: Analyses = Analyses()
    predictions: dict[str, Prediction] = {}
    patterns: tuple[Pattern, ...] = Field((), description="ways of asking shown in the catalog with their definitions")
    hierarchies: tuple[tuple[str, ...], ...] = Field((), description="dimensions from coarse to fine (region, "
                                                                      "province, city): a follow-up's filter on one "
                                                                      "replaces filters on the others")
    metricflow: MetricFlowSpec | None = Field(None, description="a model imported from dbt's semantic layer: "
                                                                "MetricFlow's own definitions, for /api/v1/mf/query")

    @cached_property
    def table_by_name(self) -> dict[str, Table]:
        return {t.name: t for t in self.tables}

    @cached_property
    def metric_by_id(self) -> dict[str, Metric]:
        return {m.id: m for m in self.metrics}

    @cached_property
    def dimension_by_id(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.dimensions}

    @cached_property
    def time_dimension(self) -> str:
        """The id of the dimension that splits by time (by day, month ...)."""
        return next((d.id for d in self.dimensions if d.time), "date")

    @cached_property
    def fact_by_measure(self) -> dict[str, tuple[Fact, Measure]]:
        return {m.name: (f, m) for f in self.facts for m in f.measures}

    @cached_property
    def join_paths(self) -> dict[str, dict[str, tuple[Join, ...]]]:
        """For every table, the shortest many-to-one join path to each table it reaches."""
        result = {}
        for start in self.table_by_name:
            paths: dict[str, tuple[Join, ...]] = {start: ()}
            queue = deque([start])
            while queue:
                table = queue.popleft()
                for join in self.joins:
                    if join.source == table and join.target not in paths:
                        paths[join.target] = paths[table] + (join,)
                        queue.append(join.target)
            result[start] = paths
        return result
