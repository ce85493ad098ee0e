"""Text about the model and about queries: the one-line restatement of a query in the question's
language ("成交金额 · 按渠道 · 2025-06-01 至 2025-06-30") and the catalog as text for prompts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from semantic_layer.model import Fact, SemanticModel
from semantic_layer.query import ANALYSES, SemanticQuery
from semantic_layer.resolve import ResolvedQuery, allowed_dimensions, lifts_default_filter, metric_facts
from semantic_layer.timeexpr import OPEN_START, DateRange

_GRAINS = {"zh": {"day": "按天", "week": "按周", "month": "按月", "quarter": "按季度", "year": "按年"},
           "en": {"day": "by day", "week": "by week", "month": "by month", "quarter": "by quarter", "year": "by year"}}
_OPS = {"=": "=", "!=": "≠", "in": "∈", "not in": "∉", ">": ">", ">=": "≥", "<": "<", "<=": "≤",
        "between": "between", "contains": "contains"}


def range_text(time_range: DateRange, language: str) -> str:
    last = time_range.end - dt.timedelta(days=1)
    if time_range.start <= OPEN_START:
        return f"截至 {last.isoformat()}" if language == "zh" else f"up to {last.isoformat()}"
    if last == time_range.start:
        return time_range.start.isoformat()
    joiner = " 至 " if language == "zh" else " to "
    return f"{time_range.start.isoformat()}{joiner}{last.isoformat()}"


@dataclass(frozen=True)
class ReadingPiece:
    """One part of how a query was read: what it is (metric, breakdown, filter, period, basis, having,
    order, compare), its words, and for a filter its place in the query's filters."""
    kind: str
    text: str
    filter_index: int | None = None


def reading(model: SemanticModel, query: ResolvedQuery, language: str) -> list[ReadingPiece]:
    """Every part of a query a person can check, the service's defaults included: metrics ·
    breakdown · filters · period (全部时间 when none was named) · what is counted and by which time ·
    limits · ranking · the comparison with its dates."""
    zh = language == "zh"
    if query.analysis:
        return _analysis_reading(model, query, language)
    pieces = [ReadingPiece("metric", "、".join(m.name.zh for m in query.metrics) if zh else
                           ", ".join(m.name.en for m in query.metrics))]
    for item in query.dimensions:
        if item.dimension.time:
            text = _GRAINS[language][item.grain]
        elif item.versus:
            text = f"{item.labels[0]} vs {item.labels[1]}"
        else:
            text = f"按{item.dimension.label.zh}" if zh else f"by {item.dimension.label.en}"
        pieces.append(ReadingPiece("breakdown", text))
    pieces += _filter_pieces(query, language)
    if query.time_range:
        pieces.append(ReadingPiece("period", range_text(query.time_range, language)))
    elif any(m.time_scope == "period" for m in query.metrics):
        pieces.append(ReadingPiece("period", "全部时间" if zh else "all time"))
    bases = [_basis(fact, query, language) for m in query.metrics for fact in metric_facts(model, m)]
    if any(bases):
        pieces.append(ReadingPiece("basis", ("、" if zh else ", ").join(dict.fromkeys(b for b in bases if b))))
    names = {m.id: (m.name.zh if zh else m.name.en) for m in query.metrics}
    names |= {f"{m.id}{suffix}": f"{names[m.id]}{label}" for m in query.metrics
              for suffix, label in (("__difference", "变化" if zh else " change"),
                                    ("__change", "变化率" if zh else " change %"))}
    for metric, op, value in query.having:
        pieces.append(ReadingPiece("having", f"{names.get(metric, metric)} {op} "
                                             f"{int(value) if value.is_integer() else value:,}"))
    for item in query.each_having:
        unit = next((w for w in item.per.unit_words if not w.isascii()), "个")
        limit = f"{item.op} {int(item.value) if item.value.is_integer() else item.value:,}"
        pieces.append(ReadingPiece("having", f"每{unit}{item.metric.name.zh} {limit}" if zh else
                                   f"{item.metric.name.en} {limit} for each of the {item.per.name.en}"))
    if query.count_groups:
        pieces.append(ReadingPiece("having", "个数" if zh else "how many"))
    if query.order_by:
        field, descending = query.order_by[0]
        direction = ("从高到低" if descending else "从低到高") if zh else ("highest first" if descending else "lowest first")
        top = (f"前{query.limit}" if zh else f"top {query.limit}") if query.limit else ""
        pieces.append(ReadingPiece("order", " ".join(p for p in (names.get(field, field), direction, top) if p)))
    elif query.limit:
        pieces.append(ReadingPiece("order", f"前{query.limit}条" if zh else f"first {query.limit}"))
    if query.compare == "group":
        other = "、".join(map(str, query.compare_group.values))
        pieces.append(ReadingPiece("compare", f"对比 {other}" if zh else f"vs {other}"))
    elif query.compare:
        kind = {"previous_period": "环比" if zh else "vs previous period",
                "same_period_last_year": "同比" if zh else "vs same period last year",
                "period": "对比" if zh else "vs"}[query.compare]
        dates = f" {range_text(query.comparison, language)}" if query.comparison else ""
        pieces.append(ReadingPiece("compare", kind + dates))
    return pieces


def _basis(fact: Fact, query: ResolvedQuery, language: str) -> str:
    lifted = fact.default_filter.reading_when_lifted if fact.default_filter else None
    chosen = lifted if lifted and lifts_default_filter(fact, query) else fact.reading
    return chosen.pick(language) if chosen else ""


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
    analyses = [(kind, getattr(model.analyses, kind)) for kind in ANALYSES]
    if any(spec for _, spec in analyses):
        lines.append("\n## Analyses (the query's `analysis`; it brings its own metrics and breakdown)")
        lines += [f"- {kind} | {spec.name.zh} / {spec.name.en} | {spec.description.en} | words: {', '.join(spec.synonyms[:8])}"
                  for kind, spec in analyses if spec]
    return "\n".join(lines)


def _filter_pieces(query: ResolvedQuery, language: str) -> list[ReadingPiece]:
    zh, pieces = language == "zh", []
    for index, item in enumerate(query.filters):
        values = "、".join(map(str, item.values)) if zh else ", ".join(map(str, item.values))
        label = item.dimension.label.zh if zh else item.dimension.label.en
        if item.ever:  # 买过精华 / 没买过面霜: who ever (never) had the value, by the metric that counts them
            never = item.op in ("!=", "not in")
            text = (f"{label}: {values}（{item.ever.name.zh}口径，{'从未有过' if never else '曾经有过'}，全部历史）" if zh else
                    f"{label}: {values} ({'never' if never else 'ever'}, as {item.ever.name.en} counts, all time)")
        else:
            text = f"{label}{_OPS[item.op]}{values}" if item.op not in ("=", "in") else f"{label}: {values}"
        pieces.append(ReadingPiece("filter", text, index))
    return pieces


def _analysis_reading(model: SemanticModel, query: ResolvedQuery, language: str) -> list[ReadingPiece]:
    """An analysis reads as its name, who it covers and, for cohorts, which months form them."""
    spec = getattr(model.analyses, query.analysis)
    shown = [p for p in _filter_pieces(query, language)
             if query.analysis != "cohort_retention" or query.filters[p.filter_index].dimension.id != spec.cohort]
    pieces = [ReadingPiece("metric", spec.name.pick(language)), *shown]
    if query.analysis == "cohort_retention":
        months = next(f.values for f in query.filters if f.dimension.id == spec.cohort)
        label = model.dimension_by_id[spec.cohort].label.pick(language)
        span = f"{months[0]} ~ {months[-1]}" if len(months) > 1 else months[0]
        pieces.append(ReadingPiece("period", f"{label}: {span}"))  # the period chip picks other cohorts
    elif query.analysis == "ab_test":
        pieces.append(ReadingPiece("basis", "各测试自己的窗口（首次分组至最后分组后30天）" if language == "zh" else
                                   "each test's own window (first assignment to 30 days after the last)"))
    elif query.analysis == "customer_list":  # who: everyone, or those a metric counts in a period
        if query.metrics[0].id != model.analyses.customer_list.who:
            pieces.insert(1, ReadingPiece("metric", query.metrics[0].name.pick(language)))
        if query.time_range:
            pieces.append(ReadingPiece("period", range_text(query.time_range, language)))
    elif query.analysis == "attribution":  # why a metric changed: which one, when, against when
        pieces.insert(1, ReadingPiece("metric", query.metrics[0].name.pick(language)))
        pieces.append(ReadingPiece("period", range_text(query.time_range, language)))
        pieces.append(ReadingPiece("compare", ("对比 " if language == "zh" else "vs ") +
                                   range_text(query.comparison, language)))
    return pieces


def query_json(query: SemanticQuery) -> dict:
    return query.model_dump(mode="json", exclude_defaults=True)
