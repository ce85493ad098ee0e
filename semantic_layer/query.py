"""SemanticQuery: the one spec every front end (API, parser, LLM) produces."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from semantic_layer.model import Grain

FilterOp = Literal["=", "!=", "in", "not in", ">", ">=", "<", "<=", "between", "contains"]
Scalar = str | int | float
ChartType = Literal["line", "bar", "grouped_bar", "pie", "kpi", "table", "heatmap", "verdict"]
AnalysisKind = Literal["cohort_retention", "ab_test", "attribution", "customer_list"]
ANALYSES: tuple[str, ...] = ("cohort_retention", "ab_test", "attribution", "customer_list")
MAX_LIMIT = 10_000
GROUP_COUNT = "group_count"  # the one column of a count_groups answer


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DimensionRef(Strict):
    name: str = Field(min_length=1, max_length=64, description="a dimension id, e.g. 'channel' or 'date'")
    grain: Grain | None = Field(None, description="time grain; only for the 'date' dimension")
    versus: list[Scalar] | None = Field(None, min_length=1, max_length=1000,
                                        description="two groups instead of every value: these values against "
                                                    "all the others (金卡 vs the other member levels)")
    versus_labels: tuple[str, str] | None = Field(None, description="the two groups' names (default: the values "
                                                                      "joined, and 其余)")
    ever: str | None = Field(None, max_length=64,
                             description="with versus: split the people this metric counts (buyer_count) into those "
                                         "who ever had one of the versus values (买过面霜) and those who never did, "
                                         "all time")

    @model_validator(mode="after")
    def _ever_splits_two_ways(self) -> DimensionRef:
        if self.ever and not self.versus:
            raise ValueError("'ever' splits by the 'versus' values: name them")
        return self


class Filter(Strict):
    dimension: str = Field(min_length=1, max_length=64)
    op: FilterOp = "="
    value: Scalar | list[Scalar] = Field(description="a list for 'in', 'not in' and 'between'")
    ever: str | None = Field(None, max_length=64,
                             description="a metric that counts people or things (buyer_count): keep those it "
                                         "counts who ever had a row with this value (买过精华: category = 精华), "
                                         "or with '!=' / 'not in', never had one (没买过面霜), all time")

    @model_validator(mode="after")
    def _value_fits_op(self) -> Filter:
        is_list = isinstance(self.value, list)
        if self.ever is not None and self.op not in ("=", "!=", "in", "not in"):
            raise ValueError("'ever' takes '=', '!=', 'in' or 'not in'")
        if self.op in ("in", "not in") and not (is_list and self.value):
            raise ValueError(f"'{self.op}' needs a non-empty list of values")
        if self.op == "between" and not (is_list and len(self.value) == 2):
            raise ValueError("'between' needs a list of two values")
        if self.op not in ("in", "not in", "between") and is_list:
            raise ValueError(f"'{self.op}' needs a single value")
        if is_list and len(self.value) > 1000:
            raise ValueError("at most 1000 values")
        return self


class TimeRange(Strict):
    """Either absolute dates (half-open: ``end`` is the first day NOT included) or a time
    expression ('上个月', 'last 7 days', '2025年Q2') resolved against the reference date."""

    start: dt.date | None = None
    end: dt.date | None = Field(None, description="exclusive")
    expression: str | None = Field(None, max_length=100)

    @model_validator(mode="after")
    def _one_form(self) -> TimeRange:
        if self.expression is not None and (self.start or self.end):
            raise ValueError("give either start/end or expression, not both")
        if self.expression is None and not (self.start and self.end):
            raise ValueError("give both start and end (end exclusive), or an expression")
        if self.start and self.end and self.start >= self.end:
            raise ValueError("start must be before end (end is exclusive)")
        return self


class OrderBy(Strict):
    field: str = Field(min_length=1, max_length=80, description="a metric or dimension id of the query; with a "
                                                                 "comparison also <metric>__difference or "
                                                                 "<metric>__change")
    direction: Literal["asc", "desc"] = "desc"


class Having(Strict):
    metric: str = Field(min_length=1, max_length=80, description="a metric id of the query; with a comparison "
                                                                 "also <metric>__difference or <metric>__change")
    op: Literal[">", ">=", "<", "<=", "=", "!="]
    value: float


class EachHaving(Strict):
    """A limit on each person or thing a metric counts, not on a group of the breakdown."""

    per: str = Field(min_length=1, max_length=80, description="a metric that counts people or things "
                                                              "(buyer_count: customers, order_count: orders)")
    metric: str = Field(min_length=1, max_length=80, description="a metric each of them must pass, a plain sum or "
                                                                 "count (gmv, order_count), in the query's period "
                                                                 "and filters")
    op: Literal[">", ">=", "<", "<=", "=", "!="]
    value: float


class SemanticQuery(Strict):
    metrics: list[str] = Field(default_factory=list, max_length=10, description="metric ids (at least one, unless "
                                                                               "the query is an analysis)")
    analysis: AnalysisKind | None = Field(None, description="an analysis the model defines, built from this query's "
                                                            "filters and time range: 'cohort_retention' (the cohort x "
                                                            "month retention matrix of the cohorts in time_range, "
                                                            "default the last 6 complete months), 'ab_test' (each "
                                                            "test's variants with significance; filter the test by "
                                                            "name) or 'attribution' (why one metric changed: "
                                                            "time_range, default last month, against compare, default "
                                                            "previous_period; dimensions limit the candidates) or "
                                                            "'customer_list' (who the filters choose: their count, and "
                                                            "the list to export). The model gives the rest")
    dimensions: list[DimensionRef] = Field(default_factory=list, max_length=4)
    filters: list[Filter] = Field(default_factory=list, max_length=20)
    time_range: TimeRange | None = None
    order_by: list[OrderBy] = Field(default_factory=list, max_length=5)
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT)
    having: list[Having] = Field(default_factory=list, max_length=5)
    each_having: list[EachHaving] = Field(default_factory=list, max_length=3,
                                          description="keep only the people or things `per` counts whose own "
                                                      "`metric` passes (消费超过1万的客户有多少人: per buyer_count, "
                                                      "gmv > 10000; orders over 1000 yuan: per order_count, gmv > "
                                                      "1000; 至少下过5单的客户: per buyer_count, order_count >= 5)")
    compare: Literal["previous_period", "same_period_last_year", "period", "group"] | None = None
    compare_to: TimeRange | None = Field(None, description="the period to compare with when compare is 'period' "
                                                            "(去年双11 vs 今年618)")
    compare_group: Filter | None = Field(None, description="the group to compare with when compare is 'group': the "
                                                           "same dimension as one of the filters, another value "
                                                           "(满减券的核销率比无门槛券低多少)")
    chart: ChartType | None = Field(None, description="preferred chart; chosen from the result when absent")
    share_of: list[str] = Field(default_factory=list, max_length=4,
                                description="dimensions whose parts each row is a share of: adds <metric>__share, "
                                            "the value over the same query without their breakdown and filters "
                                            "(各渠道GMV占比: [channel]; 平台电商占今年GMV的比例: [channel_type])")
    count_groups: bool = Field(False, description="answer how many groups of the breakdown pass `having`, not the "
                                                  "groups (日GMV过10万的有几天: dimensions [date by day], having "
                                                  "GMV > 100000)")

    @field_validator("dimensions", mode="before")
    @classmethod
    def _names_as_refs(cls, value):
        """Accept plain ids as shorthand: ["channel", {"name": "date", "grain": "month"}]."""
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _comparison_period(self) -> SemanticQuery:
        if not self.metrics and not self.analysis:
            raise ValueError("name at least one metric")
        if (self.compare == "period") != (self.compare_to is not None):
            raise ValueError("compare 'period' goes with compare_to, and compare_to with compare 'period'")
        if (self.compare == "group") != (self.compare_group is not None):
            raise ValueError("compare 'group' goes with compare_group, and compare_group with compare 'group'")
        if self.count_groups and not (self.dimensions and self.having):
            raise ValueError("count_groups counts the groups of a breakdown that pass a having: name both")
        return self
