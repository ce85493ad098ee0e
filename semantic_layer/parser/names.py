"""Things named by a part of their name: "积雪草那款精华" is the product 积雪草舒缓精华, "A醇那个新品活动"
the campaign 新品首发-A醇抗老精华, "24年双11预热活动" the three campaigns 2024年双11预热-天猫/抖音/京东 (the
same event on three channels), "2025年618大促里抖音那个活动" the campaign 2025年618大促-抖音.

A part is a word no vocabulary explains (grown over the short words it runs into: 首 + 发), a
dimension word next to time words or values that are parts of that dimension's names and could
not be its filters ('焕颜礼盒 launch campaign': campaigns do not reach products), or a time word
that carries a value of the names' own ('2025年618大促'). The words around it (values, time words,
the dimension word) narrow the candidates when they are parts of the same names, and are then
part of the name, not filters of their own. One candidate is the thing; candidates that differ
only by the values of one other dimension, or that a series word gathers ('玻色因系列'), are the
same thing on each of them; anything else is asked back."""

from __future__ import annotations

from dataclasses import dataclass

from semantic_layer.model import SemanticModel
from semantic_layer.parser.lexicon import Mention
from semantic_layer.parser.normalize import name_key
from semantic_layer.timeexpr import TimeMatch

MIN_PART = 2  # characters; one character is part of too many names
# Mentions that may sit between the parts of one name ("积雪草那款精华", "抖音那个活动")
_CONNECTORS = ("filler", "classifier", "neutral", "each", "breakdown")
_PARTS = ("value", "dimension", "set", "series")


@dataclass(frozen=True)
class NamedThing:
    start: int
    end: int
    dimension: str
    values: tuple[str, ...]  # the thing, or the same thing on several channels; candidates when ambiguous
    ambiguous: bool
    mentions: tuple[int, ...]  # indices of the mentions that are parts of the name
    times: tuple[int, ...]  # indices of the time matches that are parts of the name
    keep_dimension: bool  # the dimension word also asks for a breakdown ("各平台活动")


class NameIndex:
    def __init__(self, model: SemanticModel, values: dict[str, list[str]]) -> None:
        named = [d for d in model.dimensions if not d.time and not d.groups and not d.bands]
        # the dimensions a dimension's table reaches: their values could be its filters
        self.reaches: dict[str, set[str]] = {}
        for dimension in named:
            tables = {t for b in dimension.bindings for t in model.join_paths.get(b.table, {b.table: ()})}
            self.reaches[dimension.id] = {d.id for d in model.dimensions
                                          if any(b.table in tables for b in d.bindings)}
        self.names = [(d.id, value, name_key(value)) for d in named for value in values.get(d.id, [])]
        self.by_dimension: dict[str, list[str]] = {d.id: values.get(d.id, []) for d in named}
        self.plurals = {d.id: {d.label.en + "s", d.label.en + "es"} for d in named}  # 'the 玻色因 products'
        self.value_keys: dict[str, str] = {}  # the key of every value and value synonym -> its dimension
        for dimension in named:
            for value in [*values.get(dimension.id, []), *dimension.value_synonyms]:
                self.value_keys.setdefault(name_key(value), dimension.id)

    def containing(self, key: str, dimension: str | None = None) -> list[tuple[str, str, str]]:
        return [n for n in self.names if key in n[2] and (dimension is None or n[0] == dimension)]

    def same_thing(self, candidates: list[tuple[str, str, str]]) -> bool:
        """Do the names differ only by one other dimension's values (-天猫, -抖音, -京东)?"""
        keys = [c[2] for c in candidates]
        prefix = 0
        while all(len(k) > prefix for k in keys) and len({k[prefix] for k in keys}) == 1:
            prefix += 1
        suffix = 0
        while all(len(k) - prefix > suffix for k in keys) and len({k[len(k) - 1 - suffix] for k in keys}) == 1:
            suffix += 1
        middles = [k[prefix:len(k) - suffix] for k in keys]
        kinds = {self.value_keys.get(m) for m in middles}
        return all(middles) and len(kinds) == 1 and None not in kinds and kinds != {candidates[0][0]}


def find_named_things(index: NameIndex, text: str, mentions: list[Mention], times: list[TimeMatch],
                      fragments: list[tuple[int, int]]) -> list[NamedThing]:
    """Named things from unexplained fragments (start, end) and from dimension words next to
    time words that are parts of names."""
    found: list[NamedThing] = []
    used_mentions: set[int] = set()
    used_times: set[int] = set()
    pieces = sorted([("mention", i, m.start, m.end) for i, m in enumerate(mentions)] +
                    [("time", i, t.start, t.end) for i, t in enumerate(times)] +
                    [("fragment", i, s, e) for i, (s, e) in enumerate(fragments)], key=lambda p: p[2])
    for position, piece in enumerate(pieces):
        kind, index_, start, end = piece
        if kind == "fragment":
            position, key = _whole_part(index, text, pieces, position, mentions)
            if len(key) < MIN_PART or not index.containing(key):
                continue
            thing = _grow(index, text, mentions, times, pieces, position, index.containing(key))
        elif kind == "mention" and mentions[index_].first("dimension") and index_ not in used_mentions:
            dimension = mentions[index_].first("dimension").target
            thing = _from_dimension_word(index, text, mentions, times, pieces, position, dimension)
        elif kind == "time" and index_ not in used_times:
            thing = _from_named_time(index, text, mentions, times, pieces, position)
        else:
            continue
        if thing is None or set(thing.mentions) & used_mentions or set(thing.times) & used_times:
            continue
        thing = _with_its_dimension_word(thing, pieces, position, mentions, used_mentions)
        found.append(thing)
        used_mentions.update(thing.mentions)
        used_times.update(thing.times)
    return found


def _with_its_dimension_word(thing: NamedThing, pieces: list, position: int, mentions: list[Mention],
                             used: set[int]) -> NamedThing:
    """'the 2024 双11大促 campaigns': the word naming the thing's kind is part of the name (or, asked
    per member, a breakdown as well)."""
    for at in _neighbours(pieces, position, mentions):
        kind, index_, *_ = pieces[at]
        if kind != "mention" or index_ in used or index_ in thing.mentions:
            continue
        entry = mentions[index_].first("dimension")
        if entry is not None and entry.target == thing.dimension:
            return NamedThing(thing.start, thing.end, thing.dimension, thing.values, thing.ambiguous,
                              (*thing.mentions, index_), thing.times,
                              thing.keep_dimension or _after_each(pieces, at, mentions))
    return thing


def _whole_part(index: NameIndex, text: str, pieces: list, position: int,
                mentions: list[Mention]) -> tuple[int, str]:
    """A fragment grown over the pieces it touches while it stays part of some name ('首' + '发'
    is 首发 of 新品首发-...); the pieces it grew over become a fragment of their own."""
    start, end = pieces[position][2:4]
    for step in (1, -1):
        at = position + step
        while 0 <= at < len(pieces):
            kind, _, s, e = pieces[at]
            touching = s == end if step == 1 else e == start
            joined = text[start:e] if step == 1 else text[s:end]
            if kind != "mention" or not touching or mentions[pieces[at][1]].has("metric", "dimension", "value") \
                    or not index.containing(name_key(joined)):
                break
            start, end = (start, e) if step == 1 else (s, end)
            at += step
    if (start, end) != tuple(pieces[position][2:4]):
        pieces[position] = ("fragment", pieces[position][1], start, end)
        covered = [i for i, p in enumerate(pieces) if p[0] == "mention" and start <= p[2] and p[3] <= end]
        for i in covered:
            pieces[i] = ("covered", pieces[i][1], pieces[i][2], pieces[i][3])
    return position, name_key(text[start:end])


def _neighbours(pieces: list, position: int, mentions: list[Mention]):
    """The pieces on each side of ``position``, nearest first, over connectors, until a piece
    that cannot be part of a name."""
    for step in (-1, 1):
        at = position + step
        while 0 <= at < len(pieces):
            kind, index_, *_ = pieces[at]
            if kind == "covered" or kind == "mention" and mentions[index_].has(*_CONNECTORS) and \
                    not mentions[index_].has(*_PARTS):
                at += step
                continue
            if kind == "mention" and not mentions[index_].has(*_PARTS):
                break
            yield at
            at += step


def _grow(index: NameIndex, text: str, mentions: list[Mention], times: list[TimeMatch], pieces: list,
          position: int, candidates: list[tuple[str, str, str]]) -> NamedThing | None:
    absorbed_mentions: list[int] = [p[1] for p in pieces if p[0] == "covered"
                                    and pieces[position][2] <= p[2] and p[3] <= pieces[position][3]]
    absorbed_times: list[int] = []
    spans = [pieces[position][2:4]]
    keep_dimension = False
    series = False
    keys = [name_key(text[slice(*pieces[position][2:4])])]
    for at in _neighbours(pieces, position, mentions):
        kind, index_, start, end = pieces[at]
        if kind == "mention" and mentions[index_].first("series"):
            series = True
            absorbed_mentions.append(index_)
            spans.append((start, end))
            continue
        if kind == "mention" and mentions[index_].first("dimension"):
            dimension = mentions[index_].first("dimension").target
            narrowed = [c for c in candidates if c[0] == dimension]
            if narrowed:
                candidates = narrowed
                absorbed_mentions.append(index_)
                keep_dimension = keep_dimension or _after_each(pieces, at, mentions)
                series = series or mentions[index_].text in index.plurals.get(dimension, set())
                spans.append((start, end))
            continue
        key = name_key(text[start:end])
        narrowed = [c for c in candidates if key in c[2]] if len(key) >= MIN_PART else []
        if not narrowed:
            continue
        candidates = narrowed
        keys.append(key)
        (absorbed_times if kind == "time" else absorbed_mentions).append(index_)
        spans.append((start, end))
    return _decide(index, candidates, keys, spans, absorbed_mentions, absorbed_times, keep_dimension, series)


def _from_named_time(index: NameIndex, text: str, mentions: list[Mention], times: list[TimeMatch], pieces: list,
                     position: int) -> NamedThing | None:
    """'2025年618大促': a time word that carries a value of the names it is part of (大促 is a
    campaign type and part of the campaigns' names) names those things, not the dates."""
    key = name_key(text[slice(*pieces[position][2:4])])
    carried = [k for k in index.value_keys if len(k) >= MIN_PART and k in key and not k.isdigit()]
    candidates = index.containing(key)
    if not carried or not candidates:
        return None
    return _decide(index, candidates, [key], [pieces[position][2:4]], [], [pieces[position][1]], False)


def _from_dimension_word(index: NameIndex, text: str, mentions: list[Mention], times: list[TimeMatch],
                         pieces: list, position: int, dimension: str) -> NamedThing | None:
    """'2025年618大促里抖音那个活动', '焕颜礼盒 launch campaign': a dimension word whose neighbouring
    time words, or values it could not be filtered by, are parts of its names."""
    neighbours = list(_neighbours(pieces, position, mentions))
    reachable = index.reaches.get(dimension, set()) | {dimension}
    parts = [at for at in neighbours if (pieces[at][0] == "time" or pieces[at][0] == "mention" and all(
        e.kind != "value" or e.target not in reachable for e in mentions[pieces[at][1]].entries) and
        mentions[pieces[at][1]].has("value")) and index.containing(name_key(text[slice(*pieces[at][2:4])]),
                                                                   dimension)]
    if not parts:
        return None
    candidates = index.containing(name_key(text[slice(*pieces[parts[0]][2:4])]), dimension)
    keys, spans = [], [pieces[position][2:4]]
    absorbed_mentions = [] if _after_each(pieces, position, mentions) else [pieces[position][1]]
    absorbed_times: list[int] = []
    for at in neighbours:
        kind, index_, start, end = pieces[at]
        key = name_key(text[start:end])
        if kind == "mention" and mentions[index_].first("dimension"):
            continue
        narrowed = [c for c in candidates if key in c[2]] if len(key) >= MIN_PART else []
        if not narrowed:
            continue
        candidates = narrowed
        keys.append(key)
        (absorbed_times if kind == "time" else absorbed_mentions).append(index_)
        spans.append((start, end))
    return _decide(index, candidates, keys, spans, absorbed_mentions, absorbed_times,
                   _after_each(pieces, position, mentions))


def _after_each(pieces: list, position: int, mentions: list[Mention]) -> bool:
    """Is a dimension word asked per member ('各平台活动', '按活动')?"""
    at = position - 1
    while at >= 0 and pieces[at][0] in ("mention", "time"):
        if pieces[at][0] == "mention":
            mention = mentions[pieces[at][1]]
            if mention.has("each", "breakdown"):
                return True
            if not mention.has("dimension", "filler"):
                return False
        at -= 1
    return False


def _decide(index: NameIndex, candidates, keys, spans, absorbed_mentions, absorbed_times,
            keep_dimension: bool, series: bool = False) -> NamedThing | None:
    if not candidates:
        return None
    dimensions = list(dict.fromkeys(c[0] for c in candidates))
    if len(dimensions) > 1:  # prefer the dimension whose names the words cover best (晚霜 is a product)
        covered = sum(len(k) for k in keys)
        best = max(dimensions, key=lambda d: max(covered / len(c[2]) for c in candidates if c[0] == d))
        candidates = [c for c in candidates if c[0] == best]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    values = tuple(c[1] for c in candidates)
    ambiguous = len(candidates) > 1 and not series and not index.same_thing(candidates)
    return NamedThing(start, end, candidates[0][0], values, ambiguous, tuple(absorbed_mentions),
                      tuple(absorbed_times), keep_dimension)
