"""Limits on each person or thing a question counts, not on the groups of a breakdown: '消费超过1万的
客户有多少人', '至少下过5单的客户', 'orders over 1000 yuan', 'customers who spent more than 5000'.

The thing is a word of a metric that counts people or things (客户, orders), after the limit in
Chinese ('…的客户') or before it in English ('customers who …', 'orders over …'). The limit's figure
is the unit its amount carries (5单: orders; 1000 yuan: money), else the verb or metric right
before it (消费超过1万: what 消费 adds up). A limit whose thing is a group ('GMV超过100万的城市') or
whose figure cannot be told is left to the grammar's thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field

from semantic_layer.model import SemanticModel
from semantic_layer.parser.lexicon import Mention
from semantic_layer.parser.read import Reading
from semantic_layer.query import EachHaving
from semantic_layer.resolve import counted_entity, figure_of_each, has_time

_GLUE = ("filler", "classifier", "neutral")


@dataclass
class EachLimits:
    limits: list[EachHaving] = field(default_factory=list)
    used: list[int] = field(default_factory=list)  # the mentions they took (units, verbs)
    thresholds: list[int] = field(default_factory=list)  # the thresholds of the reading they took


def _targets(mention: Mention) -> list[str]:
    return [t for kind in ("metric", "unit", "verb") for e in mention.entries if e.kind == kind
            for t in (e.targets or (e.target,))]


def _counter(model: SemanticModel, mention: Mention) -> str | None:
    """The metric among a word's that counts people or things (客户: buyer_count), one that takes a
    period first."""
    if mention.has("dimension", "value", "set", "grain"):
        return None
    counters = [t for t in _targets(mention) if counted_entity(model, model.metric_by_id[t])]
    return min(counters, key=lambda t: not has_time(model, model.metric_by_id[t]), default=None)


def counted_in_period(model: SemanticModel, metric_id: str, limits: list[EachHaving]) -> str:
    """An all-time count of the people a limit is on, asked of a period ('number of customers with at
    least 5 items last year'), counts those the model's first dated counter of them counts in it
    (buyers)."""
    metric = model.metric_by_id[metric_id]
    entity = counted_entity(model, metric)
    if metric.time_scope != "all_time" or entity is None or all(
            counted_entity(model, model.metric_by_id[item.per]).table != entity.table for item in limits):
        return metric_id
    return next((m.id for m in model.metrics if has_time(model, m) and (e := counted_entity(model, m))
                 and e.table == entity.table), metric_id)


def _figure(model: SemanticModel, targets: list[str], per: str) -> str | None:
    """The first of a word's metrics each one ``per`` counts can have on its own (5单 of a customer:
    order_count; 消费 of a customer: gmv)."""
    entity = counted_entity(model, model.metric_by_id[per])
    return next((t for t in targets if figure_of_each(model, model.metric_by_id[t], entity)), None)


def _first_word(mentions: list[Mention], indices: list[int], also_skip: tuple[str, ...] = ()) -> int | None:
    """The first mention that says something ('客户' is a unit as well as a neutral word)."""
    return next((i for i in indices if not mentions[i].has(*_GLUE, *also_skip)
                 or mentions[i].has("unit", "metric") and not mentions[i].has(*also_skip)), None)


def each_limits(reading: Reading, model: SemanticModel, skip: set[int]) -> EachLimits:
    mentions, text = reading.mentions, reading.text
    result = EachLimits()
    for k, threshold in enumerate(reading.thresholds):
        if threshold.op not in (">", ">="):  # below a limit: those with no rows too, asked back
            continue
        after = [i for i, m in enumerate(mentions) if m.start >= threshold.end and i not in skip]
        before = [i for i in range(len(mentions) - 1, -1, -1) if mentions[i].end <= threshold.start and i not in skip]
        touching = after[0] if after and not text[threshold.end:mentions[after[0]].start].strip() else None
        unit = touching if touching is not None and mentions[touching].has("unit", "metric") else None
        if touching is not None and unit is None and mentions[touching].has("classifier"):
            continue  # '超过3次' where 次 names no metric: what is counted is not known
        # over the values that qualify it ('至少下过3单的金卡客户')
        thing = _first_word(mentions, [i for i in after if i != unit and (
            not mentions[i].has("value", "set") or mentions[i].has("unit", "metric"))])
        per = _counter(model, mentions[thing]) if thing is not None else None
        if per is None:  # 'customers who spent more than 5000', 'orders over 1000 yuan'
            thing = _first_word(mentions, before, ("verb",))
            per = _counter(model, mentions[thing]) if thing is not None else None
        if per is None:
            continue
        verb = _first_word(mentions, before)
        verb = verb if verb is not None and verb != thing and mentions[verb].has("verb", "metric") else None
        inside = [m.id for m in model.metrics if threshold.word and threshold.word in m.unit_words]  # '3次以上'
        # the amount's own unit says the figure; only an amount with none takes the verb's ('消费满5000')
        said = inside or (_targets(mentions[unit]) if unit is not None else
                          _targets(mentions[verb]) if verb is not None else [])
        figure = _figure(model, said, per)
        if figure is None:
            continue
        result.limits.append(EachHaving(per=per, metric=figure, op=threshold.op, value=threshold.value))
        # the verb before is the limit's own ('下过', '消费') unless it also names a group ('新客里超过500元')
        takes_verb = verb is not None and not mentions[verb].has("value", "set") and (
            not inside and unit is None or mentions[verb].has("verb"))
        result.used += [i for i in (unit, verb if takes_verb else None) if i is not None]
        result.thresholds.append(k)
    return result
