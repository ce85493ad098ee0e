"""The parser's vocabulary: every surface form a question may use for a metric, a dimension, a
dimension value or a cue word, indexed for longest-match scanning. Built once from the model,
the warehouse's categorical values and the glossary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from semantic_layer.model import SemanticModel
from semantic_layer.parser import cues
from semantic_layer.parser.normalize import is_ascii_word_char, normalize_text

# When a value belongs to several dimensions (上海: city and province; 天猫: channel and register
# channel), the first dimension in this order wins.
VALUE_PRIORITY = ("channel", "city", "province", "region", "category", "product", "segment", "gender",
                  "occupation", "member_level", "channel_type", "campaign_type", "coupon_type", "order_status",
                  "age_band", "rfm_segment", "campaign", "register_channel")


@dataclass(frozen=True)
class Entry:
    kind: str  # metric, dimension, value, grain, trend, rank_desc, rank_asc, popular, which_one, ...
    target: str = ""  # metric id, dimension id, grain, chart type
    value: str = ""  # the warehouse value, for kind == "value"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]

    def first(self, kind: str) -> Entry | None:
        return next((e for e in self.entries if e.kind == kind), None)


@dataclass
class Lexicon:
    forms: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    longest: int = 1

    def add(self, surface: str, entry: Entry) -> None:
        form = normalize_text(surface)
        if not form:
            return
        if entry not in self.forms[form]:
            self.forms[form].append(entry)
        self.longest = max(self.longest, len(form))

    def scan(self, text: str, blocked: list[bool]) -> list[Mention]:
        """Longest matches first, then leftmost, over the unblocked characters of normalized text
        ('各年龄段' is 各 + 年龄段, not 各年 + 龄段); an ASCII form must stand as a whole word."""
        candidates: list[Mention] = []
        n = len(text)
        for i in range(n):
            if blocked[i] or text[i] == " ":
                continue
            for length in range(min(self.longest, n - i), 0, -1):
                piece = text[i:i + length]
                if piece in self.forms and not any(blocked[i:i + length]) and self._whole_word(text, i, i + length):
                    candidates.append(Mention(i, i + length, piece, tuple(self.forms[piece])))
                    break
        candidates.sort(key=lambda m: (m.start - m.end, m.start))
        chosen: list[Mention] = []
        taken = [False] * n
        for mention in candidates:
            if not any(taken[mention.start:mention.end]):
                chosen.append(mention)
                for i in range(mention.start, mention.end):
                    taken[i] = True
        return sorted(chosen, key=lambda m: m.start)

    @staticmethod
    def _whole_word(text: str, start: int, end: int) -> bool:
        if is_ascii_word_char(text[start]) and start > 0 and is_ascii_word_char(text[start - 1]):
            return False
        if is_ascii_word_char(text[end - 1]) and end < len(text) and is_ascii_word_char(text[end]):
            return False
        return True


def build_lexicon(model: SemanticModel, values: dict[str, list[str]],
                  glossary: list[tuple[str, Entry]] = ()) -> Lexicon:
    lexicon = Lexicon()
    for metric in model.metrics:
        for surface in (metric.id, metric.name.zh, metric.name.en, *metric.synonyms):
            lexicon.add(surface, Entry("metric", metric.id))
    for dimension in model.dimensions:
        for surface in (dimension.label.zh, dimension.label.en, *dimension.synonyms):
            lexicon.add(surface, Entry("dimension", dimension.id))
    priority = {d: i for i, d in enumerate(VALUE_PRIORITY)}
    for dimension in sorted(model.dimensions, key=lambda d: priority.get(d.id, len(priority))):
        for value in values.get(dimension.id, []):
            lexicon.add(value, Entry("value", dimension.id, value))
        for surface, value in dimension.value_synonyms.items():
            lexicon.add(surface, Entry("value", dimension.id, value))
    for surface, entry in glossary:
        lexicon.add(surface, entry)
    fixed = [(cues.GRAIN_WORDS, "grain"), (cues.CHART_WORDS, "chart")]
    for table, kind in fixed:
        for surface, target in table.items():
            lexicon.add(surface, Entry(kind, target))
    for words, kind in ((cues.TREND_WORDS, "trend"), (cues.RANK_DESC, "rank_desc"), (cues.RANK_ASC, "rank_asc"),
                        (cues.RANK_ORDER_ONLY, "rank_order"),
                        (cues.POPULAR_WORDS, "popular"), (cues.WHICH_ONE, "which_one"),
                        (cues.WHICH_MANY, "which_many"), (cues.PREVIOUS_PERIOD, "previous_period"),
                        (cues.SAME_PERIOD_LAST_YEAR, "same_period_last_year"),
                        (cues.PREVIOUS_MARKERS, "previous_marker"), (cues.COMPARE_WORDS, "compare"),
                        (cues.SHARE_WORDS, "share"), (cues.NEGATION_WORDS, "negation"),
                        (cues.TOTAL_WORDS, "total"), (cues.REMOVE_TIME_WORDS, "remove_time"),
                        (cues.REMOVE_FILTER_WORDS, "remove_filter"), (cues.FOLLOW_UP_WORDS, "follow_up")):
        for surface in words:
            lexicon.add(surface, Entry(kind))
    return lexicon
