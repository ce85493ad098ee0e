"""The query use case shared by every channel: a SemanticQuery or a SQL text in, an Answer out
(JSON-safe rows, labelled columns, a chart spec, the SQL that ran, timings)."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import time
from dataclasses import dataclass, field

from sqlglot import exp

from semantic_layer.chart import ChartSpec, ColumnInfo, suggest_chart
from semantic_layer.compile import compile_query
from semantic_layer.guard import guard_sql
from semantic_layer.metricflow.compile import compile_mf_query
from semantic_layer.metricflow.names import MfQueryInvalid
from semantic_layer.metricflow.request import MfQuery
from semantic_layer.model import SemanticModel
from semantic_layer.customer_list import compile_list, listed_entity
from semantic_layer.policy import (OPEN, AccessPolicy, apply_policy, check_metrics, hidden_columns, require_data,
                                   require_export)
from semantic_layer.query import GROUP_COUNT, SemanticQuery
from semantic_layer.resolve import ResolvedQuery, resolve_query
from service.bounded import BoundedMap
from service.change_attribution import explain_change
from service.cohort_matrix import heatmap, retention_matrix
from service.experiment_verdict import compare_variants, experiment_summary
from service.freshness import DataRanges
from service.plan_cache import CompiledPlan, PlanCache
from service.warehouse import QueryFailed, QueryResult, Warehouse
from semantic_layer.errors import SemanticError

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")

_COMPARE_LABELS = {
    "previous_period": ({"zh": "上期", "en": "previous period"}, {"zh": "环比", "en": "change vs previous"}),
    "same_period_last_year": ({"zh": "去年同期", "en": "same period last year"},
                              {"zh": "同比", "en": "change year over year"}),
    "period": ({"zh": "对比期", "en": "comparison period"}, {"zh": "变化", "en": "change"}),
}
_DIFFERENCE = {"zh": "差额", "en": "difference"}


@dataclass
class Answer:
    sql: str
    columns: list[ColumnInfo]
    rows: list[list]
    chart: ChartSpec
    truncated: bool
    timings: dict[str, float] = field(default_factory=dict)
    resolved: ResolvedQuery | None = None
    analysis: dict | None = None  # an analysis' own result: its summary sentence, an A/B test's comparisons


def json_value(value):
    """A database value as a JSON value: numbers stay numbers, dates become ISO text.

    >>> [json_value(v) for v in (decimal.Decimal("12.50"), dt.date(2025, 3, 1), float("nan"), 7)]
    [12.5, '2025-03-01', None, 7]
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def _format_of(duck_type: str) -> str:
    kind = duck_type.upper()
    if kind.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        return "number"
    if kind in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return "count"
    if kind.startswith(("DATE", "TIMESTAMP")):
        return "date"
    return "text"


_PERIOD_COUNTS = {"day": {"zh": "天数", "en": "days"}, "week": {"zh": "周数", "en": "weeks"},
                  "month": {"zh": "月数", "en": "months"}, "quarter": {"zh": "季度数", "en": "quarters"},
                  "year": {"zh": "年数", "en": "years"}}


class QueryEngine:
    """Plans and runs queries over one model and one read-only warehouse."""

    def __init__(self, model: SemanticModel, warehouse: Warehouse, row_cap: int, timeout_s: float,
                 export_cap: int = 50_000, mf_row_cap: int = 100_000, plan_cache_entries: int = 1024) -> None:
        self.model = model
        self.warehouse = warehouse
        self.row_cap = row_cap
        self.timeout_s = timeout_s
        self.export_cap = export_cap  # most customers an exported list holds
        self.mf_row_cap = mf_row_cap  # most rows of a MetricFlow-style query (a row a day of the time spine)
        self.allowed = {t: cols for t, cols in warehouse.schema().items() if t in model.table_by_name}
        self._allowed_by_policy: dict[AccessPolicy, dict] = {}
        self._guarded: BoundedMap[tuple, exp.Query] = BoundedMap(512)
        self._plans = PlanCache(plan_cache_entries)
        self.data_ranges = DataRanges(model, warehouse)

    def _guard(self, sql: str, policy: AccessPolicy) -> exp.Query:
        """The guard's verdict on a SQL text, remembered: the same questions come back all day."""
        tree = self._guarded.get((sql, policy))
        if tree is None:
            tree = guard_sql(sql, self.allowed_for(policy))
            self._guarded.put((sql, policy), tree)
        return tree.copy()

    def allowed_for(self, policy: AccessPolicy) -> dict[str, dict[str, str]]:
        """The tables and columns a role's SQL may name (columns only hidden metrics use are out)."""
        if policy not in self._allowed_by_policy:
            hidden = hidden_columns(self.model, policy)
            self._allowed_by_policy[policy] = {t: {c: k for c, k in cols.items() if (t, c) not in hidden}
                                               for t, cols in self.allowed.items()}
        return self._allowed_by_policy[policy]

    def _secure(self, tree: exp.Query, policy: AccessPolicy, today: dt.date) -> exp.Query:
        """The one door: every table the SQL names becomes the role's view of it."""
        return apply_policy(self.model, tree, policy, today, self.allowed, self.allowed_for(policy))

    def plan(self, query: SemanticQuery, today: dt.date, policy: AccessPolicy = OPEN) -> CompiledPlan:
        """Resolve and compile without running (the explain step): guarded, then secured, rendered;
        built once per query, date, role and data version."""
        require_data(policy)

        def build() -> CompiledPlan:
            resolved = resolve_query(self.model, query, today)
            check_metrics(resolved.metrics, policy)
            tree = compile_query(self.model, resolved)
            self._guard(tree.sql("duckdb"), policy)
            secured = self._secure(tree, policy, today)
            return CompiledPlan(resolved, secured, self.warehouse.render(secured),
                                self.warehouse.render(secured, pretty=True))
        return self._plans.plan(query, today, policy, self.warehouse.data_version(), build)

    def _columns(self, resolved: ResolvedQuery) -> list[ColumnInfo]:
        if resolved.count_groups:  # '有几天': how many of the groups passed
            group = resolved.dimensions[0]
            label = _PERIOD_COUNTS[group.grain] if group.dimension.time else {
                "zh": f"{group.dimension.label.zh}数", "en": f"{group.dimension.label.en} count"}
            return [ColumnInfo(GROUP_COUNT, label, "metric", "count")]
        columns = [ColumnInfo(d.dimension.id, d.dimension.label.model_dump(),
                              "time" if d.dimension.time else "dimension",
                              "date" if d.dimension.time else "text") for d in resolved.dimensions]
        group = next((f for f in resolved.filters if resolved.compare_group and
                      f.dimension == resolved.compare_group.dimension), None)
        for metric in resolved.metrics:
            label = {k: f"{metric.name.pick(k)} ({'、'.join(map(str, group.values))})" for k in ("zh", "en")} \
                if group else metric.name.model_dump()
            columns.append(ColumnInfo(metric.id, label, "metric", metric.format))
            if resolved.compare == "group":
                other = "、".join(map(str, resolved.compare_group.values))
                previous, change = {"zh": other, "en": other}, {"zh": "差异", "en": "difference in %"}
            elif resolved.compare and resolved.time_range:
                previous, change = _COMPARE_LABELS[resolved.compare]
            if resolved.compare == "group" or resolved.compare and resolved.time_range:
                columns.append(ColumnInfo(f"{metric.id}__previous",
                                          {k: f"{metric.name.pick(k)} ({v})" for k, v in previous.items()},
                                          "metric", metric.format))
                columns.append(ColumnInfo(f"{metric.id}__difference",
                                          {k: f"{metric.name.pick(k)} ({v})" for k, v in _DIFFERENCE.items()},
                                          "metric", metric.format))
                columns.append(ColumnInfo(f"{metric.id}__change", change, "metric", "percent"))
            if resolved.share_of:
                columns.append(ColumnInfo(f"{metric.id}__share", {"zh": f"{metric.name.zh}占比",
                                                                  "en": f"share of {metric.name.en}"},
                                          "metric", "percent"))
        return columns

    def answer_query(self, query: SemanticQuery, today: dt.date, policy: AccessPolicy = OPEN,
                     user: str = "local") -> Answer:
        started = time.perf_counter()
        if query.analysis == "customer_list":
            return self._customer_list(query, today, policy, user, started)
        if query.analysis == "attribution":  # one query per period and dimension, each through the one door
            require_data(policy)
            resolved = resolve_query(self.model, query, today)
            columns, rows, chart, analysis, sql = explain_change(
                self.model, query, resolved, lambda part: self.answer_query(part, today, policy, user))
            return Answer(sql, columns, rows, chart, False, _timings(started, time.perf_counter()), resolved,
                          analysis)
        plan = self.plan(query, today, policy)
        resolved = plan.resolved
        planned = time.perf_counter()
        result = self._run(plan, policy, user)
        columns = [c for c in self._columns(resolved) if c.name in {n for n, _ in result.columns}]
        rows = [[json_value(v) for v in row] for row in result.rows]
        analysis = None
        if resolved.analysis == "cohort_retention":
            last_month = (resolved.time_range.end - dt.timedelta(days=1)).strftime("%Y-%m")
            columns, rows, summary = retention_matrix(self.model, rows, last_month)
            chart, analysis = heatmap(columns), {"kind": resolved.analysis, "summary": summary}
        elif resolved.analysis == "ab_test":
            comparisons = compare_variants(self.model, [c.name for c in columns], rows)
            chart = ChartSpec("verdict", x=self.model.analyses.ab_test.variant)
            analysis = {"kind": resolved.analysis, "comparisons": [c.model_dump() for c in comparisons],
                        "summary": experiment_summary(comparisons, self.model.analyses.ab_test.rates[0])}
        else:
            chart = suggest_chart(columns, len(rows), query.chart)
        return Answer(plan.shown_sql, columns, rows, chart, result.truncated, _timings(started, planned), resolved,
                      analysis)

    def _customer_list(self, query: SemanticQuery, today: dt.date, policy: AccessPolicy, user: str,
                       started: float) -> Answer:
        """How many the list holds and, for a role that may export, its first rows."""
        plan = self.plan(query, today, policy)
        resolved = plan.resolved
        listed_entity(self.model, resolved)
        total = self._run(plan, policy, user).rows[0][0] or 0
        spec = self.model.analyses.customer_list
        columns, rows, truncated, sql = [], [], False, plan.shown_sql
        if policy.export and total:
            columns, rows, truncated, sql = self.customer_rows(query, today, policy, user, spec.preview)
        summary = _list_summary(total, len(rows), policy.export, self.export_cap)
        analysis = {"kind": "customer_list", "count": total, "exportable": policy.export, "summary": summary}
        return Answer(sql, columns, rows, ChartSpec("table"), truncated, _timings(started, time.perf_counter()),
                      resolved, analysis)

    def customer_rows(self, query: SemanticQuery, today: dt.date, policy: AccessPolicy, user: str,
                      limit: int) -> tuple[list[ColumnInfo], list[list], bool, str]:
        """The list itself, at most ``limit`` rows (and whether there were more): only for a role
        that may export, inside its rows."""
        require_export(policy)
        resolved = resolve_query(self.model, query, today)
        check_metrics(resolved.metrics, policy)
        listed = compile_list(self.model, resolved, limit + 1, policy.hidden_metrics)
        tree = self._secure(self._guard(listed.sql("duckdb"), policy), policy, today)
        result = self._run(tree, policy, user, limit + 1)
        spec = self.model.analyses.customer_list
        columns = []
        for name, kind in result.columns:
            label = (spec.labels[name] if name in spec.labels else self.model.dimension_by_id[name].label).model_dump()
            if name in spec.metric_columns:  # a metric's figure: formatted as the metric is
                metric = self.model.metric_by_id[spec.metric_columns[name]]
                columns.append(ColumnInfo(name, label, "metric", metric.format))
            else:  # keys and attributes are text, dates dates
                columns.append(ColumnInfo(name, label, "dimension", "date" if _format_of(kind) == "date" else "text"))
        rows = [[json_value(v) for v in row] for row in result.rows[:limit]]
        return columns, rows, len(result.rows) > limit, self.warehouse.render(tree, pretty=True)

    def _run(self, query: exp.Query | CompiledPlan, policy: AccessPolicy, user: str | None,
             row_cap: int | None = None) -> QueryResult:
        """Run secured SQL (a plan's, rendered once). A restricted role's error messages lose the
        values they quote: a failing cast must not show a row (defence in depth behind the views)."""
        sql = query.sql if isinstance(query, CompiledPlan) else self.warehouse.render(query)
        try:
            return self.warehouse.run_rendered(sql, row_cap or self.row_cap, self.timeout_s, user)
        except QueryFailed as error:
            if policy.unrestricted:
                raise
            raise QueryFailed(*(_QUOTED.sub("'…'", error.message[language]) for language in ("zh", "en")))

    def answer_mf(self, query: MfQuery, policy: AccessPolicy = OPEN, today: dt.date | None = None,
                  user: str = "local") -> Answer:
        """A MetricFlow-style query on an imported model: compiled, then through the same guard, row
        policies and limits as any SQL."""
        require_data(policy)
        if self.model.metricflow is None:
            raise NotImported()
        check_metrics(tuple(self.model.metric_by_id[m] for m in query.metrics if m in self.model.metric_by_id), policy)
        try:
            sql = compile_mf_query(self.model.metricflow, query).sql("duckdb")
        except RecursionError:
            raise MfQueryInvalid("the query nests too deeply")
        return self.answer_sql(sql, policy, today, user, self.mf_row_cap)

    def answer_sql(self, sql: str, policy: AccessPolicy = OPEN, today: dt.date | None = None,
                   user: str | None = "local", row_cap: int | None = None) -> Answer:
        started = time.perf_counter()
        require_data(policy)
        tree = self._secure(self._guard(sql, policy), policy, today or dt.date.today())
        planned = time.perf_counter()
        result = self._run(tree, policy, user, row_cap)
        columns = []
        for name, kind in result.columns:
            fmt = _format_of(kind)
            role = "metric" if fmt in ("number", "count") else ("time" if fmt == "date" else "dimension")
            columns.append(ColumnInfo(name, {"zh": name, "en": name}, role, fmt))
        if columns and all(c.role == "metric" for c in columns) and len(result.rows) > 1:
            first = columns[0]  # a leading numeric key column (a year, an id) labels the rows
            columns[0] = ColumnInfo(first.name, first.label, "dimension", first.format)
        rows = [[json_value(v) for v in row] for row in result.rows]
        return Answer(self.warehouse.render(tree, pretty=True), columns, rows, suggest_chart(columns, len(rows)),
                      result.truncated, _timings(started, planned))


class NotImported(SemanticError):
    code = "not_a_metricflow_model"
    status = 400

    def __init__(self) -> None:
        super().__init__("这个模型不是从 dbt 语义层导入的（chatbi import-dbt）",
                         "this model was not imported from dbt's semantic layer (chatbi import-dbt)")


def _list_summary(total: int, shown: int, exportable: bool, cap: int) -> dict[str, str]:
    """How many a list holds, how many are shown, and whether the caller may (or can wholly) export it.

    >>> _list_summary(416, 20, True, 50_000)["zh"]
    '符合条件的客户共 416 人，下面是前 20 位，完整名单可下载 CSV。'
    >>> _list_summary(60_000, 20, True, 50_000)["en"]
    '60,000 customers match; the first 20 are below, the full list is a CSV download. Above the export limit: the file holds the first 50,000 by id.'
    """
    more = bool(shown) and total > shown
    zh = f"符合条件的客户共 {total:,} 人" + (f"，下面是前 {shown} 位，完整名单可下载 CSV" if more else "") + "。"
    en = f"{total:,} customers match" + (f"; the first {shown} are below, the full list is a CSV download" if more
                                         else "") + "."
    if not exportable:
        zh, en = zh + "您的角色没有导出名单的权限。", en + " Your role may not export lists."
    elif total > cap:
        zh += f"超过导出上限，文件只含前 {cap:,} 位（按客户ID）。"
        en += f" Above the export limit: the file holds the first {cap:,} by id."
    return {"zh": zh, "en": en}


def _timings(started: float, planned: float) -> dict[str, float]:
    done = time.perf_counter()
    return {"plan_ms": round((planned - started) * 1000, 2), "query_ms": round((done - planned) * 1000, 2),
            "total_ms": round((done - started) * 1000, 2)}
