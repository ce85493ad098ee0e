"""The parser's vocabulary: every surface form a question may use, with every role it can play,
indexed for longest-match scanning. The business's words come from the model (metric names,
unit words and verbs, dimensions, values and their synonyms, named sets, neutral nouns) and the
glossary; the language's words from ``words.py``. Built once per model, warehouse and glossary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from semantic_layer.model import SemanticModel
from semantic_layer.parser import words
from semantic_layer.parser.normalize import is_ascii_letter, normalize_text
from semantic_layer.query import ANALYSES


@dataclass(frozen=True)
class Entry:
    kind: str  # metric, analysis, unit, verb, dimension, kind_of, value, set, name_part, neutral, or a role of words.py
    target: str = ""  # metric or dimension id, grain, chart type, direction
    value: str = ""  # the warehouse value (value), the set's name (set), the part of names (name_part)
    targets: tuple[str, ...] = ()  # metric ids a unit word or verb may mean
    values: tuple[str, ...] = ()  # the values of a named set


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]

    def first(self, kind: str) -> Entry | None:
        return next((e for e in self.entries if e.kind == kind), None)

    def has(self, *kinds: str) -> bool:
        return any(e.kind in kinds for e in self.entries)


# Roles of the language's word lists (a word may have several; the grammar decides which it plays).
_ROLES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (words.FILLERS, "filler", ""), (words.QUANTITY_AMOUNT, "quantity", "amount"),
    (words.QUANTITY_COUNT, "quantity", "count"), (words.CLASSIFIERS, "classifier", ""),
    (words.EVALUATION, "evaluation", ""), (words.SUPERLATIVE_DESC, "superlative", "desc"),
    (words.SUPERLATIVE_ASC, "superlative", "asc"), (words.SUPERLATIVE_BEST, "superlative", "best"),
    (words.SUPERLATIVE_WORST, "superlative", "worst"), (words.COMPARATIVE_DESC, "comparative", "desc"),
    (words.COMPARATIVE_ASC, "comparative", "asc"), (words.COMPARATIVE_BEST, "comparative", "best"),
    (words.COMPARATIVE_WORST, "comparative", "worst"), (words.RANK_ORDER, "rank_order", "desc"),
    (words.RANK_ORDER_ASC, "rank_order", "asc"), (words.POPULAR, "popular", "desc"),
    (words.POPULAR_LEAST, "popular", "asc"), (words.WHICH, "which", ""),
    (words.WHICH_MANY, "which_many", ""), (words.PREVIOUS_PERIOD, "compare_to", "previous_period"),
    (words.SAME_PERIOD_LAST_YEAR, "compare_to", "same_period_last_year"),
    (words.PREVIOUS_PERIOD_NOUNS, "period_noun", "previous_period"),
    (words.SAME_PERIOD_NOUNS, "period_noun", "same_period_last_year"),
    (words.PREVIOUS_MARKERS, "previous_marker", ""), (words.COMPARE, "compare", ""),
    (words.DIFFERENCE, "difference", ""),
    (words.CHANGE, "change", ""), (words.CHANGE_UP, "change", "up"), (words.CHANGE_DOWN, "change", "down"),
    (words.COMPLEMENT, "complement", ""), (words.EXCLUDE, "exclude", ""), (words.EXCLUDE_AFTER, "exclude_after", ""),
    (words.WHOLE, "whole", ""),
    (words.NOT, "not", ""), (words.CONTRAST, "contrast", ""), (words.EITHER, "either", ""), (words.BOTH, "both", ""), (words.UNREAD, "unread", ""),
    (words.TREND, "trend", ""), (words.SHARE, "share", ""), (words.PERCENT, "share", ""),
    (words.PERCENT, "percent", ""), (words.TOTAL, "total", ""),
    (words.EACH, "each", ""), (words.BREAKDOWN, "breakdown", ""), (words.ONLY, "only", ""),
    (words.FOLLOW_UP, "follow_up", ""), (words.ALSO, "also", ""), (words.ALL_OF, "all_of", ""),
    (words.ANAPHOR, "anaphor", ""), (words.ANAPHOR_GROUP, "anaphor", "group"), (words.ANAPHOR_TOP, "anaphor", "top"),
    (words.KIND, "kind", ""),
    (words.SERIES, "series", ""), (words.REMOVE_TIME, "remove_time", ""),
    (words.REMOVE_FILTER, "remove_filter", ""), (words.UNSUPPORTED, "unsupported", ""),
)


# Kinds that come from the language's word lists, not from the business
LANGUAGE_KINDS = frozenset(kind for _, kind, _ in _ROLES) | {"grain", "chart", "which_time"}


@dataclass
class Lexicon:
    forms: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    longest: int = 1

    def add(self, surface: str, entry: Entry, plural: bool = False) -> None:
        """Add a surface form; ``plural``: an English word of the business also in its plural
        ('sku' -> 'skus', 'face cream' -> 'face creams') unless that is a form of its own."""
        form = normalize_text(surface)
        if not form:
            return
        if entry not in self.forms[form]:
            self.forms[form].append(entry)
        self.longest = max(self.longest, len(form))
        if plural and form.isascii() and form[-1].isalpha() and not form.endswith("s"):
            many = form + ("es" if form.endswith(("sh", "ch", "x")) else "s")
            if many not in self.forms:
                self.forms[many].append(entry)
                self.longest = max(self.longest, len(many))

    def scan(self, text: str, blocked: list[bool]) -> list[Mention]:
        """The segmentation of the unblocked characters of normalized text into known words that
        covers the most characters, with the fewest (longest) words, then the most by the business's
        words: '各年龄段' is 各 + 年龄段, '那天猫' 那 + 天猫, '环比一下' 环比 + 一下. A form
        with Latin letters must not run into other letters ('dy' in '2025q1dy' stands, 'tm' in
        'html' does not)."""
        n = len(text)
        starting: list[list[Mention]] = [[] for _ in range(n)]
        for i in range(n):
            if blocked[i] or text[i] == " ":
                continue
            for length in range(min(self.longest, n - i), 0, -1):
                piece = text[i:i + length]
                if piece in self.forms and not any(blocked[i:i + length]) and self._whole_word(text, i, i + length) \
                        and self._spaced(piece, text, i, i + length):
                    starting[i].append(Mention(i, i + length, piece, tuple(self.forms[piece])))
        best: list[tuple[tuple[int, int, int], Mention | None]] = [((0, 0, 0), None)] * (n + 1)
        for i in range(n - 1, -1, -1):
            choice = (best[i + 1][0], None)
            for mention in starting[i]:
                size = mention.end - mention.start
                business = 0 if all(e.kind in LANGUAGE_KINDS for e in mention.entries) else size
                after = best[mention.end][0]
                score = (after[0] + size, after[1] - 1, after[2] + business)
                if score > choice[0]:
                    choice = (score, mention)
            best[i] = choice
        chosen, i = [], 0
        while i < n:
            mention = best[i][1]
            if mention is None:
                i += 1
            else:
                chosen.append(mention)
                i = mention.end
        return chosen

    @staticmethod
    def _whole_word(text: str, start: int, end: int) -> bool:
        if is_ascii_letter(text[start]) and start > 0 and is_ascii_letter(text[start - 1]):
            return False
        if is_ascii_letter(text[end - 1]) and end < len(text) and is_ascii_letter(text[end]):
            return False
        if text[start].isdigit() and start > 0 and text[start - 1].isdigit():
            return False
        return not (text[end - 1].isdigit() and end < len(text) and text[end].isdigit())

    def _spaced(self, piece: str, text: str, start: int, end: int) -> bool:
        """An English function word stands between spaces or punctuation ('a' in 'A醇' is not the
        article); other words may touch Chinese ('近7天gmv', '上个月vs前一个月')."""
        if not (piece[0].isascii() and piece[0].isalpha()) or not all(
                e.kind in ("filler", "classifier", "anaphor") for e in self.forms[piece]):
            return True
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        return not (before.isalnum() or after.isalnum())

    def catalog_forms(self) -> list[str]:
        """The forms a misspelling may be corrected into: the business's words and the language's
        content words, never fillers."""
        return [form for form, entries in self.forms.items()
                if any(e.kind not in ("filler", "classifier", "follow_up", "neutral") for e in entries)]


def build_lexicon(model: SemanticModel, values: dict[str, list[str]],
                  glossary: list[tuple[str, Entry]] = ()) -> Lexicon:
    lexicon = Lexicon()
    for metric in model.metrics:
        for surface in (metric.id, metric.name.zh, metric.name.en, *metric.synonyms):
            lexicon.add(surface, Entry("metric", metric.id))
    for kind in ANALYSES:
        analysis = getattr(model.analyses, kind)
        for surface in (analysis.name.zh, analysis.name.en, *analysis.synonyms) if analysis else ():
            lexicon.add(surface, Entry("analysis", kind))
    for kind, attributes in (("unit", ("unit_words",)), ("verb", ("verbs", "group_verbs"))):
        owners: dict[str, list[str]] = defaultdict(list)
        for metric in model.metrics:
            for surface in dict.fromkeys(w for attribute in attributes for w in getattr(metric, attribute)):
                owners[surface].append(metric.id)
        for surface, metric_ids in owners.items():
            lexicon.add(surface, Entry(kind, targets=tuple(metric_ids)))
    for dimension in model.dimensions:
        for surface in (dimension.label.zh, dimension.label.en, *dimension.synonyms):
            lexicon.add(surface, Entry("dimension", dimension.id), plural=True)
        for surface in dimension.kind_of:
            lexicon.add(surface, Entry("kind_of", dimension.id), plural=True)
    for dimension in model.dimensions:  # the model's order is the order of preference of a value's meanings
        for value in values.get(dimension.id, []):
            if len(value) == 1 and value.isascii():  # 'A' of a test's variants is the article too: named by synonyms
                continue
            lexicon.add(value, Entry("value", dimension.id, value), plural=True)
        for surface, value in dimension.value_synonyms.items():
            lexicon.add(surface, Entry("value", dimension.id, value), plural=True)
            for other in model.dimensions:  # 'Douyin' is 抖音 as a register channel too
                if other.id != dimension.id and value in values.get(other.id, []):
                    lexicon.add(surface, Entry("value", other.id, value), plural=True)
        for name, members in dimension.named_sets.items():
            lexicon.add(name, Entry("set", dimension.id, name, values=tuple(members)))
        for surface, part in dimension.name_parts.items():
            lexicon.add(surface, Entry("name_part", dimension.id, part), plural=True)
    for surface in model.neutral_words:
        lexicon.add(surface, Entry("neutral"), plural=True)
    for surface, entry in glossary:
        lexicon.add(surface, entry)
    for table, kind in ((words.GRAIN, "grain"), (words.CHART, "chart"), (words.WHICH_TIME, "which_time")):
        for surface, target in table.items():
            lexicon.add(surface, Entry(kind, target))
    for surfaces, kind, target in _ROLES:
        for surface in surfaces:
            lexicon.add(surface, Entry(kind, target))
    return lexicon
