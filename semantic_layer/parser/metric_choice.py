"""Which metric a question asks for when it names none: the model says which unit words
(件, 单, 人, 钱) and verbs (卖, 买, 下单, 花) go with which metric. "面膜上周卖了几件" is units sold,
"多少人买了" buyers, "金卡会员有多少人" the customer base, "卖了多少钱" GMV; "卖了多少" (an amount, no
unit) is money. A negated verb asks for the metric that counts the complement ("没买过的客户" ->
customers who did not buy). When the words leave several metrics equally likely, the parser asks
back with them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from semantic_layer.model import Metric, SemanticModel
from semantic_layer.parser.lexicon import LANGUAGE_KINDS, Mention
from semantic_layer.resolve import allowed_dimensions, counted_entity, metric_facts

_MONEY = ("money",)
_COUNT = ("count",)


@dataclass(frozen=True)
class MetricChoice:
    metrics: tuple[str, ...]  # chosen; empty when none or ambiguous
    candidates: tuple[str, ...]  # when ambiguous: the metrics to offer
    used: tuple[int, ...]  # indices of the mentions the choice used
    problem: str | None  # None, "no_metric", "ambiguous_metric", "cannot_negate", "unit_mismatch"
    from_group: bool = False  # only a group's name implied it ('how many 重要价值客户'): a follow-up keeps its own
    implied: bool = False  # chosen by unit words and verbs, not named ('套组卖了多少钱')
    members_only: bool = False  # no word asks how many: a group split or shared ('沉睡客户按城市分布')


def negation_of(mentions: list[Mention], index: int, emphasis: list[tuple[int, int]]) -> int | None:
    """The word that negates the verb at ``index`` ('没买过', '没有下过单', '一单都没买过', "haven't
    bought"), if any."""
    verb = mentions[index]
    at = index - 1
    while at >= 0 and mentions[at].has("filler") and not mentions[at].has("not"):
        at -= 1
    if at < 0 or not mentions[at].has("not"):
        return None
    close = verb.start - mentions[at].end <= 3 or any(s >= mentions[at].end and e <= verb.start for s, e in emphasis)
    return at if close else None


def _own_targets(model: SemanticModel, verb: Mention) -> list[str]:
    """The metrics a verb names on its own, not as a group verb ('spend': marketing spend)."""
    stem = verb_stem(verb.text)
    return [t for t in verb.first("verb").targets if stem in {verb_stem(v) for v in model.metric_by_id[t].verbs}]


def _said_of(model: SemanticModel, metric_id: str, mentions: list[Mention], verbs: list[int],
             groups: list[set[str]]) -> str | None:
    """How the question's verbs name a metric: by one of its own ("verb"), by one of its group verbs
    with a group named that it can be filtered or split by and the verbs' other metrics cannot
    ("group": '金卡会员花了多少钱' is GMV), or not at all ('我们花了多少钱' is no GMV)."""
    own = {verb_stem(v) for v in model.metric_by_id[metric_id].verbs}
    spoken = {verb_stem(mentions[i].text) for i in verbs if metric_id in mentions[i].first("verb").targets}
    others = {t for i in verbs for t in mentions[i].first("verb").targets if t != metric_id}
    if spoken - own and any(
            _filterable(model, metric_id, [group]) and not any(_filterable(model, o, [group]) for o in others)
            for group in groups):
        return "group"
    return "verb" if not spoken or spoken & own else None


def _names_the_base(model: SemanticModel, mentions: list[Mention], verbs: list[int],
                    emphasis: list[tuple[int, int]]) -> list[int]:
    """Verbs, not negated, whose metrics count the people a negated verb's metric counts, when it has
    a complement ('注册了' beside '没买过': every customer registered; those who never bought are the
    question)."""
    negated = [i for i in verbs if negation_of(mentions, i, emphasis) is not None]
    bases = {e.table for i in negated for t in mentions[i].first("verb").targets
             if any(c.complement_of == t for c in model.metrics)
             and (e := counted_entity(model, model.metric_by_id[t]))}
    return [i for i in verbs if i not in negated and bases and all(
        (e := counted_entity(model, model.metric_by_id[t])) and e.table in bases
        for t in mentions[i].first("verb").targets)]


def _listed_value(mentions: list[Mention], text: str, index: int) -> bool:
    """A metric's word listed with another value of a dimension it is a value of ('新客和老客'): a value."""
    dimensions = {e.target for e in mentions[index].entries if e.kind == "value"}
    for other in (index - 2, index - 1, index + 1, index + 2):
        if 0 <= other < len(mentions) and other != index:
            first, second = sorted((index, other))
            joined = re.fullmatch(r"\s*(?:和|与|跟|及|、|vs\.?|versus|and|or|或)?\s*",
                                  text[mentions[first].end:mentions[second].start])
            if joined and dimensions & {e.target for e in mentions[other].entries if e.kind == "value"} \
                    and not mentions[other].has("metric"):
                return True
    return False


def counted_units(mentions: list[Mention], text: str, skip: set[int]) -> list[int]:
    """The unit words that say what a question counts: right after 多少/几/how many (past a
    classifier: '多少个客户'), else the noun before it ('客户有多少个'), else the classifier itself
    ('卖出去多少个'); and 'X数' ('人数')."""
    found: list[int] = []
    for q, quantity in enumerate(mentions):
        if q in skip or not quantity.first("quantity"):
            continue
        after = [i for i in _following(mentions, q) if i not in skip and mentions[i].first("unit")]
        if quantity.text.isascii() and quantity.first("quantity").target == "amount":
            after = after[:1] if after == [q + 1] else []  # 'how much money'; not 'how much did members spend'
        nouns = [i for i in after if not mentions[i].has("classifier")]
        before = next((i for i in range(q - 1, -1, -1) if i not in skip and mentions[i].first("unit")
                       and not _also_language(mentions[i]) and "," not in text[mentions[i].end:quantity.start]
                       and "，" not in text[mentions[i].end:quantity.start]
                       and not any(mentions[j].has("verb", "metric") for j in range(i + 1, q))), None)
        groups = _after_a_dimension(mentions, q)  # '渠道有几个': 个 counts the channels
        chosen = nouns[0] if nouns else before if before is not None else after[0] if after and not groups else None
        if chosen is not None:
            found.append(chosen)
    for i, mention in enumerate(mentions):
        if i not in skip and mention.first("unit") and (text[mention.end:mention.end + 1] == "数"
                                                        or mention.text.endswith("数")):
            found.append(i)  # 人数
        elif i not in skip and mention.first("unit") and _AFTER_A_NUMBER.search(text[:mention.start]):
            found.append(i)  # 'more than 5k coupons', '超过100单'
        elif i not in skip and mention.first("unit") and not _also_language(mention) and any(
                0 <= j < len(mentions) and (mentions[j].has("superlative") or mentions[j].has("comparative") and any(
                    m.has("which") for m in mentions))  # '谁的买家多
                and abs(mention.start - mentions[j].end if j < i else mentions[j].start - mention.end) <= 2
                for j in (i - 1, i + 1)):
            found.append(i)  # the most customers, 最多的客户, 哪一天出的单最多
    return list(dict.fromkeys(found))


def _after_a_dimension(mentions: list[Mention], index: int) -> bool:
    """Is the word before a quantity (past particles) a dimension's noun ('超过100万的渠道有几个')?"""
    before = next((m for m in reversed(mentions[:index]) if not m.has("filler")), None)
    return before is not None and bool(before.first("dimension"))


_AFTER_A_NUMBER = re.compile(r"\d(?:\.\d+)?\s*(?:k|w|m|万|千|百万|亿)?\s*$")


def _also_language(mention: Mention) -> bool:
    """A unit word that is also a word of the language ('分' splits, '个' counts anything)."""
    return any(e.kind in LANGUAGE_KINDS for e in mention.entries)


def _following(mentions: list[Mention], index: int) -> list[int]:
    """The mentions right after a quantity word, over values and particles ('多少退款的单',
    '多少个天猫的客户'): the next unit is what is counted."""
    found, at = [], index + 1
    while at < len(mentions) and at <= index + 5 and mentions[at].start - mentions[at - 1].end <= 1:
        found.append(at)
        if not mentions[at].has("value", "set", "filler", "classifier") or mentions[at].has("unit") and \
                not mentions[at].has("classifier"):
            break
        at += 1
    return found


def choose_metrics(model: SemanticModel, mentions: list[Mention], text: str, skip: set[int], has_time: bool,
                   emphasis: list[tuple[int, int]]) -> MetricChoice:
    """The metrics a question asks for: those it names, else the one its unit words and verbs
    point to."""
    named = [(i, m.first("metric").target) for i, m in enumerate(mentions) if i not in skip and m.first("metric")
             and not _listed_value(mentions, text, i)]
    # 'top 3 campaigns by spend', '按销量': a verb of one metric after 'by' names it
    # and in a list of metrics ('spend, GMV and ROI'): a noun
    own = {i: _own_targets(model, m) for i, m in enumerate(mentions) if m.first("verb")}
    named += [(i, own[i][0]) for i, m in enumerate(mentions)
              if i not in skip and m.first("verb") and len(own[i]) == 1 and not m.has("metric")
              and (i > 0 and mentions[i - 1].has("breakdown") or _listed(mentions, text, i))]
    verbs = [i for i, m in enumerate(mentions) if i not in skip and m.first("verb") and
             (not m.has("value", "set", "metric") or _done(text, m)) and not _names_its_dimension(mentions, i)
             and i not in {j for j, _ in named}]
    members = [i for i in range(len(mentions)) if _names_members(mentions, i)]  # '其他几个渠道'
    quantities = [i for i, m in enumerate(mentions) if i not in skip and m.first("quantity") and i not in members]
    units = counted_units(mentions, text, skip | {i + 1 for i in members})
    if named:  # 'coupons issued in June, and how many of those got used?': a second question, its own metric
        named += [(i, own[i][0]) for i in verbs if len(own[i]) == 1
                  and any(named[-1][0] < q < i for q in quantities)]
    named.sort()
    # '新客贡献了多少gmv': a word that names a metric and a group is the group when another metric adds up
    # over the group's rows (GMV, orders), not when it counts or averages its people (新客的复购率: asked back)
    groups = [(i, m) for i, m in named if mentions[i].has("value", "set")]
    if groups and len(groups) < len(named) and all(_adds_up(model, m) for i, m in named if (i, m) not in groups):
        named = [item for item in named if item not in groups]
    negations = [n for n in (negation_of(mentions, i, emphasis) for i in verbs) if n is not None]
    if named:
        nouns = []  # '订单的GMV', 'GMV of paid orders': the orders GMV is summed over, not a metric of their own
        for (i, first), (j, second) in zip(named, named[1:]):
            between = text[mentions[i].end:mentions[j].start].strip()
            if first == second or between not in ("", "的", "of"):
                continue
            if _all_of(model, first, second) and between != "of":
                nouns.append(i)
            elif _all_of(model, second, first) and between == "of":
                nouns.append(j)
            else:  # '新客的客单价', '人均下单数', "new customers' GMV": a metric's people as a group of another
                return MetricChoice((), (first, second), (i, j), "metric_as_group")
        metrics = tuple(dict.fromkeys(metric for i, metric in named if i not in nouns))  # '订单的GMV' is GMV
        formats = {model.metric_by_id[m].format for m in metrics}
        for i in units:
            targets = mentions[i].first("unit").targets
            glued = i > 0 and mentions[i - 1].has("value", "set") and mentions[i - 1].end == mentions[i].start
            if not (glued or set(targets) & set(metrics) or {model.metric_by_id[t].format for t in targets} & formats):
                return MetricChoice((), (), (), "unit_mismatch")  # not '无门槛券': the value's things
        # a verb of money said of metrics that are not money ('what did new customers spend'): unread;
        # before them it acts on them ('brought in the most new customers')
        said = [i for i in verbs if i < min(j for j, _ in named) or
                _verb_fits(model, mentions[i].first("verb").targets, metrics)]
        used = tuple([i for i, _ in named] + said + units + quantities + members +
                     _population(model, mentions, skip, metrics))
        if negations:
            return MetricChoice((), (), used, "cannot_negate")
        return MetricChoice(metrics, (), used, None)

    base: list[int] = []  # '注册了但一单没买过': everyone registered is in the complement's base
    if negations and not has_time:
        base = _names_the_base(model, mentions, verbs, emphasis)
        verbs = [i for i in verbs if i not in base]
        base += [i for i, m in enumerate(mentions) if base and m.first("contrast")]
    pool: list[str] | None = None
    if not units:  # '面霜卖的钱', '花的钱': the thing a verb yields
        units = [i for i in range(1, len(mentions)) if i not in skip and mentions[i].first("unit")
                 and not mentions[i].has("classifier") and mentions[i - 1].has("verb", "filler")
                 and any(mentions[j].has("verb") for j in (i - 1, i - 2) if j >= 0)
                 and mentions[i].start - mentions[i - 1].end == 0]
    for i in units:
        targets = list(mentions[i].first("unit").targets)
        pool = targets if pool is None else [m for m in pool if m in targets]
    from_group = members_only = False
    asks_members = quantities or any(i not in skip and m.has("share", "breakdown") for i, m in enumerate(mentions))
    if pool is None and asks_members and not verbs:  # 'how many 重要价值客户', '沉睡客户按城市分布': the members of a group
        groups = {e.target for m in mentions for e in m.entries if e.kind in ("value", "set")}
        pool = [m.id for m in model.metrics if groups & set(m.counts_members_of)] or None
        from_group = pool is not None
        members_only = from_group and not quantities  # '女的按年龄段拆开看': in a follow-up, its metric stays
    ranking = [i for i, m in enumerate(mentions) if i not in skip and m.has("superlative", "comparative")]
    if pool is None:
        if not (verbs and (quantities or ranking)):  # '卖了多少', '谁卖得多'
            return MetricChoice((), (), (), "no_metric")
        pool = list(dict.fromkeys(t for i in verbs for t in mentions[i].first("verb").targets))
        named_groups = [{e.target for e in m.entries if e.kind in ("value", "set", "dimension")}
                        for i, m in enumerate(mentions) if m.has("value", "set", "dimension") and i not in skip]
        said = {m: _said_of(model, m, mentions, verbs, named_groups) for m in pool}
        pool = [m for m in pool if said[m] == "group"] or [m for m in pool if said[m] == "verb"]
    used = tuple(units + verbs + quantities + negations + members + base)
    if not pool:
        return MetricChoice((), (), used, "ambiguous_metric")
    asked = _clauses(mentions, text, verbs, quantities, pool)
    if len(asked) > 1:  # '今年发了多少券，核销了多少': two questions, a metric each
        return MetricChoice(tuple(asked), (), used, None, implied=True)
    # a verb in a clause that describes ('618期间发的券核销了多少张') says less than the one asked about
    main = [i for i in verbs if not _describes(mentions, text, i)] or verbs
    groups = [{e.target for e in m.entries if e.kind in ("value", "set")} for i, m in enumerate(mentions)
              if m.has("value", "set") and i not in skip and i not in verbs]  # words inside a name are the name's
    spoken = {verb_stem(mentions[i].text) for i in main}
    kind = next((mentions[i].first("quantity").target for i in quantities), "") if not units else ""
    counted = set(units) | skip
    people = {f.name for i, m in enumerate(mentions) if m.first("unit") and i not in counted and not _also_language(m)
              for t in m.first("unit").targets for f in metric_facts(model, model.metric_by_id[t])}

    def rank(metric_id: str) -> tuple[int, ...]:
        # a metric the question's groups cannot filter is the least likely ('25-29岁的人花了多少钱'); one over
        # what the people or things named do is likelier ('抖音的客户花了多少钱' is their GMV)
        facts = {f.name for f in metric_facts(model, model.metric_by_id[metric_id])}
        return (int(_filterable(model, metric_id, groups)), int(bool(facts & people))) + \
            _rank(model.metric_by_id[metric_id], spoken, has_time, kind)
    ranked = sorted(pool, key=rank, reverse=True)
    tied = [m for m in ranked if rank(m) == rank(ranked[0])]
    if len(tied) > 1 and not _listed_first(model, tied, spoken):
        return MetricChoice((), tuple(tied), used, "ambiguous_metric")
    chosen = ranked[0]
    if negations:
        complement = next((m.id for m in model.metrics if m.complement_of == chosen), None)
        if complement is None:
            return MetricChoice((), (), used, "cannot_negate")
        chosen = complement
    # the chosen metric's own unit words name what it counts ('金卡会员有多少人': 会员 and 人)
    used += tuple(i for i, m in enumerate(mentions) if i not in skip and m.first("unit")
                  and chosen in m.first("unit").targets)
    return MetricChoice((chosen,), (), used, None, from_group, implied=True, members_only=members_only)


def _done(text: str, mention: Mention) -> bool:
    """A word that is a value and a verb, with 了 / 过 after it, is the verb ('上个月拉新了多少人')."""
    return not mention.has("metric") and text[mention.end:mention.end + 1] in ("了", "过")


def _verb_fits(model: SemanticModel, targets: tuple[str, ...], metrics: tuple[str, ...]) -> bool:
    """Does a verb go with the metrics named? Not one that only yields money ('spend', '花') beside
    metrics none of which is money."""
    def money(ids) -> bool:
        return [model.metric_by_id[t].format for t in ids] == ["money"] * len(ids)
    return not (targets and money(targets)) or any(money([m]) for m in metrics)


def _adds_up(model: SemanticModel, metric_id: str) -> bool:
    """A sum, or a count of the fact's own rows (GMV, orders, units): it adds up over any group of rows."""
    found = model.fact_by_measure.get(model.metric_by_id[metric_id].expr)
    if found is None:
        return False
    fact, measure = found
    entity = counted_entity(model, model.metric_by_id[metric_id])
    return measure.agg == "sum" or entity is not None and entity.table == fact.table


def _all_of(model: SemanticModel, first: str, second: str) -> bool:
    """Does the first metric only count what the second is computed over ('订单的GMV': all the orders)?"""
    metric = model.metric_by_id[first]
    measure = model.fact_by_measure.get(metric.expr)
    return measure is not None and measure[1].agg in ("count", "count_distinct") and measure[1].filter is None and \
        measure[0].name in {f.name for f in metric_facts(model, model.metric_by_id[second])}


def _describes(mentions: list[Mention], text: str, index: int) -> bool:
    """Is a verb part of a clause that describes a noun ('发的券', '下的单')?"""
    return mentions[index].text.endswith("的") or text[mentions[index].end:mentions[index].end + 1] == "的"


def _names_its_dimension(mentions: list[Mention], index: int) -> bool:
    """A word that is a verb and a dimension word ('注册'): the dimension beside a value of it ('抖音注册的客户'),
    else the verb ('上个月注册的用户有多少')."""
    dimension = mentions[index].first("dimension")
    if dimension is None:
        return False
    near = [mentions[at] for at in (index - 1, index + 1, index - 2) if 0 <= at < len(mentions)]
    return any(e.kind == "value" and e.target == dimension.target for m in near for e in m.entries)


def _names_members(mentions: list[Mention], index: int) -> bool:
    """'其他几个渠道', '这几个活动': 几 before a classifier and a dimension word counts the members it
    points to; it asks nothing."""
    return mentions[index].first("quantity") is not None and index + 2 < len(mentions) and \
        mentions[index + 1].has("classifier") and mentions[index + 2].has("dimension") and \
        mentions[index + 2].start - mentions[index].end <= 1


def _listed(mentions: list[Mention], text: str, index: int) -> bool:
    """Is a word one item of a list of metrics ('spend, GMV and ROI', 'GMV、花费')?"""
    for at in (index - 1, index + 1):
        if 0 <= at < len(mentions) and mentions[at].has("metric"):
            between = text[min(mentions[at].end, mentions[index].end):max(mentions[at].start, mentions[index].start)]
            if between.strip() in (",", "，", "、", "and", "和", "&"):
                return True
    return False


def _filterable(model: SemanticModel, metric_id: str, groups: list[set[str]]) -> bool:
    """Can each value named (in one of its meanings) filter the metric?"""
    allowed = {d.id for d in allowed_dimensions(model, model.metric_by_id[metric_id])}
    return all(meanings & allowed for meanings in groups)


def _population(model: SemanticModel, mentions: list[Mention], skip: set[int], metrics: tuple[str, ...]) -> list[int]:
    """Unit words that name what a named metric is computed over ('折扣券下的单，笔单价多少': the
    orders; '金卡客户的GMV': the customers), not a count of their own."""
    facts = {f.name for m in metrics for f in metric_facts(model, model.metric_by_id[m])}
    return [i for i, m in enumerate(mentions) if i not in skip and m.first("unit") and not m.has("classifier")
            and any(f.name in facts for t in m.first("unit").targets
                    for f in metric_facts(model, model.metric_by_id[t]))]


def _rank(metric: Metric, spoken: set[str], has_time: bool, quantity: str) -> tuple[int, int, int, int]:
    """Verbs the metric goes with; whether it can take the question's period; with no unit, an
    amount (多少, how much) is money and a count (几, how many) a count; with no verb in the
    question, a metric that needs none."""
    fits = {"amount": _MONEY, "count": _COUNT}.get(quantity, ())
    return (sum(1 for verb in spoken if verb in {verb_stem(v) for v in metric.verbs}),
            int(metric.time_scope == "period") if has_time else 0,
            int(metric.format in fits),
            int(not metric.verbs) if not spoken else 0)


def verb_stem(verb: str) -> str:
    """A verb without its aspect ('买了', '买过' -> '买'), so either form matches.

    >>> verb_stem("买了"), verb_stem("下过单"), verb_stem("sold")
    ('买', '下单', 'sold')
    """
    stem = verb.replace("过", "") if len(verb) > 2 else verb
    return stem[:-1] if len(stem) > 1 and stem[-1] in "了过着" else stem


def _listed_first(model: SemanticModel, tied: list[str], spoken: set[str]) -> bool:
    """Equally likely metrics that share a unit word: the model lists its default reading first
    ('多少钱' is GMV before marketing spend) when all of them measure the same kind of thing and the
    same verbs fit them all (two verbs each pointing elsewhere are two readings: asked back)."""
    fits = [{v for v in spoken if v in {verb_stem(w) for w in model.metric_by_id[m].verbs}} for m in tied]
    return len({model.metric_by_id[m].format for m in tied}) == 1 and all(model.metric_by_id[m].verbs for m in tied) \
        and all(f == fits[0] for f in fits)


def _clauses(mentions: list[Mention], text: str, verbs: list[int], quantities: list[int],
             pool: list[str]) -> list[str]:
    """The metric of each 'verb … how many' clause ('发了多少券，核销了多少'), when each verb says one
    metric of the pool; a verb that describes ('发的券') asks nothing."""
    found: list[str] = []
    for i in verbs:
        asks = any(i < q <= i + 3 and not any(i < v < q for v in verbs) for q in quantities)
        if not asks or _describes(mentions, text, i):
            continue
        targets = [t for t in mentions[i].first("verb").targets if t in pool] or list(mentions[i].first("verb").targets)
        if len(targets) == 1:
            found.append(targets[0])
    return list(dict.fromkeys(found))
