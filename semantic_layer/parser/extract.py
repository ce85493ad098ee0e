"""Pattern-shaped parts of a question found before the vocabulary scan: ranking sizes (TOP3, 前5,
3个产品, bottom 3), thresholds (超过10万, more than 50k, 以下 5%) and counts of members that only
describe ('each of the 8 RFM segments'). The nouns a count may
precede ('3个产品') and the units an amount may carry ('1000元') are the model's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from semantic_layer.parser import words
from semantic_layer.timeexpr import NUMBER, to_number

_AMOUNT = (r"(?P<currency>[¥￥])?\s*(?P<amount>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*(?P<unit>"
           + "|".join(re.escape(u) for u in sorted(words.AMOUNT_UNITS, key=len, reverse=True)) + r")?(?![a-z])")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class RankSize(Span):
    count: int
    ascending: bool | None  # None: the direction comes from other words


@dataclass(frozen=True)
class Threshold(Span):
    op: str
    value: float
    word: str = ""  # the unit word inside it ('3次以上': 次; '¥500': the money word 元)


@dataclass(frozen=True)
class BandLimit(Span):
    """'30岁及以上', 'under 25 years old', '25到29岁': limits on what a banded dimension measures."""

    dimension: str
    low: float | None  # at least
    high: float | None  # below


def amount_value(amount: str, unit: str | None) -> float:
    """A written amount with its unit as a number.

    >>> amount_value("10", "万"), amount_value("1.5", "k"), amount_value("5", "%"), amount_value("十", None)
    (100000.0, 1500.0, 0.05, 10.0)
    """
    number = float(amount) if amount[:1].isdigit() else float(to_number(amount)) if amount else 1.0
    return number * words.AMOUNT_UNITS.get((unit or "").lower(), 1.0)


def _alternation(items) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


_SUPERLATIVES = r"(?:best|top|worst|highest|lowest|most|least|biggest|largest|smallest)"
_COUNT = r"(?P<n>\d+|[一二两三四五六七八九十]+)"


class Extractor:
    """Finds rank sizes and thresholds; ``nouns`` are the model's dimension words, ``units`` the
    words an amount may carry (元, 单, 件)."""

    def __init__(self, nouns: list[str], units: list[str], band_units: dict[str, str] | None = None,
                 verbs: list[str] | tuple = ()) -> None:
        self.band_units = band_units or {}
        words_ = _alternation(self.band_units) if self.band_units else "(?!)"
        above, below = r"及以上|或以上|以上|and over|or older|or above|and up|\+", r"及以下|或以下|以下|以内|or younger|and under"
        # words that say an age on their own ('40 and older'), when one banded dimension measures age
        self.ageless = next(iter(set(self.band_units.values()))) if len(set(self.band_units.values())) == 1 else None
        self.band_patterns = (
            re.compile(r"(?P<n>\d{1,3})\s*(?:到|至|~|-|to)\s*(?P<m>\d{1,3})\s*(?P<unit>" + words_ + r")"),
            re.compile(r"(?P<n>\d{1,3})\s*(?P<unit>" + words_ + r")\s*(?:(?P<up>" + above + r")|(?P<down>" + below
                       + r"))"),
            re.compile(r"(?:(?P<up>over|above|older than|at least|超过|大于|满)|(?P<down>under|below|younger than|"
                       r"不到|未满|小于|低于))\s*(?P<n>\d{1,3})\s*(?P<unit>" + words_ + r")"),
            re.compile(r"(?<![\d.])(?P<n>\d{1,3})\s+(?:(?P<up>and older|or older)|(?P<down>and younger|or younger))"
                       if self.ageless else "(?!)"),
        )
        counters = _alternation(words.RANK_COUNTERS)
        self.rank_patterns = (
            (re.compile(r"(?<![a-z])top\s*-?\s*(?P<n>\d+|" + NUMBER + r")(?![a-z0-9])"), None),
            (re.compile(r"(?<![a-z])bottom\s*-?\s*(?P<n>\d+|" + NUMBER + r")(?![a-z0-9])"), True),
            (re.compile(r"(?:排名|排行)?前\s*" + _COUNT + r"\s*(?:" + counters + r")?"), None),
            (re.compile(r"(?:排名|排行)?(?:后|倒数)\s*" + _COUNT + r"\s*(?:" + counters + r")?"), True),
            # '3个产品'; not '那两个渠道' (the two named before)
            (re.compile(r"(?<![那这])" + _COUNT + r"\s*(?:" + counters + r")(?=[^，,。]*?(?:" + _alternation(nouns)
                        + "))"), None),
            # '最高的3个', '最少的两款', '卖得最好的3款': the superlative stays a word of its own
            (re.compile(r"(?P<lead>(?:" + _alternation(w for w in words.SUPERLATIVE_DESC + words.SUPERLATIVE_ASC +
                                                       words.POPULAR + words.POPULAR_LEAST
                                                       if not w.isascii()) + r")的?)\s*" + _COUNT + r"\s*(?:"
                        + counters + r")"), None),
            # 'which 3 products moved the most units'
            (re.compile(r"(?<![a-z])(?:which|what)\s+(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)"
                        r"(?=\s+[a-z\u4e00-\u9fff])"), None),
            (re.compile(r"\b(?:the\s+)?(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?="
                        + _SUPERLATIVES + r"\b)"), None),
            # 'the 5 categories with the highest margin'
            (re.compile(r"\bthe\s+(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?=[a-z\u4e00-\u9fff]+"
                        r"(?:\s+[a-z]+)?\s+(?:with|by)\s+the\s+" + _SUPERLATIVES + r"\b)"), None),
            (re.compile(r"\b" + _SUPERLATIVES + r"\s+(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\b"),
             None),
        )
        # 'each of the 8 RFM segments', '所有5个渠道': how many members there are, not a top N
        self.member_count = re.compile(
            r"(?:(?<![a-z])(?:each of|all|all of|every one of|for all)\s+(?:the\s+|our\s+)?(?P<en>\d+|" + NUMBER
            + r")\s+(?=(?:\S+\s+){0,2}(?:" + _alternation(nouns) + r"))|(?:所有|全部|这些|那些)\s*"
            r"(?P<zh>\d+|[一二两三四五六七八九十]+)\s*(?:" + counters + r")\s*(?=" + _alternation(nouns) + ")"
            # '去年12月到今年2月这三个月': the period again
            r"|(?<=[月天周年度])\s*[这那]\s*(?:\d+|[一二两三四五六七八九十]+)\s*个?(?:月|天|周|季度|年)(?:里|内|中)?)")
        unit_words = _alternation(units) if units else "(?!)"
        self.threshold_patterns = (
            # '客单价过千', '过10万': more than a round amount
            re.compile(r"(?<![超不])(?P<op>过)\s*(?P<amount>\d+(?:\.\d+)?|[一二两三四五六七八九十]*)\s*(?P<unit>千|万|百万|亿|w|k)(?![a-z])"),
            # the unit after the amount stays a word of its own: it may say which metric ('超过100单')
            # a verb may stand between the comparison and the amount ('至少下过5单')
            re.compile(r"(?P<op>" + _alternation(words.GREATER + words.LESS) + r")\s*[:：]?\s*(?:"
                       + (_alternation(v for v in verbs if not v.isascii()) or "(?!)") + r")?\s*" + _AMOUNT),
            re.compile(_AMOUNT + r"\s*(?P<word>" + unit_words + r")?\s*(?P<op>及以上|及以下|以上|以下|or more|or less|\+)"),
        )

    def rank_sizes(self, text: str, blocked: list[bool]) -> list[RankSize]:
        found: list[RankSize] = []
        for pattern, ascending in self.rank_patterns:
            for match in pattern.finditer(text):
                if any(blocked[match.start():match.end()]) or any(f.start < match.end() and match.start() < f.end
                                                                  for f in found):
                    continue
                count = to_number(match["n"])
                start = match.end("lead") if "lead" in pattern.groupindex else match.start()
                if 0 < count <= 1000:
                    found.append(RankSize(start, match.end(), count, ascending))
        return found

    def band_limits(self, text: str, blocked: list[bool]) -> list[BandLimit]:
        found: list[BandLimit] = []
        for pattern in self.band_patterns:
            for match in pattern.finditer(text):
                if not any(blocked[match.start():match.end()]) and not any(
                        f.start < match.end() and match.start() < f.end for f in found):
                    groups = match.groupdict()
                    dimension = self.band_units[groups["unit"]] if groups.get("unit") else self.ageless
                    n = float(match["n"])
                    low, high = (n, float(groups["m"]) + 1) if groups.get("m") else (n, None) if groups.get("up") \
                        else (None, n)
                    found.append(BandLimit(match.start(), match.end(), dimension, low, high))
        return found

    def member_counts(self, text: str, blocked: list[bool]) -> list[Span]:
        return [Span(m.start(), m.end()) for m in self.member_count.finditer(text)
                if not any(blocked[m.start():m.end()])]

    def thresholds(self, text: str, blocked: list[bool]) -> list[Threshold]:
        found: list[Threshold] = []
        for pattern in self.threshold_patterns:
            for match in pattern.finditer(text):
                if any(blocked[match.start():match.end()]) or any(f.start < match.end() and match.start() < f.end
                                                                  for f in found):
                    continue
                word = match["op"]
                greater = word in words.GREATER or word in ("以上", "及以上", "or more", "+", "过")
                inclusive = word in words.INCLUSIVE or word.startswith("及") or word.startswith("or")
                op = (">=" if inclusive else ">") if greater else ("<=" if inclusive else "<")
                groups = match.groupdict()
                word = groups.get("word") or (words.CURRENCY if groups.get("currency") else "")
                found.append(Threshold(match.start(), match.end(), op, amount_value(match["amount"], match["unit"]),
                                       word or ""))
        return found
