"""Who did a thing and who never did, side by side: '买没买过面霜的各有多少人', '按是否买过面霜拆分',
'有没有买过面霜的分别多少', 'by whether they bought cream'. A verb asked as did-or-did-not (the verb,
a negation, the verb again; or a whether-word before it) with what it acts on splits the people the
verb's metric counts into those who ever had that value and the rest, all time: a breakdown, not
the negation '没买过面霜' (a filter)."""

from __future__ import annotations

from dataclasses import dataclass, field

from semantic_layer.model import SemanticModel
from semantic_layer.parser.never import acted_upon, entity_metric
from semantic_layer.parser.read import Reading
from semantic_layer.parser.words import WHETHER
from semantic_layer.query import DimensionRef


@dataclass
class EverSplits:
    dimensions: list[DimensionRef] = field(default_factory=list)
    used: list[int] = field(default_factory=list)


def ever_splits(reading: Reading, model: SemanticModel, skip: set[int]) -> EverSplits:
    mentions, result = reading.mentions, EverSplits()
    for i, mention in enumerate(mentions):
        if i in skip or not mention.first("verb") or not (metric := entity_metric(model, mention)):
            continue
        before = [j for j in range(i - 1, max(i - 3, -1), -1) if not mentions[j].has("filler", "anaphor", "neutral")
                  or mentions[j].text in WHETHER]
        asked = [before[0]] if before and mentions[before[0]].text in WHETHER else []
        if i >= 2 and mentions[i - 1].first("not") and mentions[i - 2].first("verb") and \
                entity_metric(model, mentions[i - 2]) == metric:  # 买没买过: the verb, 没, the verb again
            asked = [i - 2, i - 1]
        objects = acted_upon(model, mentions, i + 1, 1, metric, skip) if asked else []
        if not objects:
            continue
        values = list(dict.fromkeys(mentions[at].first("value").value for at, dim in objects if dim == objects[0][1]))
        result.dimensions.append(DimensionRef(name=objects[0][1], versus=values, ever=metric))
        result.used += [*asked, i, *(at for at, _ in objects)]
    return result
