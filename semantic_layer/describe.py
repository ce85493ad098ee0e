"""Text about the model and about queries: the one-line restatement of a query in the question's
language ("成交金额 · 按渠道 · 2025-06-01 至 2025-06-30") and the catalog as text for prompts."""

from __future__ import annotations

import datetime as dt

from semantic_layer.model import SemanticModel
from semantic_layer.query import SemanticQuery
from semantic_layer.resolve import ResolvedQuery, allowed_dimensions
from semantic_layer.timeexpr import DateRange

_GRAINS = {"zh": {"day": "按天", "week": "按周", "month": "按月", "quarter": "按季度", "year": "按年"},
           "en": {"day": "by day", "week": "by week", "month": "by month", "quarter": "by quarter", "year": "by year"}}
_OPS = {"=": "=", "!=": "≠", "in": "∈", "not in": "∉", ">": ">", ">=": "≥", "<": "<", "<=": "≤",
        "between": "between", "contains": "contains"}


def range_text(time_range: DateRange, language: str) -> str:
    last = time_range.end - dt.timedelta(days=1)
    if last == time_range.start:
        return time_range.start.isoformat()
    joiner = " 至 " if language == "zh" else " to "
    return f"{time_range.start.isoformat()}{joiner}{last.isoformat()}"


def restate(query: ResolvedQuery, language: str) -> str:
    """One line a person can check: metrics · breakdown · filters · period · ranking."""
    zh = language == "zh"
    parts = ["、".join(m.name.zh for m in query.metrics) if zh else ", ".join(m.name.en for m in query.metrics)]
    for item in query.dimensions:
        if item.dimension.time:
            parts.append(_GRAINS[language][item.grain])
        elif item.versus:
            parts.append(f"{item.labels[0]} vs {item.labels[1]}")
        else:
            parts.append(f"按{item.dimension.label.zh}" if zh else f"by {item.dimension.label.en}")
    for item in query.filters:
        values = "、".join(map(str, item.values)) if zh else ", ".join(map(str, item.values))
        label = item.dimension.label.zh if zh else item.dimension.label.en
        parts.append(f"{label}{_OPS[item.op]}{values}" if item.op not in ("=", "in") else
                     (f"{label}: {values}"))
    if query.time_range:
        parts.append(range_text(query.time_range, language))
    elif any(m.time_scope == "period" for m in query.metrics):
        parts.append("全部时间" if zh else "all time")
    names = {m.id: (m.name.zh if zh else m.name.en) for m in query.metrics}
    names |= {f"{m.id}{suffix}": f"{names[m.id]}{label}" for m in query.metrics
              for suffix, label in (("__difference", "变化" if zh else " change"),
                                    ("__change", "变化率" if zh else " change %"))}
    for metric, op, value in query.having:
        parts.append(f"{names.get(metric, metric)} {op} {int(value) if value.is_integer() else value:,}")
    if query.count_groups:
        parts.append("个数" if zh else "how many")
    if query.order_by:
        field, descending = query.order_by[0]
        direction = ("从高到低" if descending else "从低到高") if zh else ("highest first" if descending else "lowest first")
        top = (f"前{query.limit}" if zh else f"top {query.limit}") if query.limit else ""
        parts.append(" ".join(p for p in (names.get(field, field), direction, top) if p))
    elif query.limit:
        parts.append(f"前{query.limit}条" if zh else f"first {query.limit}")
    if query.compare == "period":
        parts.append(f"对比 {range_text(query.comparison, language)}" if zh else
                     f"vs {range_text(query.comparison, language)}")
    elif query.compare == "group":
        other = "、".join(map(str, query.compare_group.values))
        parts.append(f"对比 {other}" if zh else f"vs {other}")
    elif query.compare:
        parts.append({"previous_period": "环比" if zh else "vs previous period",
                      "same_period_last_year": "同比" if zh else "vs same period last year"}[query.compare])
    return " · ".join(parts)


def catalog_text(model: SemanticModel, values: dict[str, list[str]], max_values: int = 40) -> str:
    """The model as compact text for an LLM prompt: metrics with definitions and allowed
    dimensions, dimensions with their values."""
    lines = ["## Metrics (id | 中文名 | definition | allowed dimensions | words that ask for it)"]
    for metric in model.metrics:
        dims = ", ".join(d.id for d in allowed_dimensions(model, metric))
        cues = "; ".join(f"{label}: {', '.join(items)}" for label, items in (
            ("units", metric.unit_words), ("verbs", metric.verbs)) if items)
        lines.append(f"- {metric.id} | {metric.name.zh} / {metric.name.en} | {metric.description.en} | {dims}"
                     + (f" | {cues}" if cues else ""))
    lines.append("\n## Dimensions (id | 中文名 | values)")
    for dimension in model.dimensions:
        shown = values.get(dimension.id, [])[:max_values]
        suffix = " ..." if len(values.get(dimension.id, [])) > max_values else ""
        grains = " (grains: day, week, month, quarter, year)" if dimension.time else ""
        sets = "".join(f"; {name} = {', '.join(members)}" for name, members in dimension.named_sets.items())
        lines.append(f"- {dimension.id} | {dimension.label.zh} / {dimension.label.en}{grains} | "
                     f"{', '.join(shown)}{suffix}{sets}")
    return "\n".join(lines)


def query_json(query: SemanticQuery) -> dict:
    return query.model_dump(mode="json", exclude_defaults=True)
