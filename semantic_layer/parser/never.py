"""Who did one thing and never another: '买过精华但从没买过面霜的有多少人', "bought a 面膜 but never
any 防晒", '没买过防晒的客户GMV'. A negated verb with what it acts on becomes an 'ever' filter: the
people the verb's metric counts (buyer_count: customers) who never had a row with that value, all
time. What a verb acts on is what the fact's rows contain (the lines of an order: a category or a
product), so '金卡会员没买过' (who did not buy) stays the complement of the buyers.

Only when the question also says what the people did or which metric it wants; a lone '没买过面霜的
客户有多少' is the complement metric already (every customer less 面霜's buyers), in the period it
names. With a period and a plain 没 ('上个月买了精华没买面霜'), 'never' might mean 'not in that month':
asked back, never guessed."""

from __future__ import annotations

from dataclasses import dataclass, field

from semantic_layer.graph import reach_dimension
from semantic_layer.model import SemanticModel
from semantic_layer.parser.lexicon import Mention
from semantic_layer.parser.metric_choice import negation_of
from semantic_layer.parser.read import Reading
from semantic_layer.parser.words import EVER_NOT
from semantic_layer.query import Filter
from semantic_layer.resolve import counted_entity

_GLUE = ("filler", "classifier", "neutral")


@dataclass
class NeverDone:
    filters: list[Filter] = field(default_factory=list)
    used: list[int] = field(default_factory=list)  # the negations, verbs, values and 'but's they took
    needs_period: bool = False  # a plain 没 beside a period: never, or not in the period? asked back


def entity_metric(model: SemanticModel, verb: Mention) -> str | None:
    """The metric among a verb's that counts people or things (买过: buyer_count)."""
    return next((t for t in verb.first("verb").targets if counted_entity(model, model.metric_by_id[t])), None)


def _acted_on(model: SemanticModel, metric: str, mention: Mention) -> str | None:
    """The dimension of a value that a fact's rows contain (an order's lines: 面霜), if any."""
    fact = counted_entity(model, model.metric_by_id[metric]).fact
    for entry in mention.entries:
        if entry.kind == "value" and not mention.has("metric", "dimension"):
            reach = reach_dimension(model, fact, model.dimension_by_id[entry.target])
            if reach is not None and reach.bridge is not None:
                return entry.target
    return None


def acted_upon(model: SemanticModel, mentions: list[Mention], start: int, step: int, metric: str,
             skip: set[int]) -> list[tuple[int, str]]:
    """The values a verb acts on, from ``start`` on in one direction, over glue words."""
    found, at = [], start
    while 0 <= at < len(mentions) and at not in skip:
        dimension = _acted_on(model, metric, mentions[at])
        if dimension:
            found.append((at, dimension))
        elif not mentions[at].has(*_GLUE) or found and step < 0:
            break
        at += step
    return found


def never_done(reading: Reading, model: SemanticModel, skip: set[int], has_period: bool) -> NeverDone:
    mentions = reading.mentions
    result = NeverDone()
    positive = [i for i, m in enumerate(mentions) if i not in skip and m.first("verb") and entity_metric(model, m)
                and negation_of(mentions, i, reading.emphasis) is None]
    named_metric = any(i not in skip and m.first("metric") for i, m in enumerate(mentions))
    for i, mention in enumerate(mentions):
        if i in skip or not mention.first("not"):
            continue
        after = next((j for j in range(i + 1, len(mentions)) if not mentions[j].has("filler")), None)
        if after is not None and mentions[after].first("verb") and negation_of(mentions, after, reading.emphasis) == i:
            verb = after
            metric = entity_metric(model, mentions[verb])
            objects = metric and (acted_upon(model, mentions, verb + 1, 1, metric, skip) or acted_upon(
                model, mentions, i - 1, -1, metric, skip))
            did, elided = named_metric or any(p != verb for p in positive), False
        else:  # 'bought a 面膜 but never any 防晒': the verb said once
            verb = positive[-1] if positive and positive[-1] < i else None
            metric = verb is not None and entity_metric(model, mentions[verb])
            objects = metric and acted_upon(model, mentions, i + 1, 1, metric, skip)
            did = elided = True  # what they did is the verb itself, which still says the metric
        if not objects or not did:
            continue
        values = list(dict.fromkeys(mentions[at].first("value").value for at, _ in objects
                                    if mentions[at].first("value").target == objects[0][1]))
        result.filters.append(Filter(dimension=objects[0][1], op="!=" if len(values) == 1 else "not in",
                                     value=values[0] if len(values) == 1 else values, ever=metric))
        result.used += [i, *(at for at, _ in objects)] + ([] if elided else [verb])
        ever = mention.text in EVER_NOT or any(s <= mention.start and mention.end <= e or e <= mention.start
                                                and mention.start - e <= 6 for s, e in reading.emphasis)
        result.needs_period = result.needs_period or has_period and not ever
    if result.filters:
        result.used += [i for i, m in enumerate(mentions) if m.first("contrast")]
    return result
