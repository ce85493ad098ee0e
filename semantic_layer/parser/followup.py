"""Follow-up questions edit the previous question's parts: "那按渠道拆分呢", "换成上个月", "只看天猫",
"去掉时间限制", "what about Douyin?", "top 10 instead", "换成饼图", "和去年同期比呢", "我是说成交金额"
(the answer to a question asked back). Each edit is reported."""

from __future__ import annotations

from dataclasses import replace

from semantic_layer.describe import range_text
from semantic_layer.model import SemanticModel
from semantic_layer.parser.compose import Parts
from semantic_layer.parser.grammar import Understanding
from semantic_layer.parser.read import Reading
from semantic_layer.timeexpr import DateRange, shift_year

_CHARTS = {"zh": {"pie": "饼图", "line": "折线图", "bar": "柱状图", "table": "表格", "grouped_bar": "分组柱状图",
                  "kpi": "指标卡"},
           "en": {"pie": "pie chart", "line": "line chart", "bar": "bar chart", "table": "table",
                  "grouped_bar": "grouped bars", "kpi": "KPI card"}}
_COMPARISONS = {"zh": {"previous_period": "环比", "same_period_last_year": "同比"},
                "en": {"previous_period": "vs previous period", "same_period_last_year": "vs same period last year"}}


def _in_context(new: DateRange, yearless: bool, previous: DateRange | None) -> DateRange:
    """'only Q4' after a question about 2024 is 2024's Q4: a period named without a year takes the
    year of the previous period when it lies inside it there."""
    if not (yearless and previous) or (previous.start <= new.start and new.end <= previous.end):
        return new
    for years in range(-3, 4):
        moved = DateRange(shift_year(new.start, years), shift_year(new.end, years))
        if previous.start <= moved.start and moved.end <= previous.end:
            return moved
    return new


def _related(model: SemanticModel, dimension: str) -> set[str]:
    """A dimension and those of its hierarchy ('江浙沪呢' after '一线城市': the place changes)."""
    return {dimension} | {d for chain in model.hierarchies if dimension in chain for d in chain}


def is_follow_up(reading: Reading, understanding: Understanding) -> bool:
    """A question edits the previous one when it opens with a follow-up word, names no metric,
    or only removes something."""
    opens = any(m.first("follow_up") and m.start <= 1 for m in reading.mentions)
    short_what_about = reading.text.rstrip("?？!！。 ").endswith("呢") and len(reading.mentions) <= 3  # 'roi呢'
    return opens or short_what_about or not understanding.named_metric or understanding.removes or \
        reading.has("anaphor") or understanding.refers_back


def apply_follow_up(previous: Parts, reading: Reading, parts: Parts, model: SemanticModel,
                    language: str) -> tuple[Parts, list[str]]:
    zh = language == "zh"
    merged = replace(previous, dimensions=list(previous.dimensions), filters=list(previous.filters),
                     having=list(previous.having), set_names=dict(previous.set_names))
    changes: list[str] = []

    if parts.metrics:
        merged.metrics = parts.metrics
        names = ", ".join(model.metric_by_id[m].name.pick(language) for m in parts.metrics)
        changes.append(f"指标改为 {names}" if zh else f"metrics: {names}")

    if reading.has("remove_filter"):
        merged.filters = []
        changes.append("去掉了筛选条件" if zh else "filters removed")
    new_categories = [d for d in parts.dimensions if d.name != "date"]
    new_dates = [d for d in parts.dimensions if d.name == "date"]
    if new_categories or new_dates:
        kept_dates = [] if new_dates else [d for d in merged.dimensions if d.name == "date"]
        kept_categories = [] if new_categories else [d for d in merged.dimensions if d.name != "date"]
        merged.dimensions = kept_dates + new_dates + kept_categories + new_categories
        grouped = {d.name for d in new_categories}
        # a breakdown by a dimension lifts a one-value filter on it ('按渠道' after '天猫'); several values
        # stay and are broken down ('for each of them')
        merged.filters = [f for f in merged.filters if f.dimension not in grouped or f.op == "in"
                          or any(p.dimension == f.dimension for p in parts.filters)]
        labels = ", ".join(model.dimension_by_id[d.name].label.pick(language) for d in new_categories + new_dates)
        changes.append(f"改为按 {labels} 拆分" if zh else f"broken down by {labels}")
    merged.filters = [f for f in merged.filters if f.dimension not in parts.drop_filters]
    for item in parts.filters:
        related = _related(model, item.dimension)
        merged.filters = [f for f in merged.filters if f.dimension not in related] + [item]
        merged.dimensions = [d for d in merged.dimensions if d.name != item.dimension or d.versus is None]
        label = model.dimension_by_id[item.dimension].label.pick(language)
        value = item.value if not isinstance(item.value, list) else ", ".join(map(str, item.value))
        changes.append(f"筛选 {label} {item.op} {value}" if zh else f"filter {label} {item.op} {value}")
    merged.set_names.update(parts.set_names)

    if reading.has("remove_time"):
        merged.time_range = None
        merged.compare = None
        changes.append("去掉了时间限制" if zh else "time limit removed")
    elif parts.time_range:
        merged.time_range = _in_context(parts.time_range, parts.time_yearless, previous.time_range)
        changes.append(f"时间改为 {range_text(parts.time_range, language)}" if zh else
                       f"period: {range_text(parts.time_range, language)}")
    if parts.compare:
        merged.compare, merged.compare_to = parts.compare, parts.compare_to
        changes.append(_COMPARISONS[language][parts.compare] if parts.compare != "period" else
                       (f"对比 {range_text(parts.compare_to, language)}" if zh else
                        f"vs {range_text(parts.compare_to, language)}"))
    if parts.limit or parts.order:
        merged.order = parts.order or merged.order or (None, "desc")
        if parts.limit:
            merged.limit = parts.limit
        changes.append((f"排名前 {merged.limit}" if zh else f"top {merged.limit}") if merged.limit else
                       ("重新排序" if zh else "re-ordered"))
    if parts.having:
        merged.having = parts.having
        changes.append("更新了阈值" if zh else "threshold updated")
    if parts.chart:
        merged.chart = parts.chart
        changes.append(f"图表改为{_CHARTS['zh'][parts.chart]}" if zh else f"as a {_CHARTS['en'][parts.chart]}")
    return merged, changes
