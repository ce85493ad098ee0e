"""Reading -> Parts, with an account of every part of the question. Each word either fills a slot
of the query (a metric, a filter, a breakdown, the period, a comparison, a ranking, a threshold),
is a word of the language that frames the question, or is reported; anything reported, or two
readings equally likely, means the parser asks back instead of answering.

The forms: how much (units and verbs choose the metric), which X is highest (a ranked breakdown,
top one), comparisons (环比, 同比, two periods, A vs B, a group vs the rest), complements and
negation (除了X, 没买过), named sets (一线城市), things named by part, thresholds, top-N, shares,
trends; follow-ups edit the previous question's parts (``followup.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from semantic_layer.model import SemanticModel
from semantic_layer.parser.compose import Parts, auto_grain
from semantic_layer.parser.lexicon import Mention
from semantic_layer.parser.metric_choice import choose_metrics
from semantic_layer.parser.read import Reading
from semantic_layer.query import DimensionRef, Filter
from semantic_layer.resolve import allowed_dimensions
from semantic_layer.timeexpr import DateRange, comparison_range

# Words that frame a question without filling a slot: never reported.
_FREE = ("filler", "neutral", "classifier", "follow_up", "only", "total", "evaluation", "quantity")
# Words between the parts of one phrase ("金卡的客单价", "除了京东和天猫之外")
_GLUE = ("filler", "classifier", "neutral")


@dataclass(frozen=True)
class Problem:
    kind: str  # unknown_words, unused_words, no_metric, ambiguous_metric, ambiguous_name, cannot_negate,
    #           unsupported, unit_mismatch, time_not_applicable
    words: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()


@dataclass
class Understanding:
    parts: Parts
    problems: list[Problem] = field(default_factory=list)
    named_metric: bool = False  # the question names or implies a metric of its own
    removes: bool = False  # the question only removes something (a follow-up)


class _Account:
    """Which mentions and times the grammar used."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        self.mentions: set[int] = set(reading.named_mentions())
        self.times: set[int] = set(reading.named_times())

    def use(self, *indices: int) -> None:
        self.mentions.update(indices)

    def unused(self) -> list[str]:
        return [m.text for i, m in enumerate(self.reading.mentions)
                if i not in self.mentions and not m.has(*_FREE)] + \
               [self.reading.text[t.start:t.end] for i, t in enumerate(self.reading.times) if i not in self.times]


def understand(reading: Reading, model: SemanticModel, follow_up_of: Parts | None = None) -> Understanding:
    """The parts of a question and what could not be placed. ``follow_up_of``: the previous
    question's parts, when this one may edit them (its time range counts for comparisons)."""
    account = _Account(reading)
    mentions = reading.mentions
    parts = Parts()
    result = Understanding(parts)
    problems = result.problems

    if reading.unknown:
        problems.append(Problem("unknown_words", tuple(reading.unknown)))
    unsupported = [m.text for m in mentions if m.first("unsupported")]
    if unsupported:
        problems.append(Problem("unsupported", tuple(unsupported)))

    times = [t for i, t in enumerate(reading.times) if i not in account.times]
    choice = choose_metrics(model, mentions, reading.text, account.mentions,
                            bool(times) or bool(follow_up_of and follow_up_of.time_range), reading.emphasis)
    account.use(*choice.used)
    parts.metrics = list(choice.metrics)
    result.named_metric = bool(choice.metrics)
    if choice.problem and not (choice.problem == "no_metric" and follow_up_of is not None):
        problems.append(Problem(choice.problem, candidates=choice.candidates))
    popular = [i for i, m in enumerate(mentions) if m.first("popular")]
    if popular and not parts.metrics and choice.problem == "no_metric":
        parts.metrics = [_popular_metric(model)] if _popular_metric(model) else []
        problems[:] = [p for p in problems if p.kind != "no_metric"]
        result.named_metric = bool(parts.metrics)

    allowed = _allowed(model, parts.metrics)
    _named_things(reading, parts, problems, account)
    _values(reading, model, parts, allowed, account)
    _time_and_comparison(reading, parts, account, follow_up_of)
    _dimensions(reading, model, parts, account)
    _ranking(reading, model, parts, account, follow_up_of)
    _thresholds(reading, parts, account)
    _shape(reading, parts, account)
    if parts.time_range and parts.metrics and all(model.metric_by_id[m].time_scope == "all_time"
                                                    for m in parts.metrics):
        problems.append(Problem("time_not_applicable", (reading.text[times[0].start:times[0].end],)
                                if times else (), tuple(parts.metrics)))
    result.removes = reading.has("remove_time") or reading.has("remove_filter")
    unused = account.unused()
    if unused:
        problems.append(Problem("unused_words", tuple(unused)))
    return result


def _popular_metric(model: SemanticModel) -> str | None:
    """'最畅销/最受欢迎' with no metric: what the model sells by, its first metric counting units."""
    return next((m.id for m in model.metrics if m.format == "count" and m.unit_words and "sell" in
                 " ".join(m.verbs)), None)


def _allowed(model: SemanticModel, metrics: list[str]) -> set[str] | None:
    if not metrics:
        return None
    sets = [{d.id for d in allowed_dimensions(model, model.metric_by_id[m])} for m in metrics]
    return set.intersection(*sets)


# ---- things named by part ----------------------------------------------------------------------
def _named_things(reading: Reading, parts: Parts, problems: list[Problem], account: _Account) -> None:
    for thing in reading.names:
        if thing.ambiguous:
            problems.append(Problem("ambiguous_name", (reading.text[thing.start:thing.end],), thing.values))
            continue
        parts.filters.append(Filter(dimension=thing.dimension, op="=" if len(thing.values) == 1 else "in",
                                    value=thing.values[0] if len(thing.values) == 1 else list(thing.values)))
        if thing.keep_dimension and all(d.name != thing.dimension for d in parts.dimensions):
            parts.dimensions.append(DimensionRef(name=thing.dimension))


# ---- values, sets, exclusions and 'the rest' --------------------------------------------------------
def _neighbour(mentions: list[Mention], index: int, step: int, skip_kinds=_GLUE) -> int | None:
    at = index + step
    while 0 <= at < len(mentions) and mentions[at].has(*skip_kinds) and not mentions[at].has(
            "value", "set", "dimension", "complement", "metric"):
        at += step
    return at if 0 <= at < len(mentions) else None


def _value_dimension(reading: Reading, index: int, allowed: set[str] | None,
                     account: _Account) -> str | None:
    """The dimension a value means: the one a word beside it names ('registered on 抖音', '上海地区'),
    else the first in the model's order the metrics can use."""
    mention = reading.mentions[index]
    options = [e.target for e in mention.entries if e.kind in ("value", "set")]
    for step in (1, -1):
        at = _neighbour(reading.mentions, index, step, ("filler",))
        if at is not None and reading.mentions[at].first("dimension") and \
                reading.mentions[at].first("dimension").target in options:
            account.use(at)
            return reading.mentions[at].first("dimension").target
    return next((o for o in options if allowed is None or o in allowed), options[0] if options else None)


def _values(reading: Reading, model: SemanticModel, parts: Parts, allowed: set[str] | None,
            account: _Account) -> None:
    mentions = reading.mentions
    chosen: dict[str, list[tuple[str, bool, int]]] = {}  # dimension -> (value, excluded, mention index)
    excluding = False
    exclusion_values: list[int] = []
    for i, mention in enumerate(mentions):
        if i in account.mentions:
            continue
        if mention.first("exclude"):
            excluding = True
            account.use(i)
            continue
        if mention.first("exclude_after"):
            for j in exclusion_values or _preceding_values(mentions, i, account):
                _mark_excluded(chosen, j)
            account.use(i)
            excluding = False
            continue
        is_value = mention.has("value", "set") and not mention.has("metric", "dimension")
        if mention.first("complement") and _complement(reading, i, parts, chosen, excluding, account):
            continue
        if not is_value:
            if not mention.has(*_GLUE):
                excluding = False
                exclusion_values = []
            continue
        dimension = _value_dimension(reading, i, allowed, account)
        entry = next(e for e in mention.entries if e.target == dimension and e.kind in ("value", "set"))
        for value in (entry.values if entry.kind == "set" else (entry.value,)):
            chosen.setdefault(dimension, []).append((value, excluding, i))
        if entry.kind == "set":
            parts.set_names[dimension] = entry.value
        if excluding:
            exclusion_values.append(i)
        account.use(i)

    total = reading.has("total")
    for dimension, items in chosen.items():
        kept = list(dict.fromkeys(v for v, excluded, _ in items if not excluded))
        dropped = list(dict.fromkeys(v for v, excluded, _ in items if excluded))
        versus = parts.versus_of(dimension)
        if versus is not None:
            continue
        if kept:
            parts.filters.append(Filter(dimension=dimension, op="=" if len(kept) == 1 else "in",
                                        value=kept[0] if len(kept) == 1 else kept))
        if dropped:
            parts.filters.append(Filter(dimension=dimension, op="!=" if len(dropped) == 1 else "not in",
                                        value=dropped[0] if len(dropped) == 1 else dropped))
        named_set = dimension in parts.set_names
        if len(kept) >= 2 and not total and not named_set:
            parts.dimensions.append(DimensionRef(name=dimension))


def _preceding_values(mentions: list[Mention], index: int, account: _Account) -> list[int]:
    found = []
    at = index - 1
    while at >= 0 and (mentions[at].has("value", "set") or mentions[at].has(*_GLUE)):
        if mentions[at].has("value", "set"):
            found.append(at)
        at -= 1
    return found


def _mark_excluded(chosen: dict, index: int) -> None:
    for items in chosen.values():
        for k, (value, _, at) in enumerate(items):
            if at == index:
                items[k] = (value, True, at)


def _complement(reading: Reading, index: int, parts: Parts, chosen: dict, excluding: bool,
                account: _Account) -> bool:
    """'其他/the rest' after a group: with a comparison it splits the dimension in two (金卡 vs the
    other member levels); after an exclusion it is the rest that the exclusion already keeps. A
    value literally named like the word (a segment called 其他) is meant only when nothing else is."""
    mentions = reading.mentions
    noun = _neighbour(mentions, index, 1, ("filler",))
    group = [(d, items) for d, items in chosen.items() if items]
    if not group:
        return False  # nothing to complement: a value of that name, if there is one
    dimension, items = group[-1]
    if noun is not None and mentions[noun].has("dimension", "neutral") and (
            not mentions[noun].first("dimension") or mentions[noun].first("dimension").target == dimension):
        account.use(noun)
    account.use(index)
    if excluding or any(excluded for _, excluded, _ in items):
        return True  # 除了天猫以外，其他渠道: the exclusion says it
    values = list(dict.fromkeys(v for v, _, _ in items))
    label = parts.set_names.get(dimension)
    parts.dimensions.append(DimensionRef(name=dimension, versus=values,
                                         versus_labels=(label or "、".join(values), "其余")
                                         if reading.language == "zh" else
                                         (label or ", ".join(values), "all others")))
    chosen[dimension] = []
    return True


# ---- time and comparison ------------------------------------------------------------------------------
def _time_and_comparison(reading: Reading, parts: Parts, account: _Account, previous: Parts | None) -> None:
    indexed = [(i, t) for i, t in enumerate(reading.times) if i not in account.times]
    compare_words = [i for i, m in enumerate(reading.mentions) if m.first("compare_to")]
    markers = [i for i, m in enumerate(reading.mentions) if m.first("previous_marker")]
    kind = None
    for i in compare_words:
        kind = reading.mentions[i].first("compare_to").target
    if indexed:
        ranges = [t.range for _, t in indexed]
        if len(ranges) == 1:
            parts.time_range = ranges[0]
            account.times.add(indexed[0][0])
        elif len(ranges) == 2:
            later, earlier = sorted(ranges, key=lambda r: r.start, reverse=True)
            paired = _pair(later, earlier)
            if paired:
                kind = paired
                parts.time_range = later
                account.times.update(i for i, _ in indexed)
            else:
                parts.time_range = ranges[0]
                account.times.add(indexed[0][0])
        else:
            parts.time_range = ranges[0]
            account.times.add(indexed[0][0])
    if markers and (parts.time_range or previous and previous.time_range):
        kind = kind or "previous_period"
        account.use(*markers)
    if kind:
        parts.compare = kind
        account.use(*compare_words)
    changes = [i for i, m in enumerate(reading.mentions) if m.first("change")]
    if changes and (parts.time_range or previous and previous.time_range) and not parts.compare:
        parts.compare = "previous_period"  # 上个月GMV涨了多少: against the month before
    if changes and parts.compare:
        account.use(*changes)


def _pair(later: DateRange, earlier: DateRange) -> str | None:
    """Two periods that compare: the same period a year earlier, or the one just before; the
    earlier may be the whole unit the comparison period lies in (今年 vs 去年 is year to date)."""
    for kind in ("same_period_last_year", "previous_period"):
        try:
            expected = comparison_range(later, kind)
        except (OverflowError, ValueError):
            continue
        if expected == earlier or (earlier.start <= expected.start and expected.end <= earlier.end
                                   and kind == "same_period_last_year"):
            return kind
    return None


# ---- breakdowns and targets -------------------------------------------------------------------------
def _dimensions(reading: Reading, model: SemanticModel, parts: Parts, account: _Account) -> None:
    mentions = reading.mentions
    filtered = {f.dimension for f in parts.filters if f.op in ("=", "in")}
    split = {d.name for d in parts.dimensions}
    for i, mention in enumerate(mentions):
        if i in account.mentions:
            continue
        grain = mention.first("grain") or mention.first("which_time")
        dimension = mention.first("dimension")
        if dimension and not mention.first("metric"):
            target = dimension.target
            suffix = _suffix_of_value(model, mentions, i, target, account)
            if suffix:
                account.use(i)
                continue
            _marked_each(mentions, i, account)
            if target in filtered and not any(f.dimension == target and f.op == "in" for f in parts.filters):
                account.use(i)  # 天猫的渠道: one value, nothing to break down
                continue
            if target in split:
                account.use(i)
                continue
            ref = DimensionRef(name=target, grain=auto_grain(parts.time_range)) \
                if model.dimension_by_id[target].time else DimensionRef(name=target)
            parts.dimensions.append(ref)
            split.add(target)
            account.use(i)
        elif grain:
            parts.dimensions = [d for d in parts.dimensions if d.name != "date"]
            parts.dimensions.insert(0, DimensionRef(name="date", grain=grain.target))
            account.use(i)
            if mention.first("which_time"):
                parts.target = True
        elif mention.first("trend") and all(d.name != "date" for d in parts.dimensions):
            parts.dimensions.insert(0, DimensionRef(name="date", grain=auto_grain(parts.time_range)))
            account.use(i)
        elif mention.first("trend"):
            account.use(i)
    # 各自/分别 after a named set or several values: each of them
    for i, mention in enumerate(mentions):
        if mention.first("each") and i not in account.mentions:
            before = [f.dimension for f in parts.filters if f.op == "in" and f.dimension not in split]
            if before:
                parts.dimensions.append(DimensionRef(name=before[-1]))
                split.add(before[-1])
            if split or parts.dimensions:
                account.use(i)
    for i, mention in enumerate(mentions):
        if mention.first("breakdown") and i not in account.mentions and parts.dimensions:
            account.use(i)


def _suffix_of_value(model: SemanticModel, mentions: list[Mention], index: int, dimension: str,
                     account: _Account) -> bool:
    """'上海地区', '天猫渠道', '金卡会员', '华南地区': the word names the kind of the value before it
    (or the kind it is grouped from)."""
    at = _neighbour(mentions, index, -1, ("filler",))
    if at is None or at not in account.mentions:
        return False
    before = mentions[at]
    kinds = {dimension} | {d.id for d in model.dimensions if d.derived_from == dimension}
    return any(e.kind in ("value", "set") and e.target in kinds for e in before.entries) and \
        mentions[index].start - before.end <= 1


def _marked_each(mentions: list[Mention], index: int, account: _Account) -> bool:
    """Is the dimension word asked per member ('各城市', '按渠道', 'by channel', '分城市')?"""
    at = index - 1
    while at >= 0 and mentions[at].has("filler", "dimension", "value") and not mentions[at].has("each", "breakdown"):
        if mentions[at].has("value"):
            return False
        at -= 1
    if at >= 0 and mentions[at].has("each", "breakdown"):
        account.use(at)
        return True
    return False


# ---- ranking --------------------------------------------------------------------------------------
def _ranking(reading: Reading, model: SemanticModel, parts: Parts, account: _Account,
             previous: Parts | None) -> None:
    mentions = reading.mentions
    superlatives = [i for i, m in enumerate(mentions) if m.first("superlative") and i not in account.mentions]
    comparatives = [i for i, m in enumerate(mentions) if m.first("comparative") and i not in account.mentions]
    orders = [i for i, m in enumerate(mentions) if m.first("rank_order") and i not in account.mentions]
    which = [i for i, m in enumerate(mentions) if m.first("which") and i not in account.mentions]
    which_many = [i for i, m in enumerate(mentions) if m.first("which_many") and i not in account.mentions]
    popular = [i for i, m in enumerate(mentions) if m.first("popular") and i not in account.mentions]
    versus = any(d.versus for d in parts.dimensions)
    if versus or _side_by_side(parts):  # 金卡比其他会员高吗, 天猫和京东哪个高: both rows, no ranking
        account.use(*comparatives, *superlatives, *which, *which_many)
        account.use(*[i for i, m in enumerate(mentions) if m.first("compare")])
        return
    breakdown = [d for d in parts.dimensions if not d.versus] or \
        ([d for d in previous.dimensions if not d.versus] if previous else [])
    if not (superlatives or orders or which or which_many or popular or reading.ranks or comparatives):
        _compare_words(reading, parts, account)
        return
    if not breakdown and (popular or superlatives or reading.ranks or which):
        product = _ranked_thing(model, parts)
        if product:
            parts.dimensions.append(DimensionRef(name=product))
            breakdown = parts.dimensions
    if not breakdown:
        _compare_words(reading, parts, account)
        return
    direction = "desc"
    for i in superlatives + orders + popular + comparatives:
        direction = mentions[i].first("superlative", ) .target if mentions[i].first("superlative") else \
            (mentions[i].first("rank_order") or mentions[i].first("popular") or mentions[i].first("comparative")).target
    if any(r.ascending for r in reading.ranks):
        direction = "asc"
    parts.order = (None, direction)
    if reading.ranks:
        parts.limit = reading.ranks[0].count
    elif (superlatives or which or popular or parts.target) and not which_many and not comparatives:
        parts.limit = 1
    account.use(*superlatives, *orders, *which, *which_many, *popular, *comparatives)
    _compare_words(reading, parts, account)


def _side_by_side(parts: Parts) -> bool:
    """Two or more values of one dimension shown side by side ('天猫和京东哪个高')."""
    return any(f.op == "in" and isinstance(f.value, list) and 2 <= len(f.value) <= 4 and f.dimension not in
               parts.set_names and any(d.name == f.dimension for d in parts.dimensions) for f in parts.filters)


def _ranked_thing(model: SemanticModel, parts: Parts) -> str | None:
    """'最畅销的面霜' names no breakdown: the things the model sells (the dimension of the category's
    members) are ranked."""
    filtered = {f.dimension for f in parts.filters}
    for dimension in model.dimensions:
        if dimension.time or dimension.id in filtered:
            continue
        if any(d.derived_from == dimension.id for d in model.dimensions):
            continue
    return None


def _compare_words(reading: Reading, parts: Parts, account: _Account) -> None:
    """对比/vs/比 are used when there is something to compare: periods, several values, groups."""
    compared = parts.compare or any(d.versus for d in parts.dimensions) or any(
        f.op == "in" for f in parts.filters) or any(not d.versus and d.name != "date" for d in parts.dimensions)
    if compared:
        account.use(*[i for i, m in enumerate(reading.mentions) if m.first("compare")])


# ---- thresholds and the shape of the answer ------------------------------------------------------------
def _thresholds(reading: Reading, parts: Parts, account: _Account) -> None:
    for threshold in reading.thresholds:
        before = [m for m in reading.mentions if m.first("metric") and m.end <= threshold.start]
        metric = before[-1].first("metric").target if before else None
        parts.having.append((metric, threshold.op, threshold.value))


def _shape(reading: Reading, parts: Parts, account: _Account) -> None:
    for i, mention in enumerate(reading.mentions):
        chart = mention.first("chart")
        if chart:
            parts.chart = chart.target
            account.use(i)
        if mention.first("share") and parts.dimensions:
            parts.chart = parts.chart or "pie"
            account.use(i)
        if mention.first("remove_time") or mention.first("remove_filter"):
            account.use(i)
