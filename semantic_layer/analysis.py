"""An analysis query -> the plain semantic query that fetches its figures: the analyses the model
defines (cohort retention, A/B tests, why a metric changed, customer lists) are built from the
query's filters and time range, with the metrics and dimensions the model names for them. The
service shapes the rows afterwards (and runs attribution's and a list's further queries)."""

from __future__ import annotations

import datetime as dt

from semantic_layer.errors import QueryInvalid
from semantic_layer.model import SemanticModel
from semantic_layer.query import DimensionRef, Filter, SemanticQuery, TimeRange
from semantic_layer.timeexpr import DateRange, add_months, last_complete_month, month_start, resolve_time_expression

MAX_COHORTS = 36


def expand_analysis(model: SemanticModel, query: SemanticQuery, today: dt.date) -> SemanticQuery:
    """The query whose rows an analysis is computed from (a plain query is returned as it is)."""
    if query.analysis == "cohort_retention":
        return _cohort_query(model, query, today)
    if query.analysis == "ab_test":
        return _ab_test_query(model, query)
    if query.analysis == "attribution":
        return _change_query(model, query, today)
    if query.analysis == "customer_list":
        return _list_count(model, query)
    return query


def cohort_months(time_range: DateRange | None, today: dt.date, default: int) -> list[dt.date]:
    """The complete months whose first buyers form the cohorts: as many as a period reaching today
    spans ('最近6个月': the last 6), those an earlier period covers, or the last ``default``.

    >>> [m.isoformat() for m in cohort_months(None, dt.date(2025, 7, 1), 3)]
    ['2025-04-01', '2025-05-01', '2025-06-01']
    >>> [m.isoformat() for m in cohort_months(DateRange(dt.date(2024, 11, 1), dt.date(2025, 2, 1)), dt.date(2025, 7, 9), 6)]
    ['2024-11-01', '2024-12-01', '2025-01-01']
    >>> len(cohort_months(DateRange(dt.date(2025, 3, 4), dt.date(2025, 8, 31)), dt.date(2025, 8, 31), 6))
    6
    """
    current = month_start(today)
    if time_range is None:
        return [add_months(current, -default + i) for i in range(default)]
    if time_range.start < current <= time_range.end:  # '最近6个月' to today: the last 6 complete months, any day
        count = max(1, round(time_range.days / 30.44))
        return [add_months(current, -count + i) for i in range(count)]
    months, month = [], month_start(time_range.start)
    while month < min(time_range.end, current):
        months.append(month)
        month = add_months(month, 1)
    return months


def _cohort_query(model: SemanticModel, query: SemanticQuery, today: dt.date) -> SemanticQuery:
    spec = model.analyses.cohort_retention
    if spec is None:
        raise QueryInvalid("这个模型没有定义同期群留存分析", "this model defines no cohort retention analysis")
    named = None
    if query.time_range is not None:
        named = (resolve_time_expression(query.time_range.expression, today) if query.time_range.expression
                 else DateRange(query.time_range.start, query.time_range.end))
    months = cohort_months(named, today, spec.cohorts)
    if not months:
        raise QueryInvalid("这段时间里没有已结束的完整月份，无法计算同期群留存",
                           "no complete month in that period to form a cohort from")
    if len(months) > MAX_COHORTS:
        raise QueryInvalid(f"同期群最多 {MAX_COHORTS} 个月，请缩短时间范围",
                           f"at most {MAX_COHORTS} monthly cohorts; name a shorter period")
    filters = [f.model_copy(update={"dimension": spec.filter_as.get(f.dimension, f.dimension)})
               for f in query.filters if f.dimension not in spec.implied_filters and f.dimension != spec.cohort]
    labels = [m.strftime("%Y-%m") for m in months]
    return SemanticQuery(
        metrics=[spec.metric],
        dimensions=[DimensionRef(name=spec.cohort), DimensionRef(name=model.time_dimension, grain="month")],
        filters=[*filters, Filter(dimension=spec.cohort, op="in", value=labels)],
        time_range=TimeRange(start=months[0], end=month_start(today)))


def _ab_test_query(model: SemanticModel, query: SemanticQuery) -> SemanticQuery:
    spec = model.analyses.ab_test
    if spec is None:
        raise QueryInvalid("这个模型没有定义A/B测试分析", "this model defines no A/B test analysis")
    metrics = list(dict.fromkeys([spec.recipients, *spec.rates, *spec.means, *spec.means.values()]))
    # each test's own window (first assignment to 30 days after the last) is its period
    return SemanticQuery(metrics=metrics, dimensions=[DimensionRef(name=spec.test), DimensionRef(name=spec.variant)],
                         filters=query.filters)


def _change_query(model: SemanticModel, query: SemanticQuery, today: dt.date) -> SemanticQuery:
    """The metric's total in the period and the one compared with (default: last month against the
    month before)."""
    spec = model.analyses.attribution
    if spec is None:
        raise QueryInvalid("这个模型没有定义归因分析", "this model defines no attribution analysis")
    explained = [*spec.additive, *spec.denominators]
    if len(query.metrics) != 1 or query.metrics[0] not in explained:
        names = "、".join(model.metric_by_id[m].name.zh for m in explained)
        raise QueryInvalid(f"归因分析一次解释一个指标，支持：{names}",
                           "attribution explains one metric at a time, one of: " + ", ".join(explained))
    if query.compare == "group":
        raise QueryInvalid("归因分析比较两个时期，而不是两组", "attribution compares two periods, not two groups")
    time_range = query.time_range or TimeRange(start=last_complete_month(today).start,
                                               end=last_complete_month(today).end)
    return SemanticQuery(metrics=query.metrics, filters=query.filters, time_range=time_range,
                         compare=query.compare or "previous_period", compare_to=query.compare_to)



def _list_count(model: SemanticModel, query: SemanticQuery) -> SemanticQuery:
    """How many people the list holds: the list's metric (or one the query names that counts the same
    people, such as buyers) with the question's filters and period."""
    spec = model.analyses.customer_list
    if spec is None:
        raise QueryInvalid("这个模型没有定义客户名单", "this model defines no customer list")
    if len(query.metrics) > 1:
        raise QueryInvalid("名单只按一个指标圈人", "a list chooses its people by one metric")
    return SemanticQuery(metrics=query.metrics or [spec.who], filters=query.filters, time_range=query.time_range,
                         each_having=query.each_having)
