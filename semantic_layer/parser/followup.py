"""Follow-up questions edit the previous question's parts: "那按渠道拆分呢", "换成上个月", "只看天猫",
"去掉时间限制", "what about Douyin?", "top 10 instead", "换成饼图", "和去年同期比呢", "我是说成交金额"
(the answer to a question asked back). Each edit is reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from semantic_layer.describe import range_text
from semantic_layer.model import SemanticModel
from semantic_layer.parser.compose import Parts
from semantic_layer.parser.grammar import Understanding
from semantic_layer.parser import words
from semantic_layer.parser.normalize import name_key
from semantic_layer.parser.read import Reading
from semantic_layer.query import DimensionRef, Filter
from semantic_layer.resolve import counted_entity
from semantic_layer.timeexpr import DateRange, comparison_range, same_part_of_year, shift_year

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


def pick_choice(reading: Reading, choices: tuple[str, ...]) -> str | None:
    """The answer to 'which one did you mean': the only choice the answer's words are part of
    ('the face cream one' -> 玻色因抗老面霜), or the one it counts to ('第二个')."""
    text = reading.text.strip(" ?？.。!！")
    for word, position in words.ORDINALS.items():
        if word in text and position < len(choices):
            return choices[position]
    if any(word in text for word in words.LATEST) and all(c[:4].isdigit() for c in choices):
        return max(choices)  # names that start with their year sort by date
    keys = {name_key(e.value) for m in reading.mentions for e in m.entries if e.kind == "value"} | {
        name_key(m.text) for m in reading.mentions if m.has("value")} | {name_key(w) for w in reading.unknown} | {
        name_key(v) for thing in reading.names for v in thing.values} | {
        str(t.range.start.year) for t in reading.times  # '25年的': a year
        if (t.range.start.month, t.range.start.day) == (1, 1) and t.range.days >= 180} | {
        name_key(str(t.range.start.year) + key[cut:]) for t in reading.times  # '24年Q4那次': 2024 + Q4
        for key in (name_key(reading.text[t.start:t.end]),) for cut in range(1, len(key) - 1)}
    picked = [c for c in choices if any(len(k) >= 2 and k in name_key(c) for k in keys)]
    return picked[0] if len(picked) == 1 else None


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _related(model: SemanticModel, dimension: str) -> set[str]:
    """A dimension and those of its hierarchy ('江浙沪呢' after '一线城市': the place changes)."""
    return {dimension} | {d for chain in model.hierarchies if dimension in chain for d in chain}


def is_follow_up(reading: Reading, understanding: Understanding, previous: Parts | None = None) -> bool:
    """A question edits the previous one when it opens with a follow-up word, names no metric,
    only removes something, or drills into a row of the previous answer ('面膜里哪个产品卖得最多'
    after a breakdown by category: one of its rows, in its period and filters)."""
    text_end = len(reading.text.rstrip("?？!！。. "))
    opens = any(m.first("follow_up") and (m.start <= 1 or m.end >= text_end) for m in reading.mentions)
    short_what_about = reading.text.rstrip("?？!！。 ").endswith("呢") and len(reading.mentions) <= 3  # 'roi呢'
    parts = understanding.parts
    drills = previous is not None and not parts.time_range and any(
        f.op == "=" and any(d.name == f.dimension and not d.versus for d in previous.dimensions) for f in parts.filters)
    # '用掉了几张' after '上个月发了多少张券': a metric only implied, nothing else said
    bare = understanding.implied_metric and not (parts.time_range or parts.filters or parts.dimensions)
    # '核销率多少' after '5月发了多少张券', 'add roi': a metric alone asks about the same period and groups
    alone = not (parts.time_range or parts.filters or parts.dimensions or parts.order or parts.limit or parts.having
                 or parts.compare) and all(m.has("metric", "quantity", "filler", "also", "evaluation")
                                           for m in reading.mentions) and not reading.unknown
    # '按商品销售额排呢', 'sort by orders': a ranking with nothing of its own to rank ranks the previous groups
    reorders = previous is not None and bool(parts.order) and bool(previous.dimensions) and not (
        parts.dimensions or parts.time_range or parts.filters)
    return opens or short_what_about or not understanding.named_metric or understanding.removes or \
        reading.has("anaphor") or understanding.refers_back or drills or bare or alone or reorders


def _sibling(filters: list[Filter], item: Filter, values: dict[str, list[str]]) -> tuple[Filter, Filter] | None:
    """'天猫那场呢' after a question about the campaign 2025年618大促-抖音: the same thing named with the
    new value in place of the old one (2025年618大促-天猫), when there is one."""
    if item.op != "=" or not isinstance(item.value, str):
        return None
    for old in filters:
        if old.op != "=" or old.dimension == item.dimension or not isinstance(old.value, str):
            continue
        for replaced in values.get(item.dimension, []):
            if replaced != item.value and replaced in old.value:
                named = old.value.replace(replaced, item.value)
                if named in values.get(old.dimension, []):
                    return old, Filter(dimension=old.dimension, value=named)
    return None


def _asks_of_the_group(reading: Reading, previous: Parts, parts: Parts, model: SemanticModel) -> bool:
    """A new figure of 'them' after a ranking of where they are ('where are those people, top 5
    cities' -> 'what rating do they give us'): the people the filters choose, not the top rows. Only
    after a count of people: 'GMV最高的3个城市' -> '他们的退款率' means the cities."""
    return _counted_people(previous, model) and bool(previous.limit and previous.order and previous.dimensions) and not (
        parts.dimensions or parts.order or parts.limit) and any(
        e.kind == "anaphor" and e.target == "group" for m in reading.mentions for e in m.entries)


def _most_of_them(reading: Reading, previous: Parts, parts: Parts, model: SemanticModel) -> bool:
    """'the most of them' after a count of people: a verb that only says how they came is no metric."""
    mentions = reading.mentions
    beside = any(m.has("superlative") and any(
        0 <= j < len(mentions) and mentions[j].text in words.OF_THEM for j in (i - 1, i + 1))
        for i, m in enumerate(mentions))
    return parts.sold and beside and bool(previous.metrics) and _counted_people(previous, model)


def _counted_people(previous: Parts, model: SemanticModel) -> bool:
    """Did the previous question count people (or other things), every metric of it?"""
    return all(counted_entity(model, model.metric_by_id[m]) for m in previous.metrics)


def _analysis_of_them(previous: Parts, parts: Parts, model: SemanticModel) -> Parts:
    """An analysis of the people a previous question counted: its filters (and, when they are the
    ones the analysis counts, its metric and period), in the analysis' own shape."""
    spec = model.analyses.customer_list if parts.analysis == "customer_list" else None
    listed = spec and counted_entity(model, model.metric_by_id[spec.who])
    same = [m for m in previous.metrics if listed and (e := counted_entity(model, model.metric_by_id[m]))
            and e.table == listed.table]
    return replace(parts, metrics=parts.metrics or same[:1], filters=[*previous.filters, *parts.filters],
                   each_having=[*previous.each_having, *parts.each_having],
                   set_names={**previous.set_names, **parts.set_names},
                   time_range=parts.time_range or (previous.time_range if same else None))


def apply_follow_up(previous: Parts, reading: Reading, parts: Parts, model: SemanticModel,
                    language: str, today: date, values: dict[str, list[str]]) -> tuple[Parts, list[str]]:
    zh = language == "zh"
    if parts.analysis and parts.analysis != previous.analysis:  # '把这些人的名单导出来' after '其中金卡的呢'
        return _analysis_of_them(previous, parts, model), [
            getattr(model.analyses, parts.analysis).name.pick(language)]
    merged = replace(previous, dimensions=list(previous.dimensions), filters=list(previous.filters),
                     having=list(previous.having), set_names=dict(previous.set_names))
    changes: list[str] = []

    if parts.metrics:
        added = True
        if any(e.kind == "anaphor" and e.target == "top" for m in reading.mentions for e in m.entries) \
                and previous.limit and previous.order and not parts.order:
            # '它的退款率' after '哪个产品卖得最多': the top one's figure, still ranked as before
            ranked_by = previous.order[0] or previous.metrics[0]
            merged.metrics = list(dict.fromkeys([ranked_by, *parts.metrics]))
            merged.order = (ranked_by, previous.order[1])
        elif reading.has("also") and not parts.filters:  # 'add roi', '把客单价也加上'
            merged.metrics = list(dict.fromkeys([*previous.metrics, *parts.metrics]))[:10]
        elif _most_of_them(reading, previous, parts, model):  # 'which signup channel brought in the most
            merged.metrics, added = list(previous.metrics), False  # of them' after new customers: them, counted
        else:
            merged.metrics, added = parts.metrics, False
            if _asks_of_the_group(reading, previous, parts, model):  # '这批人的LTV呢' after '他们在哪些城市 前5'
                merged.dimensions, merged.order, merged.limit, merged.share_of = [], None, None, []
                changes.append("整个群体" if zh else "the whole group")
        names = ", ".join(model.metric_by_id[m].name.pick(language) for m in parts.metrics)
        changes.append((f"加上指标 {names}" if zh else f"with {names}") if added else
                       (f"指标改为 {names}" if zh else f"metrics: {names}"))

    if reading.has("remove_filter"):
        merged.filters = []
        changes.append("去掉了筛选条件" if zh else "filters removed")
    new_categories = [d for d in parts.dimensions if d.name != model.time_dimension]
    new_dates = [d for d in parts.dimensions if d.name == model.time_dimension]
    if new_categories or new_dates:
        # 'which channel had the most' after a monthly trend: the one channel over the whole period,
        # not the top row of month x channel
        ranks_anew = bool(parts.limit) and not new_dates
        kept_dates = [] if new_dates or ranks_anew else [
            d for d in merged.dimensions if d.name == model.time_dimension]
        kept_categories = [] if new_categories else [d for d in merged.dimensions if d.name != model.time_dimension]
        merged.dimensions = kept_dates + new_dates + kept_categories + new_categories
        grouped = {d.name for d in new_categories}
        # a breakdown by a dimension lifts a one-value filter on it ('按渠道' after '天猫'); several values
        # stay and are broken down ('for each of them')
        merged.filters = [f for f in merged.filters if f.dimension not in grouped or f.op == "in"
                          or any(p.dimension == f.dimension for p in parts.filters)]
        labels = ", ".join(model.dimension_by_id[d.name].label.pick(language) for d in new_categories + new_dates)
        changes.append(f"改为按 {labels} 拆分" if zh else f"broken down by {labels}")
    if reading.has("total") and not reading.has("also") and not new_dates and not previous.limit \
            and merged.dimensions != new_categories:
        # '这7天合计多少' after a day-by-day answer, '加起来呢' after each channel: one total over them (not
        # after a top N: the total of all would not be theirs)
        merged.dimensions, merged.order, merged.share_of = list(new_categories), None, []
        changes.append("合计" if zh else "in total")
    merged.filters = [f for f in merged.filters if f.dimension not in parts.drop_filters]
    for item in parts.filters:
        sibling = _sibling(merged.filters, item, values)
        if sibling is not None:
            item = sibling[1]
        earlier = next((f for f in merged.filters if f.dimension == item.dimension and f.op in ("=", "in")), None)
        if (reading.has("also") or parts.beside_previous) and earlier is not None and item.op in ("=", "in"):
            union = list(dict.fromkeys([*_listed(earlier.value), *_listed(item.value)]))  # '把抖音也加上'
            item = Filter(dimension=item.dimension, op="in", value=union)
            if parts.beside_previous and all(d.name != item.dimension for d in merged.dimensions):
                merged.dimensions.append(DimensionRef(name=item.dimension))  # '跟天猫比呢': side by side
        related = _related(model, item.dimension)
        merged.filters = [f for f in merged.filters if f.dimension not in related] + [item]
        # with a breakdown of its own ('只看抖音，按天看'): the split by channel it leaves one row of goes
        merged.dimensions = [d for d in merged.dimensions if d.name != item.dimension or d in new_categories or
                             d.versus is None and (item.op != "=" or not (new_categories or new_dates))
                             and not (reading.has("total") and not reading.has("also"))]  # 'all three together
        label = model.dimension_by_id[item.dimension].label.pick(language)
        value = item.value if not isinstance(item.value, list) else ", ".join(map(str, item.value))
        changes.append(f"筛选 {label} {item.op} {value}" if zh else f"filter {label} {item.op} {value}")
    merged.set_names.update(parts.set_names)

    if reading.has("remove_time"):
        merged.time_range = None
        merged.compare = None
        changes.append("去掉了时间限制" if zh else "time limit removed")
    elif parts.shift and previous.time_range and not parts.time_range:
        merged.time_range = comparison_range(previous.time_range, parts.shift)
        merged.compare, merged.compare_to = None, None
        changes.append(f"时间改为 {range_text(merged.time_range, language)}" if zh else
                       f"period: {range_text(merged.time_range, language)}")
    elif parts.time_range:
        merged.time_range = same_part_of_year(_in_context(parts.time_range, parts.time_yearless,
                                                          previous.time_range), previous.time_range, today)
        changes.append(f"时间改为 {range_text(parts.time_range, language)}" if zh else
                       f"period: {range_text(parts.time_range, language)}")
    if parts.compare:
        merged.compare, merged.compare_to, merged.compare_group = parts.compare, parts.compare_to, parts.compare_group
        if parts.compare == "period":
            changes.append(f"对比 {range_text(parts.compare_to, language)}" if zh else
                           f"vs {range_text(parts.compare_to, language)}")
        elif parts.compare == "group":
            changes.append(f"对比 {parts.compare_group.value}" if zh else f"vs {parts.compare_group.value}")
        else:
            changes.append(_COMPARISONS[language][parts.compare])
    if new_categories and not (parts.limit or parts.order) and reading.has("each"):
        merged.order, merged.limit = None, None  # '各渠道分别多少' after '哪个渠道最高': every one of them
    if parts.limit or parts.order:
        merged.order = parts.order or merged.order or (None, "desc")
        if parts.limit:
            merged.limit = parts.limit
        changes.append((f"排名前 {merged.limit}" if zh else f"top {merged.limit}") if merged.limit else
                       ("重新排序" if zh else "re-ordered"))
    if parts.each_having:
        merged.each_having = parts.each_having
        changes.append("更新了每个对象的阈值" if zh else "limit on each one updated")
    if parts.having:
        merged.having, merged.count_groups = parts.having, parts.count_groups
        changes.append("更新了阈值" if zh else "threshold updated")
    if parts.share_of:
        merged.share_of = parts.share_of
        changes.append("加上占比" if zh else "with shares")
    kept = {d.name for d in merged.dimensions} | {f.dimension for f in merged.filters}
    merged.share_of = [d for d in merged.share_of if d in kept]
    if parts.chart:
        merged.chart = parts.chart
        changes.append(f"图表改为{_CHARTS['zh'][parts.chart]}" if zh else f"as a {_CHARTS['en'][parts.chart]}")
    return merged, changes
