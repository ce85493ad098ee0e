"""Things named by a part of their name: "积雪草那款精华" is the product 积雪草舒缓精华, "A醇那个新品活动"
the campaign 新品首发-A醇抗老精华, "24年双11预热活动" the three campaigns 2024年双11预热-天猫/抖音/京东 (the
same event on three channels), "2025年618大促里抖音那个活动" the campaign 2025年618大促-抖音.

A part is a word no vocabulary explains (grown over the short words it runs into: 首 + 发), a
dimension word next to time words or values that are parts of that dimension's names and could
not be its filters ('焕颜礼盒 launch campaign': campaigns do not reach products), a time word
that carries a value of the names' own ('2025年618大促'), or two values of different kinds that
are together part of one name only ('焕颜礼盒新品首发那次'). The words around it (values, time
words, the dimension word) narrow the candidates when they are parts of the same names, and are
then part of the name, not filters of their own. One candidate is the thing; candidates that differ
only by the values of one other dimension, or that a series word gathers ('玻色因系列'), are the
same thing on each of them; anything else is asked back."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from semantic_layer.model import SemanticModel
from semantic_layer.parser import words
from semantic_layer.parser.lexicon import Mention
from semantic_layer.parser.normalize import is_ascii_letter, name_key
from semantic_layer.timeexpr import TimeMatch, festival_name

MIN_PART = 2  # characters; one character is part of too many names
NEGATION = re.compile("|".join(words.NAME_NEGATIONS))
# Mentions that may sit between the parts of one name ("积雪草那款精华", "抖音那个活动")
_CONNECTORS = ("filler", "classifier", "neutral", "each", "breakdown")
_PARTS = ("value", "dimension", "set", "series", "name_part")


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
        """The names with this part; a part that leaves out a name's negation ('加购' of '加购未付款')
        says the opposite and names nothing."""
        return [n for n in self.names if key in n[2] and (dimension is None or n[0] == dimension)
                and not (NEGATION.search(n[2]) and not NEGATION.search(key))]

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


@dataclass
class _Question:
    index: NameIndex
    text: str
    mentions: list[Mention]
    times: list[TimeMatch]
    pieces: list[tuple[str, int, int, int]]  # (kind, index into mentions/times/fragments, start, end)
    owners: dict[int, NamedThing] = field(default_factory=dict)  # mentions that are parts of things found

    def mention(self, position: int) -> Mention | None:
        kind, index_, *_ = self.pieces[position]
        return self.mentions[index_] if kind == "mention" else None

    def keys(self, position: int) -> list[str]:
        """The keys a piece may be part of a name by: its words; for a value, the value itself
        ('launch' is 新品 in '新品首发-熬夜急救面膜'); for a time word, its words with the year it
        means ('this year's 618' is 2025 + 618)."""
        kind, index_, start, end = self.pieces[position]
        key = name_key(self.text[start:end])
        keys = [key]
        if kind == "mention" and index_ in self.owners:  # a thing found is part of a name as a whole
            return [name_key(v) for v in self.owners[index_].values]
        if kind == "mention":
            keys = [name_key(e.value) for e in self.mentions[index_].entries if e.kind in ("value", "name_part")] + keys
        elif kind == "time":
            year = str(self.times[index_].range.start.year)
            keys += [year + key[cut:] for cut in range(1, len(key) - 1) if not key.startswith(year)]
            festival = festival_name(self.times[index_].range)
            keys += [year + name_key(festival)] if festival else []
        return [k for k in dict.fromkeys(keys) if len(k) >= MIN_PART]

    def neighbours(self, position: int):
        """The pieces on each side of ``position``, nearest first, over connectors, until a piece
        that cannot be part of a name."""
        for step in (-1, 1):
            at = position + step
            while 0 <= at < len(self.pieces):
                mention = self.mention(at)
                if self.pieces[at][0] == "covered" or mention and mention.has(*_CONNECTORS) and \
                        not mention.has(*_PARTS):
                    at += step
                    continue
                if mention and not mention.has(*_PARTS):
                    break
                yield at
                at += step

    def after_each(self, position: int, over_parts: bool = False) -> bool:
        """Is a dimension word asked per member ('各平台活动', '按活动'; with ``over_parts``, also
        past parts of names: 'for each of the 双11 大促 campaigns')?"""
        at = position - 1
        while at >= 0 and self.pieces[at][0] in ("mention", "time"):
            mention = self.mention(at)
            if mention is not None:
                if mention.has("each", "breakdown"):
                    return True
                if not mention.has("dimension", "filler") and not (over_parts and mention.has(*_PARTS)):
                    return False
            elif not over_parts:
                return False
            at -= 1
        return False


def find_named_things(index: NameIndex, text: str, mentions: list[Mention], times: list[TimeMatch],
                      fragments: list[tuple[int, int]]) -> list[NamedThing]:
    """Named things from unexplained fragments (start, end), dimension words, time words and
    pairs of values. Where two overlap, the one that covers the other and more is the thing
    ('玻色因面膜的首发活动' is a campaign, not the product)."""
    found: list[NamedThing] = []
    question = _Question(index, text, mentions, times, sorted(
        [("mention", i, m.start, m.end) for i, m in enumerate(mentions)] +
        [("time", i, t.start, t.end) for i, t in enumerate(times)] +
        [("fragment", i, s, e) for i, (s, e) in enumerate(_split(index, text, fragments))], key=lambda p: p[2]))
    for position, piece in enumerate(question.pieces):
        kind, index_, start, end = piece
        used_mentions = {i for f in found for i in f.mentions}
        used_times = {i for f in found for i in f.times}
        mention = question.mention(position)
        if kind == "fragment":
            key = _whole_part(question, position)
            thing = _grow(question, position, index.containing(key)) \
                if len(key) >= MIN_PART and index.containing(key) else None
        elif mention is not None and mention.first("dimension") and index_ not in used_mentions:
            thing = _from_dimension_word(question, position, mention.first("dimension").target)
        elif mention is not None and mention.first("value") and index_ not in used_mentions:
            thing = _from_values(question, position)
        elif kind == "time" and index_ not in used_times:
            thing = _from_named_time(question, position)
        else:
            continue
        if thing is None:
            continue
        overlapping = [f for f in found if set(f.mentions) & set(thing.mentions) or set(f.times) & set(thing.times)
                       or f.start < thing.end and thing.start < f.end]
        if overlapping and (thing.ambiguous or not all(
                thing.start <= f.start and f.end <= thing.end and f.end - f.start < thing.end - thing.start
                for f in overlapping)):
            continue
        found = [f for f in found if f not in overlapping]
        found.append(_with_its_dimension_word(question, thing, position, {i for f in found for i in f.mentions}))
        question.owners = {i: f for f in found for i in f.mentions}
    return found


def _split(index: NameIndex, text: str, fragments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fragments without punctuation-only ones; a Chinese fragment that is no part of any name cut
    into the longest pieces that are ('喷雾首' -> 喷雾 + 首, and 首 grows into 首发)."""
    pieces: list[tuple[int, int]] = []
    for start, end in fragments:
        if not name_key(text[start:end]) or name_key(text[start:end]).isdigit():
            continue  # punctuation, or a number: a year or an amount is no part of a name
        if index.containing(name_key(text[start:end])) or any(is_ascii_letter(c) for c in text[start:end]):
            pieces.append((start, end))  # an English word is whole
            continue
        at, rest = start, None
        while at < end:
            cut = next((stop for stop in range(end, at + MIN_PART - 1, -1)
                        if index.containing(name_key(text[at:stop]))), None)
            if cut is None:
                rest = at if rest is None else rest
                at += 1
                continue
            if rest is not None:
                pieces.append((rest, at))
                rest = None
            pieces.append((at, cut))
            at = cut
        if rest is not None:
            pieces.append((rest, end))
    return pieces


def _with_its_dimension_word(question: _Question, thing: NamedThing, position: int, used: set[int]) -> NamedThing:
    """'the 2024 双11大促 campaigns': the word naming the thing's kind is part of the name (or, asked
    per member, a breakdown as well)."""
    for at in question.neighbours(position):
        kind, index_, *_ = question.pieces[at]
        if kind != "mention" or index_ in used or index_ in thing.mentions:
            continue
        entry = question.mentions[index_].first("dimension")
        if entry is not None and entry.target == thing.dimension:
            return NamedThing(thing.start, thing.end, thing.dimension, thing.values, thing.ambiguous,
                              (*thing.mentions, index_), thing.times, thing.keep_dimension or question.after_each(at))
    return thing


def _whole_part(question: _Question, position: int) -> str:
    """A fragment grown over the pieces it touches while it stays part of some name ('首' + '发'
    is 首发 of 新品首发-...); the pieces it grew over are covered by it."""
    pieces, text = question.pieces, question.text
    start, end = pieces[position][2:4]
    for step in (1, -1):
        at = position + step
        while 0 <= at < len(pieces):
            kind, index_, s, e = pieces[at]
            touching = s == end if step == 1 else e == start
            joined = text[start:e] if step == 1 else text[s:end]
            if kind != "mention" or not touching or question.mentions[index_].has("metric", "dimension", "value") \
                    or not question.index.containing(name_key(joined)):
                break
            start, end = (start, e) if step == 1 else (s, end)
            at += step
    if (start, end) != tuple(pieces[position][2:4]):
        pieces[position] = ("fragment", pieces[position][1], start, end)
        for i, piece in enumerate(pieces):
            if piece[0] == "mention" and start <= piece[2] and piece[3] <= end:
                pieces[i] = ("covered", *piece[1:])
    return name_key(text[start:end])


class _Narrowing:
    """Candidates narrowed by the pieces around a name: pieces of one kind (the values of one
    dimension: 天猫、抖音、京东) are alternatives, pieces of different kinds all parts of the name."""

    def __init__(self, question: _Question, candidates: list[tuple[str, str, str]], position: int) -> None:
        self.question = question
        self.base = candidates
        self.candidates = candidates
        self.groups: dict[str, list[str]] = {}
        self.keys: list[str] = []
        self.spans = [question.pieces[position][2:4]]
        self.mentions: list[int] = []
        self.times: list[int] = []

    def take(self, position: int) -> bool:
        kind, index_, start, end = self.question.pieces[position]
        value = self.question.mention(position).first("value") if kind == "mention" else None
        owner = self.question.owners.get(index_) if kind == "mention" else None
        group = f"thing:{owner.start}" if owner else f"value:{value.target}" if value else f"{kind}:{start}"
        dimensions = {c[0] for c in self.candidates}
        for key in self.question.keys(position):
            groups = {**self.groups, group: [*self.groups.get(group, []), key]}
            narrowed = [c for c in self.base if c[0] in dimensions and all(
                any(k in c[2] for k in keys) for keys in groups.values())]
            if narrowed:
                self.groups, self.candidates = groups, narrowed
                self.keys.append(key)
                owner = self.question.owners.get(index_) if kind == "mention" else None
                if owner is not None:  # '玻色因面膜的首发活动': the product is part of the campaign's name
                    self.mentions += owner.mentions
                    self.times += owner.times
                    self.spans.append((owner.start, owner.end))
                if kind in ("time", "mention"):  # a fragment's index is no mention's
                    (self.times if kind == "time" else self.mentions).append(index_)
                self.spans.append((start, end))
                return True
        return False

    def narrow_to(self, dimension: str, position: int) -> bool:
        narrowed = [c for c in self.candidates if c[0] == dimension]
        if not narrowed:
            return False
        self.candidates = narrowed
        self.mentions.append(self.question.pieces[position][1])
        self.spans.append(self.question.pieces[position][2:4])
        return True

    def decide(self, keep_dimension: bool = False, series: bool = False) -> NamedThing | None:
        candidates = self.candidates
        if not candidates:
            return None
        dimensions = list(dict.fromkeys(c[0] for c in candidates))
        if len(dimensions) > 1:  # prefer the dimension whose names the words cover best (晚霜 is a product)
            covered = sum(len(k) for k in self.keys)
            best = max(dimensions, key=lambda d: max(covered / len(c[2]) for c in candidates if c[0] == d))
            candidates = [c for c in candidates if c[0] == best]
        start, end = min(s for s, _ in self.spans), max(e for _, e in self.spans)
        values = tuple(c[1] for c in candidates)
        ambiguous = len(candidates) > 1 and not series and not self.question.index.same_thing(candidates)
        inside = [index_ for kind, index_, s, e in self.question.pieces if kind == "mention" and start <= s and e <= end]
        return NamedThing(start, end, candidates[0][0], values, ambiguous, tuple(dict.fromkeys(self.mentions + inside)),
                          tuple(self.times), keep_dimension)  # the words inside a name are the name's


def _grow(question: _Question, position: int, candidates: list[tuple[str, str, str]]) -> NamedThing | None:
    narrowing = _Narrowing(question, candidates, position)
    start, end = question.pieces[position][2:4]
    narrowing.keys.append(name_key(question.text[start:end]))
    narrowing.mentions += [p[1] for p in question.pieces if p[0] == "covered" and start <= p[2] and p[3] <= end]
    keep_dimension = series = False
    for at in question.neighbours(position):
        mention = question.mention(at)
        if mention is not None and mention.first("series"):
            series = True
            narrowing.mentions.append(question.pieces[at][1])
            narrowing.spans.append(question.pieces[at][2:4])
        elif mention is not None and mention.first("dimension"):
            dimension = mention.first("dimension").target
            if narrowing.narrow_to(dimension, at):
                keep_dimension = keep_dimension or question.after_each(at)
                series = series or mention.text in question.index.plurals.get(dimension, set())
        else:
            narrowing.take(at)
    return narrowing.decide(keep_dimension, series)


def _from_named_time(question: _Question, position: int) -> NamedThing | None:
    """'2025年618大促': a time word that carries a value of the names it is part of (大促 is a
    campaign type and part of the campaigns' names) names those things, not the dates; values
    beside it narrow them ('2025年618大促那几个活动（天猫、抖音）')."""
    index = question.index
    key = next((k for k in question.keys(position) if index.containing(k)), None)
    if key is None or not any(len(k) >= MIN_PART and k in key and not k.isdigit() for k in index.value_keys):
        return None
    narrowing = _Narrowing(question, index.containing(key), position)
    narrowing.keys.append(key)
    narrowing.times.append(question.pieces[position][1])
    for at in question.neighbours(position):
        if question.mention(at) is not None and question.mention(at).has("value"):
            narrowing.take(at)
    return narrowing.decide()


def _from_dimension_word(question: _Question, position: int, dimension: str) -> NamedThing | None:
    """'2025年618大促里抖音那个活动', '焕颜礼盒 launch campaign', 'this year's 618 campaigns': a
    dimension word whose neighbouring time words, or values it could not be filtered by, are parts
    of its names."""
    if question.after_each(position):
        return None  # '2024年Q4各营销活动': each campaign in that quarter
    each = question.after_each(position, over_parts=True)  # 'ROI per win-back campaign': each of those
    index = question.index
    # values of a kind the dimension has are parts of one member's name when one member is meant
    reachable = {dimension} if _one_member(question, position) else index.reaches.get(dimension, set()) | {dimension}
    neighbours = list(question.neighbours(position))
    for at in neighbours:
        mention = question.mention(at)
        part = question.pieces[at][0] == "time" or mention is not None and mention.has("name_part") or \
            mention is not None and mention.has("value") and all(
                e.kind != "value" or e.target not in reachable for e in mention.entries)
        # a year alone is part of every name of that year: the campaigns of 2024 are a period
        key = next((k for k in question.keys(at) if index.containing(k, dimension) and not (
            k.isdigit() and len(k) <= 4)), None) if part else None
        if key is not None:
            break
    else:
        return None
    narrowing = _Narrowing(question, index.containing(key, dimension), position)
    narrowing.mentions.append(question.pieces[position][1])
    series = each
    for at in neighbours:
        mention = question.mention(at)
        if mention is not None and mention.first("series"):  # '沉睡客户召回这类活动': all of them
            series = True
            narrowing.mentions.append(question.pieces[at][1])
        elif not (mention is not None and mention.first("dimension")):
            narrowing.take(at)
    return narrowing.decide(keep_dimension=each, series=series)


def _one_member(question: _Question, position: int) -> bool:
    """Is a dimension word said of one member ('抖音拉新那个活动', '召回活动那次的ROI', 'that 618 campaign')?"""
    _, _, start, end = question.pieces[position]
    before, after = question.text[:start].rstrip(" 的"), question.text[end:].lstrip()
    return any(re.search(rf"\b{w}\s*$", before) if w.isascii() else before.endswith(w) or after.startswith(w)
               and not re.match(r"[\u3400-\u9fff]", after[len(w):].removeprefix("的")) for w in words.SINGULAR)


def _in_separate_parts(name: str, keys: list[list[str]]) -> bool:
    """Does each group of keys fall in a different part of a composite name ('新品首发-焕颜礼盒'), not
    inside one word ('学生' and '套组' in 学生党入门套组)?"""
    parts = [name_key(p) for p in re.split(r"[-_/·•|]", unicodedata.normalize("NFKC", name).casefold()) if p]
    if len(parts) < 2:
        return False
    first, second = ({i for i, part in enumerate(parts) if any(k in part for k in group)} for group in keys)
    return any(i != j for i in first for j in second)


def _from_values(question: _Question, position: int) -> NamedThing | None:
    """'焕颜礼盒新品首发那次': values of different kinds side by side that together are part of the
    names of one thing only (of another dimension) name that thing."""
    mention = question.mention(position)
    following = next((at for at in question.neighbours(position) if at > position), None)
    other = question.mention(following) if following is not None else None
    if other is None or not other.has("value") or {e.target for e in mention.entries if e.kind == "value"} & {
            e.target for e in other.entries if e.kind == "value"}:
        return None
    own = {e.target for m in (mention, other) for e in m.entries if e.kind == "value"}
    keys = [question.keys(position), question.keys(following)]
    # each value in a part of its own of the name ('新品首发-焕颜礼盒'), not inside a word (学生党入门套组)
    candidates = [c for c in question.index.names if c[0] not in own and _in_separate_parts(c[1], keys)]
    narrowing = _Narrowing(question, candidates, position)
    if not (narrowing.take(position) and narrowing.take(following)):
        return _inside_one_word(question, position, following, own, keys)
    thing = narrowing.decide()
    return thing if thing is not None and not thing.ambiguous else None


def _inside_one_word(question: _Question, position: int, following: int, own: set[str],
                     keys: list[list[str]]) -> NamedThing | None:
    """'学生套组': two values side by side, or the one name they are both inside (学生党入门套组)?
    Asked back."""
    (_, first, start, middle), (_, second, after, end) = question.pieces[position], question.pieces[following]
    if question.text[middle:after].strip():
        return None  # '沉睡客户召回': words between, a name's own part
    inside = [c for c in question.index.names if c[0] not in own and all(any(k in c[2] for k in group)
                                                                         for group in keys)]
    if not inside:
        return None
    best = min(inside, key=lambda c: len(c[2]))[0]  # the name the words cover most (the product, not its launch)
    return NamedThing(start, end, best, tuple(c[1] for c in inside if c[0] == best), True, (first, second), (),
                      False)
