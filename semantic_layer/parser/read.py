"""Question -> Reading: every part of the question, located and typed (times, thresholds, rank
sizes, words of the model and of the language, things named by part), plus the words nothing
explains and the misspellings repaired. Nothing is dropped: what the grammar does not use of a
reading, and what is unknown, makes the parser ask back. ``grammar.py`` turns a Reading into parts."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

import jieba
from pypinyin import Style, lazy_pinyin

from semantic_layer.model import SemanticModel
from semantic_layer.parser import words
from semantic_layer.parser.extract import BandLimit, Extractor, RankSize, Threshold
from semantic_layer.parser.lexicon import Entry, Lexicon, Mention
from semantic_layer.parser.names import NamedThing, NameIndex, find_named_things
from semantic_layer.parser.normalize import normalize_text, question_language
from semantic_layer.timeexpr import TimeMatch, find_time_ranges

jieba.setLogLevel(logging.WARNING)

_NONE_EVEN_ONE = re.compile(words.NONE_EVEN_ONE)
_SQL_WRITE = re.compile(words.SQL_WRITE)
_TIMELIKE = ("compare_to", "period_noun", "previous_marker", "remove_time", "unsupported", "which_time")


@dataclass(frozen=True)
class Correction:
    written: str
    understood: str


@dataclass
class Reading:
    text: str  # normalized question
    language: str
    mentions: list[Mention] = field(default_factory=list)
    times: list[TimeMatch] = field(default_factory=list)
    ranks: list[RankSize] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)
    band_limits: list[BandLimit] = field(default_factory=list)
    names: list[NamedThing] = field(default_factory=list)
    emphasis: list[tuple[int, int]] = field(default_factory=list)  # 一单都(没): part of a negation
    unknown: list[str] = field(default_factory=list)
    unknown_spans: list[tuple[int, int]] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    write: bool = False  # a request to change data
    today: dt.date | None = None  # the reference date the times were read against

    def kinds(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.first(kind)]

    def has(self, kind: str) -> bool:
        return any(m.first(kind) for m in self.mentions)

    def named_mentions(self) -> set[int]:
        return {i for thing in self.names for i in thing.mentions}

    def named_times(self) -> set[int]:
        return {i for thing in self.names for i in thing.times}


class QuestionReader:
    """Reads questions with one lexicon; holds a jieba tokenizer that knows the lexicon's words."""

    def __init__(self, lexicon: Lexicon, model: SemanticModel, values: dict[str, list[str]]) -> None:
        self.lexicon = lexicon
        self.names = NameIndex(model, values)
        nouns = [f for f, entries in lexicon.forms.items() if any(e.kind == "dimension" for e in entries)]
        units = [f for f, entries in lexicon.forms.items() if any(e.kind == "unit" for e in entries)
                 and not any(e.kind == "metric" for e in entries)]
        verbs = [f for f, entries in lexicon.forms.items() if any(e.kind == "verb" for e in entries)]
        self.extractor = Extractor(nouns, units, {normalize_text(unit): d.id for d in model.dimensions
                                                  for unit in d.band_units}, verbs)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        for form in lexicon.forms:
            if not form.isascii():
                self.tokenizer.add_word(form, freq=200_000, tag="nz")
        targets = lexicon.catalog_forms()
        # the language's write verbs are words of their own, never a slip for a catalog word ('mark' is not 'mask')
        self._write_verbs = {w for w in words.WRITE + words.WRITE_ONLY if w.isascii() and " " not in w}
        self._ascii_forms = [f for f in targets if f.isascii() and len(f) >= 4] + list(words.LANGUAGE_WORDS)
        self._ascii_phrases = [f for f in targets if f.isascii() and " " in f]
        self._cjk_forms: dict[int, list[str]] = {}
        for form in targets:
            if not form.isascii() and len(form) >= 2:
                self._cjk_forms.setdefault(len(form), []).append(form)

    def read(self, question: str, today: dt.date) -> Reading:
        text = normalize_text(question)
        reading = self._read(text, question_language(question), today)
        corrections = self._misspellings(reading)
        if corrections:  # read the repaired question, and say what was repaired
            for correction in corrections:
                text = text.replace(correction.written, correction.understood)
            reading = self._read(text, reading.language, today)
            reading.corrections = corrections
        return reading

    def _read(self, text: str, language: str, today: dt.date) -> Reading:
        reading = Reading(text, language, today=today)
        blocked = [False] * len(text)

        def block(start: int, end: int) -> None:
            for i in range(start, end):
                blocked[i] = True

        reading.write = bool(_SQL_WRITE.search(text))
        # words that hold time or number words but mean something else go first (去年同期, 前一个月,
        # 下个月, the value '40+', the campaign '2025年618大促-抖音'), unless a longer time word covers them
        # ('3月 25-29' is March and the band 25-29, not March 25)
        times = find_time_ranges(text, today)
        timelike = [m for m in self.lexicon.scan(text, blocked) if (m.has(*_TIMELIKE) or m.has("value", "set") and any(
            ch.isdigit() for ch in m.text)) and not any(
            t.start < m.end and m.start < t.end and t.end - t.start > m.end - m.start
            and not t.start < m.start < t.end < m.end for t in times)]
        for mention in timelike:
            block(mention.start, mention.end)
        reading.times = find_time_ranges(self._masked(text, blocked), today)
        for match in reading.times:
            block(match.start, match.end)
        for match in _NONE_EVEN_ONE.finditer(text):
            if not any(blocked[match.start():match.end()]):
                reading.emphasis.append((match.start(), match.end()))
                block(match.start(), match.end())
        reading.band_limits = self.extractor.band_limits(text, blocked)
        for item in [*reading.band_limits, *self.extractor.member_counts(text, blocked)]:
            block(item.start, item.end)
        reading.thresholds = self.extractor.thresholds(text, blocked)
        for item in reading.thresholds:
            block(item.start, item.end)
        reading.ranks = self.extractor.rank_sizes(text, blocked)
        for item in reading.ranks:
            block(item.start, item.end)
        reading.mentions = [m for m in (_as_predicate(m, text) for m in self._split_after_which(
            sorted(timelike + self.lexicon.scan(text, blocked), key=lambda m: m.start))) if m is not None]
        for mention in reading.mentions:
            block(mention.start, mention.end)
        fragments = [(m.start(), m.end()) for m in re.finditer(r"[^\0\s]+", self._masked(text, blocked))]
        reading.names = find_named_things(self.names, text, reading.mentions, reading.times, fragments)
        for thing in reading.names:
            block(thing.start, thing.end)
        reading.unknown_spans = self._unknown(text, blocked)
        reading.unknown = [text[s:e] for s, e in reading.unknown_spans]
        return reading

    def _split_after_which(self, mentions: list[Mention]) -> list[Mention]:
        """'哪种券核销率最高': a which-word asks for the noun glued to the metric after it (券 + 核销率)."""
        result: list[Mention] = []
        for mention in mentions:
            previous = result[-1] if result else None
            split = None
            if previous is not None and previous.has("which") and previous.end == mention.start \
                    and mention.has("metric") and not mention.has("dimension"):
                split = next(((mention.text[:cut], mention.text[cut:]) for cut in range(1, len(mention.text))
                              if any(e.kind in ("dimension", "kind_of")
                                     for e in self.lexicon.forms.get(mention.text[:cut], []))
                              and any(e.kind == "metric" for e in self.lexicon.forms.get(mention.text[cut:], []))),
                             None)
            if split is None:
                result.append(mention)
                continue
            head, tail = split
            result.append(Mention(mention.start, mention.start + len(head), head, tuple(self.lexicon.forms[head])))
            result.append(Mention(mention.start + len(head), mention.end, tail, tuple(self.lexicon.forms[tail])))
        return result

    @staticmethod
    def _masked(text: str, blocked: list[bool]) -> str:
        return "".join("\0" if b else c for c, b in zip(text, blocked))

    def _unknown(self, text: str, blocked: list[bool]) -> list[tuple[int, int]]:
        """Everything no part of the reading explains: words, characters, numbers."""
        found: list[tuple[int, int]] = []
        for run in re.finditer(r"[^\0\s]+", self._masked(text, blocked)):
            for piece in re.finditer(r"[a-z][a-z'\-]*[a-z]|[a-z]|\d+(?:\.\d+)?|[^\W\d_a-z]+|%", run.group(0)):
                found.append((run.start() + piece.start(), run.start() + piece.end()))
        return found

    # ---- misspellings ---------------------------------------------------------------------
    def _misspellings(self, reading: Reading) -> list[Correction]:
        """Unknown words that are a misspelling of one word of the catalog or the language: an
        English word one or two edits away, or Chinese with one character swapped for a homophone
        (pinyin input), never a different word ('好评率' is not '好评度')."""
        corrections: list[Correction] = []
        for start, end in reading.unknown_spans:
            word = reading.text[start:end]
            if word.isascii():
                match = self._english(word)
                if match:
                    corrections.append(Correction(word, match))
                else:
                    corrections.extend(self._english_phrase(reading.text, start, end))
            else:
                corrections.extend(self._homophones(reading.text, start, end))
        return corrections

    def _english(self, word: str) -> str | None:
        if len(word) < 4 or not word.isalpha() or word in self._write_verbs:
            return None
        limit = 1 if len(word) <= 6 else 2
        best = [form for form in self._ascii_forms if " " not in form and abs(len(form) - len(word)) <= limit
                and _same_start(word, form) and edit_distance(word, form) <= limit]
        if len(set(best)) > 1 and len({tuple(self.lexicon.forms.get(f, ())) for f in best}) == 1:
            best = [min(best, key=lambda f: edit_distance(word, f))]  # 'categroy': category, not its plural
        return best[0] if len(set(best)) == 1 else None

    def _english_phrase(self, text: str, start: int, end: int) -> list[Correction]:
        """A misspelt last word of a catalog phrase ('refund rat' -> 'refund rate')."""
        before = text[:start].split()
        for count in (1, 2):
            if len(before) < count:
                break
            phrase = " ".join(before[-count:] + [text[start:end]])
            matches = {f for f in self._ascii_phrases if abs(len(f) - len(phrase)) <= 1 and edit_distance(phrase, f) <= 1}
            if len(matches) == 1:
                return [Correction(phrase, matches.pop())]
        return []

    def _homophones(self, text: str, start: int, end: int) -> list[Correction]:
        """Windows over an unknown character and its neighbours ('醉' in '醉高': 最高)."""
        for position in range(start, end):
            for length in range(6, 1, -1):
                for first in range(max(0, position - length + 1), min(position, len(text) - length) + 1):
                    window = text[first:first + length]
                    if any(ch.isascii() or ch.isspace() for ch in window):
                        continue
                    if length == 2 and self.tokenizer.FREQ.get(window, 0) > 0:
                        continue  # a real two-character word is not a typo
                    matches = {f for f in self._cjk_forms.get(length, []) if _one_homophone_apart(window, f)}
                    if len(matches) == 1:
                        return [Correction(window, matches.pop())]
        return []


def _same_start(word: str, form: str) -> bool:
    """Typing slips keep the first letter, or swap the first two ('went' is not 'sent')."""
    return word[0] == form[0] or word[:2] == form[1::-1]


def _pinyin(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


def _one_homophone_apart(written: str, form: str) -> bool:
    """Same length, one character different, and that one sounds the same ('复够率' / '复购率')."""
    differing = [(a, b) for a, b in zip(written, form) if a != b]
    return len(differing) == 1 and not differing[0][0].isascii() and _pinyin(differing[0][0]) == _pinyin(differing[0][1])


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours (optimal string alignment).

    >>> edit_distance("mnoth", "month"), edit_distance("oders", "orders"), edit_distance("rate", "rating")
    (1, 1, 3)
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _as_predicate(mention: Mention, text: str) -> Mention | None:
    """A value word said as a verb: with 得 after it ('客户流失得厉害吗') it describes and filters nothing;
    a negated one with 过 after it ('没付款过的会员': never paid, not the status 未付款) is left unread,
    so the question is asked back rather than read as the status."""
    if not mention.has("value") or mention.has("metric", "dimension"):
        return mention
    after = text[mention.end:mention.end + 1]
    if after == "得":
        return Mention(mention.start, mention.end, mention.text, (Entry("filler"),))
    if after == "过" and any(n in mention.text for n in words.NAME_NEGATIONS):
        return None
    return mention

