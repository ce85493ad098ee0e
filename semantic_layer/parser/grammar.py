"""Reading -> Parts, with an account of every part of the question. Each word either fills a slot
of the query (a metric, a filter, a breakdown, the period, a comparison, a ranking, a threshold),
is a word of the language that frames the question, or is reported; anything reported, or two
readings equally likely, means the parser asks back instead of answering.

The forms: how much (units and verbs choose the metric), which X is highest (a ranked breakdown,
top one), comparisons (环比, 同比, two periods, A vs B, a group vs the rest), complements and
negation (除了X, 没买过), named sets (一线城市), things named by part, thresholds, top-N, shares,
trends; follow-ups edit the previous question's parts (``followup.py``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from semantic_layer.model import SemanticModel
from semantic_layer.parser.compose import Parts, auto_grain, line_level_metric
from semantic_layer.parser.lexicon import Mention
from semantic_layer.parser.each_limit import counted_in_period, each_limits
from semantic_layer.parser.metric_choice import choose_metrics
from semantic_layer.parser.ever_split import ever_splits
from semantic_layer.parser.never import entity_metric, never_done
from semantic_layer.parser.normalize import name_key
from semantic_layer.parser.read import Reading
from semantic_layer.parser.words import DAYS_BEFORE, DAYS_BEFORE_AFTER, LIST_VERBS, NOT_A_VALUE, THESE_DAYS, WHOLE
from semantic_layer.query import DimensionRef, Filter
from semantic_layer.graph import reach_dimension
from semantic_layer.resolve import counted_entity, metric_facts, shared_dimensions
from semantic_layer.timeexpr import DateRange, TimeMatch, comparison_range

# Words that frame a question without filling a slot: never reported.
_FREE = ("filler", "neutral", "classifier", "follow_up", "only", "total", "evaluation", "quantity", "anaphor",
         "series", "also", "all_of")
# Words between the parts of one phrase ("金卡的客单价", "除了京东和天猫之外")
_GLUE = ("filler", "classifier", "neutral")
_IN_DAYS = re.compile(r"天|日|(?<![a-z])days?(?![a-z])")


@dataclass(frozen=True)
class Problem:
    kind: str  # unknown_words, unused_words, no_metric, ambiguous_metric, ambiguous_name, cannot_negate,
    #           unsupported, unit_mismatch, time_not_applicable, no_reference, metric_as_group, two_rankings,
    #           ranking_per_group, never_or_period
    words: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()


@dataclass
class Understanding:
    parts: Parts
    problems: list[Problem] = field(default_factory=list)
    named_metric: bool = False  # the question names or implies a metric of its own
    removes: bool = False  # the question only removes something (a follow-up)
    refers_back: bool = False  # it builds on the previous question's parts ('for each of them')
    group_count: bool = False  # its metric only counts the members of a group it names (a follow-up keeps its own)
    implied_metric: bool = False  # its metric is implied by unit words and verbs, not named


class _Account:
    """Which mentions and times the grammar used."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        self.mentions: set[int] = set(reading.named_mentions())
        self.times: set[int] = set(reading.named_times())
        # dimension words that named the kind of a coarser value ('召回类活动'): a ranking or 各自
        # asks for their members
        self.implied: list[str] = []
        self.each_marked: list[int] = []  # each-words that asked for a breakdown ('各渠道', '每个品类')

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
    unsupported = [m.text for m in mentions if m.first("unsupported") and not m.first("analysis")]
    if unsupported:
        problems.append(Problem("unsupported", tuple(unsupported)))
    unresolved = [m.text for i, m in enumerate(mentions) if m.first("anaphor") and follow_up_of is None and not any(
        o.has("value", "set", "unit", "neutral", "metric") for o in mentions[:i]) and not any(
        t.start < m.start for t in reading.names)]
    if unresolved:  # '她们今年客单价多少' as a first question: who?
        problems.append(Problem("no_reference", tuple(unresolved)))

    _windows(reading, model, account, problems)
    analysis = _analysis_named(reading, account)
    times = [t for i, t in enumerate(reading.times) if i not in account.times]
    splits = ever_splits(reading, model, account.mentions)
    account.use(*splits.used)
    never = never_done(reading, model, account.mentions, bool(times) or bool(follow_up_of and follow_up_of.time_range))
    account.use(*never.used)
    if never.needs_period:
        problems.append(Problem("never_or_period", tuple(dict.fromkeys(mentions[i].text for i in never.used))))
    limits = each_limits(reading, model, account.mentions)  # '消费超过1万的客户': on each customer
    account.use(*limits.used)
    parts.each_having = limits.limits
    choice = choose_metrics(model, mentions, reading.text, account.mentions,
                            bool(times) or bool(follow_up_of and follow_up_of.time_range), reading.emphasis)
    account.use(*choice.used)
    parts.metrics = list(choice.metrics)
    if limits.limits and times and len(parts.metrics) == 1:  # '去年至少5件的客户有几个': of last year's buyers
        parts.metrics = [counted_in_period(model, parts.metrics[0], limits.limits)]
    result.named_metric = bool(choice.metrics) and not choice.members_only
    result.group_count = choice.from_group
    parts.sold = result.implied_metric = choice.implied
    if choice.problem and not (choice.problem == "no_metric" and follow_up_of is not None):
        problems.append(Problem(choice.problem, candidates=choice.candidates))
    popular = [i for i, m in enumerate(mentions) if m.first("popular")]
    if popular and not parts.metrics and choice.problem == "no_metric" and model.best_selling:
        parts.metrics = [model.best_selling.metric]
        problems[:] = [p for p in problems if p.kind != "no_metric"]
        result.named_metric = True

    allowed = _allowed(model, parts.metrics)
    parts.filters.extend(never.filters)
    _named_things(reading, model, parts, problems)
    _values(reading, model, parts, allowed, account, follow_up_of, problems)
    _time_and_comparison(reading, parts, account, follow_up_of, problems)
    _dimensions(reading, model, parts, account, follow_up_of, problems)
    _ranking(reading, model, parts, account, follow_up_of, problems)
    _by_change(reading, parts, account)
    _beside_previous(reading, parts, account, follow_up_of)
    _thresholds(reading, parts, account, problems, follow_up_of, set(limits.thresholds))
    _band_limits(reading, model, parts, problems)
    _shape(reading, model, parts, account, follow_up_of)
    if splits.dimensions:  # after the values ('精华买家里买没买过面霜' keeps 精华 a filter); 各 / by / 对比 ask for it
        parts.dimensions.extend(splits.dimensions)
        account.use(*(i for i, m in enumerate(mentions) if m.has("each", "breakdown", "compare")))
    if popular and result.named_metric and parts.metrics == [model.best_selling.metric] and not choice.metrics:
        _best_selling_of(model, parts, problems)
    if parts.time_range and parts.metrics and all(model.metric_by_id[m].time_scope == "all_time"
                                                    for m in parts.metrics):
        problems.append(Problem("time_not_applicable", (reading.text[times[0].start:times[0].end],)
                                if times else (), tuple(parts.metrics)))
    if analysis is None and _lists_people(reading, model, parts):
        analysis, parts.metrics = "customer_list", []
    parts.analysis = analysis  # what it brings and what it needs: parser/analyses.py
    result.removes = reading.has("remove_time") or reading.has("remove_filter")
    result.refers_back = bool(parts.drop_filters) or parts.refers_back
    unused = account.unused()
    if unused:
        problems.append(Problem("unused_words", tuple(unused)))
    return result


def _lists_people(reading: Reading, model: SemanticModel, parts: Parts) -> bool:
    """'list the 30-34 customers': a listing verb and the people the customer list holds, no figure asked."""
    spec = model.analyses.customer_list
    if spec is None or not any(m.text in LIST_VERBS for m in reading.mentions) or any(
            m.has("quantity", "metric") for m in reading.mentions):
        return False
    listed = counted_entity(model, model.metric_by_id[spec.who])
    people = parts.metrics or [t for m in reading.mentions if m.first("unit") for t in m.first("unit").targets
                               if t == spec.who]
    return bool(listed and people) and all(
        (e := counted_entity(model, model.metric_by_id[m])) and e.table == listed.table for m in people)


def _analysis_named(reading: Reading, account: _Account) -> str | None:
    """The analysis a question names ('新客留存', 'A/B测试结果'), if any; a word that is also a verb is
    the verb in a question that asks how many ('how many customers did we win')."""
    counting = reading.has("quantity")
    found = [i for i, m in enumerate(reading.mentions) if m.first("analysis") and not (counting and m.first("verb"))]
    account.use(*found)
    return reading.mentions[found[0]].first("analysis").target if found else None


def _best_selling_of(model: SemanticModel, parts: Parts, problems: list[Problem]) -> None:
    """'最畅销 / 卖得最好' ranks what the model says (units of products, and of their kinds); of days or
    channels it could be money as well: asked back, with the metrics sold things are measured by."""
    things = {d for chain in model.hierarchies if model.best_selling.dimension in chain for d in chain}
    if any(d.name not in things for d in parts.dimensions):
        verbs = set(model.metric_by_id[model.best_selling.metric].verbs)
        options = [model.best_selling.metric] + [m.id for m in model.metrics if m.id != model.best_selling.metric
                                                 and verbs & set(m.verbs) and m.format in ("money", "count")]
        problems.append(Problem("ambiguous_metric", candidates=tuple(options[:3])))


def _allowed(model: SemanticModel, metrics: list[str]) -> set[str] | None:
    if not metrics:
        return None
    return shared_dimensions(model, [model.metric_by_id[m] for m in metrics])


# ---- things named by part ----------------------------------------------------------------------
def _named_things(reading: Reading, model: SemanticModel, parts: Parts, problems: list[Problem]) -> None:
    """One filter per dimension; several things of one dimension are shown side by side ('GMV of
    the sunscreen spray launch and of the 熬夜面膜 launch')."""
    by_dimension: dict[str, list] = {}
    for thing in reading.names:
        if thing.ambiguous:
            problems.append(Problem("ambiguous_name", (reading.text[thing.start:thing.end],), thing.values))
        else:
            by_dimension.setdefault(thing.dimension, []).append(thing)
    for dimension, things in by_dimension.items():
        values = list(dict.fromkeys(v for thing in things for v in thing.values))
        parts.filters.append(Filter(dimension=dimension, op="=" if len(values) == 1 else "in",
                                    value=values[0] if len(values) == 1 else values))
        several = len(things) > 1 and not reading.has("total")
        # a thing named by part ('tmall 618 campaign') is answered with its full name beside the figure
        by_part = len(values) == 1 and name_key(reading.text[things[0].start:things[0].end]) != name_key(values[0]) \
            and all(line_level_metric(model, m, [DimensionRef(name=dimension)]) == m for m in parts.metrics)
        if (several or by_part or any(t.keep_dimension for t in things)) and all(
                d.name != dimension for d in parts.dimensions):
            parts.dimensions.append(DimensionRef(name=dimension))


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
            account: _Account, previous: Parts | None, problems: list[Problem]) -> None:
    mentions = reading.mentions
    chosen: dict[str, list[tuple[str, bool, int]]] = {}  # dimension -> (value, excluded, mention index)
    excluding = False
    exclusion_values: list[int] = []
    exclusion_words: list[int] = []
    for i, mention in enumerate(mentions):
        if i in account.mentions:
            continue
        if mention.first("exclude") or mention.first("not") and _negates_a_value(mentions, i):
            excluding = True  # 除了天猫, 不是学生的客户; used once it excludes something ('除了双11': a period, asked back)
            exclusion_words.append(i)
            continue
        if mention.first("exclude_after"):
            excluded = exclusion_values or _preceding_values(mentions, i, account)
            for j in excluded:
                _mark_excluded(chosen, j)
            if excluded:
                account.use(i, *exclusion_words)
            excluding = False
            continue
        is_value = mention.has("value", "set") and not mention.has("dimension") and (
            not mention.has("metric") or bool(parts.metrics))  # a metric's word left to name a group
        if mention.first("complement") and _complement(reading, model, i, parts, chosen, excluding, account,
                                                       previous):
            continue
        if not is_value:
            if not mention.has(*_GLUE, "dimension", "which", "anaphor"):  # '不算在抖音注册的人': still excluded
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
            account.use(*exclusion_words)
        account.use(i)

    total = reading.has("total")
    for dimension, items in chosen.items():
        kept = list(dict.fromkeys(v for v, excluded, _ in items if not excluded))
        dropped = list(dict.fromkeys(v for v, excluded, _ in items if excluded))
        versus = parts.versus_of(dimension)
        if versus is not None:
            continue
        if kept and kept == dropped and any(m.has("compare", "comparative") for m in reading.mentions) and \
                _one_row_each(model, parts.metrics, dimension):
            # '黑金会员的笔单价比非黑金的高吗': the group against everyone not in it
            negated = next(at for _, excluded, at in items if excluded)
            start = max((m.start for m in reading.mentions[:negated] if m.first("not")), default=reading.mentions[
                negated].start)
            joined = ("、" if reading.language == "zh" else ", ").join(kept)
            parts.dimensions.append(DimensionRef(name=dimension, versus=kept, versus_labels=(
                joined, reading.text[start:reading.mentions[negated].end])))
            continue
        if len(kept) == 2 and _asks_difference(reading, [at for v, excluded, at in items if not excluded], account):
            parts.filters.append(Filter(dimension=dimension, value=kept[0]))  # 满减券比无门槛券低多少
            parts.compare, parts.compare_group = "group", Filter(dimension=dimension, value=kept[1])
            continue
        each_done = _done_with_each(reading, model) if len(kept) >= 2 else None
        if each_done and reading.times:  # '上个月都买过': each in that month, or ever? asked back
            problems.append(Problem("unused_words", tuple(m.text for m in mentions if m.first("both"))))
        elif each_done:  # the people who did it with every one of them, as many 'ever' filters
            parts.filters.extend(Filter(dimension=dimension, value=v, ever=each_done) for v in kept)
            account.use(*(j for j, m in enumerate(mentions) if m.first("both")))
            kept = []
        if kept:
            parts.filters.append(Filter(dimension=dimension, op="=" if len(kept) == 1 else "in",
                                        value=kept[0] if len(kept) == 1 else kept))
        if dropped:
            parts.filters.append(Filter(dimension=dimension, op="!=" if len(dropped) == 1 else "not in",
                                        value=dropped[0] if len(dropped) == 1 else dropped))
        named_set = dimension in parts.set_names
        if len(kept) >= 2 and not total and not named_set and not _either(reading, [at for _, _, at in items]):
            parts.dimensions.append(DimensionRef(name=dimension))


def _done_with_each(reading: Reading, model: SemanticModel) -> str | None:
    """'在天猫和京东都买过的客户', 'customers who bought on both tmall and jd': people who did the verb
    with each value (ever), not each value's own count; the metric that counts them."""
    if not any(m.first("both") for m in reading.mentions):
        return None
    return next((metric for m in reading.mentions if m.first("verb") and (metric := entity_metric(model, m))), None)


def _either(reading: Reading, indexes: list[int]) -> bool:
    """Values joined by 'or' ('金卡或黑金', 'gold or black-gold') in a question that neither asks
    which of them nor sets them against each other: one figure for the values together."""
    between = reading.mentions[min(indexes):max(indexes)]
    return any(m.first("either") for m in between) and not any(
        m.has("which", "compare", "superlative", "comparative", "each") for m in reading.mentions)


def _one_row_each(model: SemanticModel, metrics: list[str], dimension: str) -> bool:
    """Does every row of the metrics' facts have one value of the dimension (no bridge: an order
    holds several categories, so 面霜 and 非面霜 orders would overlap)?"""
    reaches = [reach_dimension(model, fact, model.dimension_by_id[dimension])
               for m in metrics for fact in metric_facts(model, model.metric_by_id[m])]
    return bool(reaches) and all(r is not None and r.bridge is None for r in reaches)


def _negates_a_value(mentions: list[Mention], index: int) -> bool:
    """'不是学生的客户', '非天猫': a negation that says which group is left out, not what was not done."""
    if mentions[index].text not in NOT_A_VALUE:  # '没买过面霜', 'never 防晒': not done, not excluded
        return False
    at = _neighbour(mentions, index, 1, ("filler",))
    return at is not None and mentions[at].has("value", "set") and not mentions[at].has("verb", "metric")


def _asks_difference(reading: Reading, places: list[int], account: _Account) -> bool:
    """'A比B低多少', 'how much higher is A than B', 'A比B高几个点': a comparing word between the two and
    a question of how far apart."""
    mentions = reading.mentions
    first, last = min(places), max(places)
    between = [i for i in range(first + 1, last) if mentions[i].has("compare")]
    gap = [i for i, m in enumerate(mentions) if m.has("difference") or m.has("quantity") and i > first]
    listed = _LISTED.fullmatch(reading.text[mentions[first].end:mentions[last].start].strip())
    if not (between or listed and any(mentions[i].has("difference") for i in gap)) or not gap:
        return False  # '新客和老客的笔单价差多少': listed, then how far apart
    account.use(*between, *gap)
    return True


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


def _complement(reading: Reading, model: SemanticModel, index: int, parts: Parts, chosen: dict, excluding: bool,
                account: _Account, previous: Parts | None) -> bool:
    """'其他/the rest' after a group: with a comparison ('比其他会员高吗', '天猫和其他渠道') it splits the
    dimension in two (金卡 vs the other member levels); without one it is the rest alone ('上海以外的
    地方'); after an exclusion it is the rest that the exclusion already keeps; in a follow-up ('how
    does that compare with everyone else') the group is the previous question's.
    A value literally named like the word (a segment called 其他) is meant only when nothing else
    is: '其他人群' after nothing to complement is that segment."""
    mentions = reading.mentions
    noun = _neighbour(mentions, index, 1, ("filler",))
    group = [(d, items) for d, items in chosen.items() if items]
    if not group and previous is not None:
        earlier = [f for f in previous.filters if f.op in ("=", "in")]
        if earlier:
            values = earlier[-1].value if isinstance(earlier[-1].value, list) else [earlier[-1].value]
            chosen[earlier[-1].dimension] = [(v, False, -1) for v in values]  # the group, to keep or leave out
            group = [(earlier[-1].dimension, chosen[earlier[-1].dimension])]
            parts.drop_filters.append(earlier[-1].dimension)
    if not group:
        literal = noun is not None and any(e.kind == "value" and mentions[noun].first("dimension") and
                                           e.target == mentions[noun].first("dimension").target
                                           for e in mentions[index].entries)
        return not literal  # the rest of nothing: left unused, so asked back
    dimension, items = group[-1]
    rest = mentions[index].text  # the rest, in the question's words: 其他渠道, 其他人, everyone else
    if noun is not None and mentions[noun].has("dimension", "neutral") and (
            not mentions[noun].first("dimension") or _same_kind(model, mentions[noun], dimension)):
        account.use(noun)  # 其他渠道 after 私域: the other channels of the other kind
        rest = reading.text[mentions[index].start:mentions[noun].end]
    account.use(index)
    if excluding or any(excluded for _, excluded, _ in items):
        return True  # 除了天猫以外，其他渠道: the exclusion says it
    last = max((at for _, _, at in items), default=-1)
    joined = last >= 0 and re.search(r"和|与|跟|及|对比|\band\b|\bvs\b|\bversus\b|\bor\b",
                                     reading.text[mentions[last].end:mentions[index].start])
    if not joined and not any(m.has("compare", "comparative", "superlative", "evaluation", "change", "which")
                              for m in mentions):
        items[:] = [(v, True, at) for v, _, at in items]  # 上海以外的地方: the rest only
        return True
    values = list(dict.fromkeys(v for v, _, _ in items))
    label = parts.set_names.get(dimension)
    parts.dimensions.append(DimensionRef(name=dimension, versus=values,
                                         versus_labels=(label or ("、" if reading.language == "zh" else ", ").join(
                                             values), rest)))
    chosen[dimension] = []
    return True


def _same_kind(model: SemanticModel, noun: Mention, dimension: str) -> bool:
    """Does a dimension word name things of ``dimension`` or of its kind, group or hierarchy?"""
    related = {dimension} | {d.id for d in model.dimensions if d.derived_from == dimension} | {
        model.dimension_by_id[dimension].derived_from} | {d for chain in model.hierarchies if dimension in chain
                                                           for d in chain}
    return any(e.kind in ("dimension", "kind_of") and e.target in related for e in noun.entries)


# ---- time and comparison ------------------------------------------------------------------------------
def _said_of_the_previous(reading: Reading, period: TimeMatch, parts: Parts, previous: Parts | None,
                          problems: list[Problem]) -> None:
    """'这7天合计多少' after a question about 7 days: those days; 'the previous 30 days' after 'the last
    30 days': the 30 days before them (the same words alone are the last 30 days)."""
    said = reading.text[period.start:period.end]
    after = said.endswith(DAYS_BEFORE_AFTER)  # 'the 30 days before that': always of the previous days
    if previous is None or previous.time_range is None:
        if after:
            problems.append(Problem("no_reference", (said,)))
        return
    start = previous.time_range.start
    if said.startswith(THESE_DAYS) and period.range.days == previous.time_range.days:
        parts.time_range = previous.time_range
    elif after or said.startswith(DAYS_BEFORE) and period.range == previous.time_range:
        parts.time_range = DateRange(start - (period.range.end - period.range.start), start)


def _time_and_comparison(reading: Reading, parts: Parts, account: _Account, previous: Parts | None,
                         problems: list[Problem]) -> None:
    """One period, or two that compare: the one just before or a year before (环比, 同比), or any
    two named periods side by side (去年双11 vs 今年618). A period inside another names it more
    closely ('618 this year'); the same period named twice is it and the one before ('the last 7
    days vs the previous 7 days')."""
    indexed = [(i, t) for i, t in enumerate(reading.times) if i not in account.times]
    compare_words = [i for i, m in enumerate(reading.mentions) if m.first("compare_to")]
    markers = [i for i, m in enumerate(reading.mentions) if m.first("previous_marker")]
    kind = next((reading.mentions[i].first("compare_to").target for i in reversed(compare_words)), None)
    periods = _narrowest(indexed, reading.text)
    metrics_after = [{m.first("metric").target for m in reading.mentions if m.first("metric") and t.end <= m.start
                      and (k + 1 == len(periods) or m.end <= periods[k + 1].start)} for k, t in enumerate(periods)]
    if len(periods) == 2 and all(metrics_after) and metrics_after[0] != metrics_after[1]:
        # '今年的GMV和上个月的订单数': a period for each metric, which one query cannot say
        problems.append(Problem("unused_words", tuple(reading.text[t.start:t.end] for t in periods)))
    if len(periods) == 1:
        parts.time_range = periods[0].range
        parts.time_yearless = periods[0].yearless
        _said_of_the_previous(reading, periods[0], parts, previous, problems)
        account.use(*(i for i, m in enumerate(reading.mentions) if m.first("whole") and (  # '去年一年', '2024全年'
            m.start == periods[0].end or m.end == periods[0].start)))
    elif len(periods) == 2:
        later, earlier = sorted((t.range for t in periods), key=lambda r: r.start, reverse=True)
        whole = [i for i, m in enumerate(reading.mentions) if m.first("whole")]
        account.use(*whole)
        said_whole = bool(whole) or any(w in reading.text[t.start:t.end] for t in periods for w in WHOLE if not w.isascii())
        paired = "previous_period" if later == earlier else _pair(later, earlier, literal=said_whole)
        parts.time_range = later
        if later == earlier and any(_IN_DAYS.search(reading.text[t.start:t.end]) for t in periods):
            # '近30天比前30天': the same days named twice are them and as many days before (June is 30 days
            # too, but not the month before)
            kind, parts.compare_to = "period", DateRange(later.start - (later.end - later.start), later.start)
        elif paired:
            kind = paired
        else:
            kind, parts.compare_to = "period", earlier
    account.times.update(i for i, t in indexed if len(periods) <= 2)
    if len(periods) > 2:
        account.times.add(indexed[0][0])
        parts.time_range = periods[0].range
    compared = [i for i, m in enumerate(reading.mentions) if m.first("compare")]
    named = parts.time_range or periods[0].range if len(periods) == 1 else None
    if named and not kind and compared and not parts.filters and previous is not None and \
            previous.time_range and previous.time_range != named:
        # '跟5月比呢' after a question about June, 'vs the 30 days before that': the previous period
        # against the one named
        parts.time_range, parts.time_yearless = previous.time_range, False
        kind, parts.compare_to = "period", named
        account.use(*compared)
    comparing_words = any(m.has("compare", "change", "comparative", "difference") for m in reading.mentions)
    if markers and not periods and not kind and not comparing_words and previous is not None and \
            previous.time_range and not previous.compare:
        parts.shift = "previous_period"  # 'what about the month before', '前一个月呢': that period instead
        account.use(*markers)
    elif markers and (parts.time_range or previous and previous.time_range):
        kind = kind or "previous_period"
        account.use(*markers)
    nouns = [i for i, m in enumerate(reading.mentions) if m.first("period_noun")]
    if nouns:  # '和去年同期比' compares; '那去年同期呢' asks for that period instead
        noun = reading.mentions[nouns[-1]].first("period_noun").target
        comparing = kind or periods or any(m.has("compare", "change", "comparative") for m in reading.mentions)
        if comparing:
            kind = kind or noun
        elif previous is not None and previous.time_range:
            parts.shift = noun
        if kind or parts.shift:
            account.use(*nouns)
    if kind and parts.compare != "group":
        parts.compare = kind
        account.use(*compare_words)
    changes = [i for i, m in enumerate(reading.mentions) if m.first("change")]
    if parts.compare == "group":
        account.use(*changes)
    elif changes and (parts.time_range or previous and previous.time_range) and not parts.compare:
        parts.compare = "previous_period"  # 上个月GMV涨了多少: against the month before
    if changes and parts.compare:
        account.use(*changes)


def _narrowest(indexed: list, text: str) -> list:
    """The periods named, each one inside another folded into the inner one ('今年618'), unless they
    are listed apart ('上个月和今年的GMV')."""
    periods = [t for _, t in indexed]

    def listed(a, b) -> bool:
        first, second = sorted((a, b), key=lambda t: t.start)
        return bool(_LISTED.search(text[first.end:second.start]))
    return [t for t in periods if not any(
        o is not t and t.range.start <= o.range.start and o.range.end <= t.range.end and o.range != t.range
        and not listed(o, t) for o in periods)]


_LISTED = re.compile(r"和|与|跟|及|以及|、|\band\b|\bvs\b|\bversus\b|对比|比")


def _pair(later: DateRange, earlier: DateRange, literal: bool = False) -> str | None:
    """Two periods that compare as the same period a year earlier or the one just before; a period
    to date against the whole unit before it ('今年 vs 去年') compares the same part of it, unless the
    question says the whole ('all of 2024')."""
    for kind in ("same_period_last_year", "previous_period"):
        try:
            expected = comparison_range(later, kind)
        except (OverflowError, ValueError):
            continue
        if expected == earlier or not literal and earlier.start == expected.start and expected.end < earlier.end:
            return kind
    return None


# ---- breakdowns and targets -------------------------------------------------------------------------
def _dimensions(reading: Reading, model: SemanticModel, parts: Parts, account: _Account,
                previous: Parts | None, problems: list[Problem]) -> None:
    mentions = reading.mentions
    split = {d.name for d in parts.dimensions}

    def add(name: str) -> None:
        if name not in split:
            dimension = model.dimension_by_id[name]
            parts.dimensions.append(DimensionRef(name=name, grain=auto_grain(parts.time_range))
                                    if dimension.time else DimensionRef(name=name))
            split.add(name)

    _kinds(reading, account, add)
    for i, mention in enumerate(mentions):
        if i in account.mentions:
            continue
        grain = mention.first("grain") or mention.first("which_time")
        dimension = mention.first("dimension")
        if dimension and not mention.first("metric"):
            target = _named_more_closely(model, mentions, i, account) or dimension.target
            account.use(i)
            suffix = _suffix_of_value(model, mentions, i, target, account)
            if suffix:
                if suffix != target:
                    account.implied.append(target)
                continue
            each = _marked_each(mentions, i, account)
            if any(f.dimension == target and f.op == "=" for f in parts.filters):
                continue  # 天猫的渠道: one value, nothing to break down
            whole = _neighbour(mentions, i, -1, ("filler",))
            if not each and whole is not None and mentions[whole].has("all_of"):
                continue  # 所有渠道的GMV: the whole, not each channel
            if each and reading.has("total"):  # '各渠道GMV合计': each one, or their total?
                problems.append(Problem("each_and_total", (mentions[i].text,)))
            add(target)
        elif grain:
            parts.dimensions = [d for d in parts.dimensions if d.name != model.time_dimension]
            parts.dimensions.insert(0, DimensionRef(name=model.time_dimension, grain=grain.target))
            split.add(model.time_dimension)
            account.use(i)
            parts.target = parts.target or bool(mention.first("which_time"))
        elif mention.first("trend"):
            if model.time_dimension not in split:
                parts.dimensions.insert(0, DimensionRef(name=model.time_dimension, grain=auto_grain(parts.time_range)))
                split.add(model.time_dimension)
            account.use(i)
    # 各自/分别/each of them: each of the values named (or of the previous question's breakdown)
    for i, mention in enumerate(mentions):
        if mention.first("each") and i not in account.mentions:
            if len(parts.metrics) >= 2 and not split:  # '成交人数和新客数各多少': each metric
                account.use(i)
                continue
            several = [f.dimension for f in parts.filters if f.op == "in" and f.dimension not in split]
            rest = [f.dimension for f in parts.filters if f.op in ("!=", "not in") and f.dimension not in split]
            earlier = [f.dimension for f in (previous.filters if previous else [])
                       if f.op == "in" and f.dimension not in split]
            here = several or rest or [d for d in account.implied if d not in split]
            if any(not model.dimension_by_id[d].time for d in split):
                here, earlier = [], []  # '只看江浙沪的话各渠道分别多少': each channel, already split
            if here or earlier:
                add((here or earlier)[-1])
                parts.refers_back = parts.refers_back or not here
            if split or previous and previous.dimensions:
                account.use(i)
    for i, mention in enumerate(mentions):
        if mention.first("breakdown") and i not in account.mentions and (split or previous and previous.dimensions):
            account.use(i)


def _windows(reading: Reading, model: SemanticModel, account: _Account, problems: list[Problem]) -> None:
    """'近7天加购了没付款的有多少人': the period a value is evaluated over, named with it, is part of the
    value, not a period for the metric. Another period there ('最近30天加购未付款') would change the
    value's own window, which the model fixes: asked back."""
    windowed = [(m, model.dimension_by_id[e.target].window_days) for m in reading.mentions for e in m.entries
                if e.kind == "value" and model.dimension_by_id[e.target].window_days]
    for i, time in enumerate(reading.times):
        # only right before the value: in '最近7天没买过的加购未付款客户' the period is the metric's
        beside = [(m, days) for m, days in windowed if m.start >= time.end and not reading.text[time.end:m.start].strip(" 的")]
        if not reading.today:
            continue
        own = [m for m, days in beside if time.range == DateRange(reading.today - dt.timedelta(days=days), reading.today)]
        if own:
            account.times.add(i)
        elif any(all(e.kind == "value" and model.dimension_by_id[e.target].window_days for e in m.entries)
                 for m, _ in beside):  # a value that can only be the windowed one
            account.times.add(i)
            problems.append(Problem("unused_words", (reading.text[time.start:time.end],)))


def _kinds(reading: Reading, account: _Account, add) -> None:
    """'各类型的活动', '哪种券', 'which type of coupon': a kind word beside a noun asks for the
    dimension the model names as that noun's type."""
    mentions = reading.mentions
    for i, mention in enumerate(mentions):
        if not mention.first("kind") or i in account.mentions:
            continue
        for step in (1, -1):
            at = _neighbour(mentions, i, step, ("filler", "classifier"))
            if at is not None and mentions[at].first("kind_of"):  # '券' may also have said the metric's unit
                add(mentions[at].first("kind_of").target)
                account.use(i, at)
                break
            if at is not None and step == 1 and mentions[at].first("dimension") and at not in account.mentions:
                add(mentions[at].first("dimension").target)  # '各种优惠券类型': each coupon type
                account.use(i, at)
                break


def _named_more_closely(model: SemanticModel, mentions: list[Mention], index: int, account: _Account) -> str | None:
    """'the channel they registered on': a dimension word followed closely by one whose name
    contains it names the latter."""
    label = model.dimension_by_id[mentions[index].first("dimension").target].label
    for at in range(index + 1, min(index + 4, len(mentions))):
        other = mentions[at].first("dimension")
        if other and at not in account.mentions:
            names = model.dimension_by_id[other.target].label
            if other.target != mentions[index].first("dimension").target and (
                    label.zh in names.zh or label.en in names.en):
                account.use(at)
                return other.target
        elif not mentions[at].has("filler", "anaphor", "neutral"):
            return None
    return None


def _suffix_of_value(model: SemanticModel, mentions: list[Mention], index: int, dimension: str,
                     account: _Account) -> str | None:
    """'上海地区', '天猫渠道', '金卡会员', '华南地区', '召回类活动': the word names the kind of the value
    before it, the kind it is grouped from, or the finer level of the value's hierarchy; the
    value's dimension, if so."""
    at = _neighbour(mentions, index, -1, ("filler", "classifier"))
    if at is None or at not in account.mentions or mentions[index].start - mentions[at].end > 2:
        return None
    first = at
    while first > 0 and mentions[first - 1].has("value", "filler") and not mentions[first - 1].has("each", "which"):
        first -= 1
    if first > 0 and mentions[first - 1].has("each", "breakdown", "which"):
        return None  # 各大促活动, for each new product launch campaign, which 拉新 campaign: its members
    kinds = {dimension} | {d.id for d in model.dimensions if d.derived_from == dimension} | {
        coarse for chain in model.hierarchies if dimension in chain for coarse in chain[:chain.index(dimension)]}
    return next((e.target for e in mentions[at].entries if e.kind in ("value", "set") and e.target in kinds), None)


def _marked_each(mentions: list[Mention], index: int, account: _Account) -> bool:
    """Is the dimension word asked per member ('各城市', '按渠道', 'by channel', '分城市')?"""
    at = index - 1
    while at >= 0 and mentions[at].has("filler", "dimension", "value") and not mentions[at].has("each", "breakdown"):
        at -= 1
    if at >= 0 and mentions[at].has("each", "breakdown"):
        account.use(at)
        if mentions[at].has("each") and not mentions[at].has("breakdown"):
            account.each_marked.append(at)
        return True
    return False


# ---- ranking --------------------------------------------------------------------------------------
def _ranking(reading: Reading, model: SemanticModel, parts: Parts, account: _Account,
             previous: Parts | None, problems: list[Problem]) -> None:
    """TOP3, 最高的是哪个, 排名, 最畅销: order by the metric, the top N (one for 'which ... highest')."""
    mentions = reading.mentions

    def unused(kind: str) -> list[int]:
        return [i for i, m in enumerate(mentions) if m.first(kind) and i not in account.mentions]
    superlatives, comparatives, orders = unused("superlative"), unused("comparative"), unused("rank_order")
    which, which_many, popular = unused("which"), unused("which_many"), unused("popular")
    # '上个月GMV比前一个月高吗': a period against another, higher or lower, with no ranking
    period_question = parts.compare and comparatives and not (superlatives or orders or which or which_many or popular
                                                              or reading.ranks)
    if any(d.versus for d in parts.dimensions) or _side_by_side(parts) or parts.compare in ("period", "group") or \
            period_question:
        # 金卡比其他会员高吗, 天猫和京东哪个高, 去年双十一和今年618哪个卖得多: both side by side, no ranking
        account.use(*comparatives, *superlatives, *which, *which_many, *unused("compare"), *unused("difference"))
        return
    if not (superlatives or orders or which or which_many or popular or reading.ranks or comparatives):
        _compare_words(reading, parts, account)
        return
    if not [d for d in parts.dimensions if not d.versus] and account.implied:
        parts.dimensions.append(DimensionRef(name=account.implied[-1]))  # 大促类活动里ROI最低的是哪个
    breakdown = [d for d in parts.dimensions if not d.versus] or \
        ([d for d in previous.dimensions if not d.versus] if previous else [])
    if not breakdown and (popular or reading.ranks) and model.best_selling:
        parts.dimensions.append(DimensionRef(name=model.best_selling.dimension))
        breakdown = parts.dimensions
    if not breakdown:
        _compare_words(reading, parts, account)
        return
    ranked = superlatives + orders + popular + comparatives
    directions = {_direction(model, parts, mentions[i]) for i in superlatives + popular}
    if len(directions) > 1:  # 'GMV最高和最低的渠道': two rankings in one question
        problems.append(Problem("two_rankings", tuple(mentions[i].text for i in superlatives + popular)))
        account.use(*superlatives, *popular)
        return
    if account.each_marked and len(breakdown) >= 2 and (superlatives or popular or reading.ranks):
        # '每个渠道销量前3的产品': the top of each group, which one ranking cannot say
        problems.append(Problem("ranking_per_group", tuple(mentions[i].text for i in account.each_marked)))
        account.use(*superlatives, *popular)
        return
    direction = reading.mentions[ranked[-1]].entries if ranked else ()
    target = _direction(model, parts, reading.mentions[ranked[-1]]) if ranked else "desc"
    if any(r.ascending for r in reading.ranks):
        target = "asc"
    parts.order = (_ordered_by(reading, parts, account), target)
    if reading.ranks:
        parts.limit = reading.ranks[0].count
    elif (superlatives or which or popular or parts.target) and not which_many and not comparatives \
            and not reading.thresholds:
        parts.limit = 1  # 'which one is highest' names one; 'which cities did more than 2M' all of them
    account.use(*superlatives, *orders, *which, *which_many, *popular, *comparatives)
    _compare_words(reading, parts, account)


def _keeps_those_that_moved(reading: Reading, groups: list[DimensionRef], index: int) -> bool:
    """'环比下降的渠道', 'which channels grew', 'channels that grew': the groups that moved that way;
    '各渠道gmv环比增长', 'gmv growth by channel' shows every group's change."""
    names = {d.name for d in groups}
    at = next((i for i, m in enumerate(reading.mentions) if m.first("dimension") and m.first("dimension").target
               in names), None)
    if any(m.first("which") or m.first("which_many") for m in reading.mentions) or at is None:
        return True
    if index < at:  # '环比下降的渠道': the change says which of them
        return reading.text[reading.mentions[index].end:reading.mentions[at].start].strip() in ("的", "了的")
    between = reading.text[reading.mentions[at].end:reading.mentions[index].start]
    return bool(re.search(r"(?<![a-z])(?:that|which|whose|where)(?![a-z])", between))


def _beside_previous(reading: Reading, parts: Parts, account: _Account, previous: Parts | None) -> None:
    """'跟天猫比呢' after a question about 京东: the value named beside the previous one, side by side."""
    if previous is None or parts.compare or any(d.versus for d in parts.dimensions) or reading.times or \
            previous.limit:  # '跟5月天猫比呢' or after a top 3: two things changed, asked back
        return
    compare = [i for i, m in enumerate(reading.mentions) if m.first("compare") and i not in account.mentions]
    named = [f for f in parts.filters if f.op == "=" and any(
        p.dimension == f.dimension and p.op == "=" and p.value != f.value for p in previous.filters)]
    if compare and len(named) == 1 and len(parts.filters) == 1:
        parts.beside_previous = True
        account.use(*compare)


def _by_change(reading: Reading, parts: Parts, account: _Account) -> None:
    """'今年哪个产品销量同比下降最多': rank the groups by how much they changed, not by the figure;
    '上个月订单数环比下降的渠道': keep those that changed that way."""
    mentions = reading.mentions
    moves = [(i, e.target) for i, m in enumerate(mentions) for e in m.entries if e.kind == "change" and e.target]
    if parts.compare != "group":  # 'how many channels had fewer orders than the month before'
        moves = moves or [(i, {"desc": "up", "asc": "down"}[e.target]) for i, m in enumerate(mentions)
                          for e in m.entries if e.kind == "comparative" and e.target in ("desc", "asc")]
    groups = [d for d in parts.dimensions if not d.versus and not d.grain]
    if not (parts.compare and moves and groups and parts.metrics):
        return
    metric, (index, way) = parts.metrics[0], moves[-1]
    superlative = next((m for m in mentions if m.first("superlative")), None)
    if superlative is not None or reading.ranks:
        fewest = superlative is not None and superlative.first("superlative").target == "asc"
        parts.order = (f"{metric}__difference", "desc" if (way == "up") != fewest else "asc")
        parts.limit = parts.limit or (None if any(m.first("which_many") for m in mentions) else 1)
    elif not any(m.first("quantity") for m in mentions) and _keeps_those_that_moved(reading, groups, index) or \
            _counts_groups(reading, groups):  # '环比下降的渠道', 'how many channels had fewer orders' 
        parts.having.append((f"{metric}__difference", ">" if way == "up" else "<", 0.0))
    else:
        return
    account.use(index, *[i for i, m in enumerate(mentions) if m.first("superlative") or m.first("which")
                         or m.first("which_many")])


def _direction(model: SemanticModel, parts: Parts, mention: Mention) -> str:
    """desc or asc; best and worst as the metric says (the best refund rate is the lowest)."""
    target = next((e.target for e in mention.entries if e.kind in ("superlative", "rank_order", "popular",
                                                                     "comparative")), "desc")
    if target in ("best", "worst"):
        better = model.metric_by_id[parts.metrics[0]].higher_is_better if parts.metrics else True
        return "desc" if (target == "best") == better else "asc"
    return target


def _ordered_by(reading: Reading, parts: Parts, account: _Account) -> str | None:
    """'top 3 products by product sales', '按件数排': the metric after 'by' orders the ranking."""
    mentions = reading.mentions
    for i, mention in enumerate(mentions[:-1]):
        after = mentions[i + 1].first("metric") or mentions[i + 1].first("verb")
        if mention.first("breakdown") and after and i not in account.mentions:
            metric = after.target or after.targets[0]
            if metric in parts.metrics:
                account.use(i)
                return metric
    return None


def _side_by_side(parts: Parts) -> bool:
    """Two to four values of one dimension shown side by side ('天猫和京东哪个高')."""
    return any(f.op == "in" and isinstance(f.value, list) and 2 <= len(f.value) <= 4 and f.dimension not in
               parts.set_names and any(d.name == f.dimension for d in parts.dimensions) for f in parts.filters)


def _compare_words(reading: Reading, parts: Parts, account: _Account) -> None:
    """对比/vs/比 are used when there is something to compare: periods, several values, groups."""
    compared = parts.compare or any(d.versus for d in parts.dimensions) or any(
        f.op == "in" for f in parts.filters) or any(not d.versus and not d.grain for d in parts.dimensions)
    if compared:
        account.use(*[i for i, m in enumerate(reading.mentions) if m.first("compare") or m.first("difference")])


def _share_of(reading: Reading, parts: Parts, index: int, previous: Parts | None) -> list[str]:
    """What a share is of: the breakdown ('各渠道GMV占比'), the split of a group and the rest, or the
    group a filter names ('平台电商占今年GMV的比例', '面霜在所有品类里占几成'): the last one named
    before the share word; in a follow-up ('占比呢'), the previous question's breakdown."""
    split = [d.name for d in parts.dimensions if not d.grain]
    if split:
        return split
    named = {f.dimension for f in parts.filters if f.op in ("=", "in")}
    before = [e.target for m in reading.mentions[:index] for e in m.entries
              if e.kind in ("value", "set") and e.target in named]
    if before or named:
        return [(before or sorted(named))[-1]]
    if previous is None:
        return []
    earlier = [f.dimension for f in previous.filters if f.op in ("=", "in")]  # '占总gmv几成' after '黑金…gmv'
    return [d.name for d in previous.dimensions if not d.grain] or earlier[-1:]


# ---- thresholds and the shape of the answer ------------------------------------------------------------
def _thresholds(reading: Reading, parts: Parts, account: _Account, problems: list[Problem],
                previous: Parts | None, taken: set[int]) -> None:
    """'GMV超过100万的城市': a limit on the groups of a breakdown. Without groups a limit qualifies
    each customer or order ('消费超过1万的客户', 'orders above 1000'): parser/each_limit.py, which
    ``taken`` are; any other is asked back."""
    groups = [d for d in parts.dimensions if not d.versus] or (previous.dimensions if previous else [])
    for threshold in (t for k, t in enumerate(reading.thresholds) if k not in taken):
        if not groups:
            problems.append(Problem("unused_words", (reading.text[threshold.start:threshold.end],)))
            continue
        before = [m for m in reading.mentions if m.first("metric") and m.end <= threshold.start]
        metric = before[-1].first("metric").target if before else None
        parts.having.append((metric, threshold.op, threshold.value))
    counted = _counts_groups(reading, groups) if parts.having and parts.dimensions else None
    if counted:  # '日GMV过10万的有几天', 'how many cities had over 500 orders': how many groups pass
        parts.count_groups = True
        account.use(*counted)


def _counts_groups(reading: Reading, groups: list[DimensionRef]) -> tuple[int, int] | None:
    """A quantity word before the groups' own noun ('几天', '多少个城市', 'how many days')."""
    mentions = reading.mentions

    def names_groups(at: int | None) -> bool:
        noun = mentions[at] if at is not None else None
        return noun is not None and any(
            noun.first("grain") and g.grain == noun.first("grain").target or
            noun.first("dimension") and noun.first("dimension").target == g.name and not g.grain for g in groups)
    for i, mention in enumerate(mentions):
        if not mention.first("quantity"):
            continue
        after, before = _neighbour(mentions, i, 1, ("classifier",)), _neighbour(mentions, i, -1, ("filler",))
        if names_groups(after):
            return i, after
        counts = i + 1 < len(mentions) and mentions[i + 1].has("classifier") or mention.text == "几"
        if names_groups(before) and counts and (after is None or not mentions[after].has("unit", "metric")):
            return i, before  # '超过5000单的城市有几个'; '…的渠道类型是多少' asks which
    return None


def _band_limits(reading: Reading, model: SemanticModel, parts: Parts, problems: list[Problem]) -> None:
    """'30岁及以上' on age bands 18-24 … 40+: the bands from 30 up; a limit inside a band cannot be
    answered with bands, so it is asked back."""
    for limit in reading.band_limits:
        bands = model.dimension_by_id[limit.dimension].bands or ()
        lower = [0.0] + [b.below for b in bands[:-1]]
        chosen = [b.label for b, low in zip(bands, lower) if (limit.low is None or low >= limit.low)
                  and (limit.high is None or b.below is not None and b.below <= limit.high)]
        aligned = (limit.low is None or limit.low in lower) and (limit.high is None or limit.high in [
            b.below for b in bands])
        if not aligned or not chosen:
            problems.append(Problem("unused_words", (reading.text[limit.start:limit.end],)))
            continue
        parts.filters.append(Filter(dimension=limit.dimension, op="=" if len(chosen) == 1 else "in",
                                    value=chosen[0] if len(chosen) == 1 else chosen))


def _shape(reading: Reading, model: SemanticModel, parts: Parts, account: _Account,
           previous: Parts | None) -> None:
    rates = bool(parts.metrics) and all(model.metric_by_id[m].format == "percent" for m in parts.metrics)
    for i, mention in enumerate(reading.mentions):
        chart = mention.first("chart")
        if chart:
            parts.chart = chart.target
            account.use(i)
        if mention.first("percent") and (rates or parts.compare):  # '复购率多少%', '环比, in %': the unit
            account.use(i)
        elif mention.first("share"):
            parts.share_of = parts.share_of or _share_of(reading, parts, i, previous)
            if parts.share_of:
                account.use(i)
                if any(not d.versus and d.name in parts.share_of for d in parts.dimensions) and not parts.limit:
                    parts.chart = parts.chart or "pie"
        if mention.first("remove_time") or mention.first("remove_filter"):
            account.use(i)
