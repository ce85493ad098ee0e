"""The cohort x month retention matrix from the rows of a cohort query (active members per cohort
month and calendar month): month k = active in the k-th month after the cohort's / the cohort's
size, so month 0 is 100% (spec/customer_ops.md 3)."""

from __future__ import annotations

from semantic_layer.chart import ChartSpec, ColumnInfo
from semantic_layer.model import SemanticModel

SIZE = "cohort_size"


def _month_index(label: str) -> int:
    """'2025-03' or '2025-03-01' -> a month number.

    >>> _month_index('2025-03') - _month_index('2024-12-01')
    3
    """
    year, month = label[:7].split("-")
    return int(year) * 12 + int(month) - 1


def retention_matrix(model: SemanticModel, rows: list[list], last_month: str) -> tuple[list[ColumnInfo], list[list], dict]:
    """Columns, rows (cohort, size, month 0 .. month N; None where the month has not ended) and a
    summary of the month-1 retention; ``last_month``: the last complete month ('2025-06')."""
    spec = model.analyses.cohort_retention
    active: dict[str, dict[int, int]] = {}
    for cohort, month, count in rows:
        active.setdefault(cohort, {})[_month_index(month) - _month_index(cohort)] = count
    cohorts = sorted(c for c, months in active.items() if months.get(0))
    last = _month_index(last_month)
    span = max((last - _month_index(c) for c in cohorts), default=0)
    # a cohort's months up to the last complete one: the newest cohort has only month 0
    matrix = [[cohort, active[cohort][0],
               *[active[cohort].get(k, 0) / active[cohort][0] if _month_index(cohort) + k <= last else None
                 for k in range(span + 1)]] for cohort in cohorts]
    cohort_dimension = model.dimension_by_id[spec.cohort]
    columns = [ColumnInfo(spec.cohort, cohort_dimension.label.model_dump(), "dimension", "text"),
               ColumnInfo(SIZE, {"zh": "同期群人数", "en": "cohort size"}, "metric", "count"),
               *[ColumnInfo(f"month_{k}", {"zh": f"第{k}月", "en": f"month {k}"}, "metric", "percent")
                 for k in range(span + 1)]]
    return columns, matrix, _summary(cohorts, active, last)


def _summary(cohorts: list[str], active: dict[str, dict[int, int]], last: int) -> dict:
    if not cohorts:
        return {"zh": "这些月份没有首购客户。", "en": "No first-time buyers in those months."}
    observed = [c for c in cohorts if _month_index(c) < last]
    span = f"{cohorts[0]} ~ {cohorts[-1]}" if len(cohorts) > 1 else cohorts[0]
    if not observed:
        return {"zh": f"{span} 同期群 {active[cohorts[0]][0]:,} 人，还没有已结束的下一个月可看留存。",
                "en": f"The {span} cohort has {active[cohorts[0]][0]:,} customers; no later month has ended yet."}
    size = sum(active[c][0] for c in observed)
    kept = sum(active[c].get(1, 0) for c in observed)
    best = max(observed, key=lambda c: active[c].get(1, 0) / active[c][0])
    rate, best_rate = kept / size, active[best].get(1, 0) / active[best][0]
    return {"zh": f"{span} 共 {len(cohorts)} 个同期群，次月留存（第1月）加权平均 {rate:.1%}，"
                  f"{best} 最高（{best_rate:.1%}）。",
            "en": f"{len(cohorts)} cohorts ({span}): month-1 retention averages {rate:.1%} (weighted by size); "
                  f"{best} is highest at {best_rate:.1%}."}


def heatmap(columns: list[ColumnInfo]) -> ChartSpec:
    return ChartSpec("heatmap", x=columns[0].name, y=tuple(c.name for c in columns[2:]))
