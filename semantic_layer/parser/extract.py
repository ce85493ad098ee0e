"""Pattern-shaped parts of a question found before the vocabulary scan: ranking sizes (TOP3, 前5,
3个产品, bottom 3) and thresholds (超过10万, more than 50k, 以下 5%). The nouns a count may
precede ('3个产品') and the units an amount may carry ('1000元') are the model's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from semantic_layer.parser import words
from semantic_layer.timeexpr import NUMBER, to_number

_AMOUNT = (r"(?P<amount>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*(?P<unit>"
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


def amount_value(amount: str, unit: str | None) -> float:
    """A written amount with its unit as a number.

    >>> amount_value("10", "万"), amount_value("1.5", "k"), amount_value("5", "%"), amount_value("十", None)
    (100000.0, 1500.0, 0.05, 10.0)
    """
    number = float(amount) if amount[0].isdigit() else float(to_number(amount))
    return number * words.AMOUNT_UNITS.get((unit or "").lower(), 1.0)


def _alternation(items) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


_SUPERLATIVES = r"(?:best|top|worst|highest|lowest|most|least|biggest|largest|smallest)"
_COUNT = r"(?P<n>\d+|[一二两三四五六七八九十]+)"


class Extractor:
    """Finds rank sizes and thresholds; ``nouns`` are the model's dimension words, ``units`` the
    words an amount may carry (元, 单, 件)."""

    def __init__(self, nouns: list[str], units: list[str]) -> None:
        counters = _alternation(words.RANK_COUNTERS)
        self.rank_patterns = (
            (re.compile(r"(?<![a-z])top\s*-?\s*(?P<n>\d+|" + NUMBER + r")(?![a-z0-9])"), None),
            (re.compile(r"(?<![a-z])bottom\s*-?\s*(?P<n>\d+|" + NUMBER + r")(?![a-z0-9])"), True),
            (re.compile(r"(?:排名|排行)?前\s*" + _COUNT + r"\s*(?:" + counters + r")?"), None),
            (re.compile(r"(?:排名|排行)?(?:后|倒数)\s*" + _COUNT + r"\s*(?:" + counters + r")?"), True),
            (re.compile(_COUNT + r"\s*(?:" + counters + r")(?=[^，,。]*?(?:" + _alternation(nouns) + "))"), None),
            (re.compile(r"\b(?:the\s+)?(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?="
                        + _SUPERLATIVES + r"\b)"), None),
            (re.compile(r"\b" + _SUPERLATIVES + r"\s+(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\b"),
             None),
        )
        unit_words = _alternation(units) if units else "(?!)"
        self.threshold_patterns = (
            re.compile(r"(?P<op>" + _alternation(words.GREATER + words.LESS) + r")\s*[:：]?\s*" + _AMOUNT
                       + r"(?:\s*(?:" + unit_words + r"))?"),
            re.compile(_AMOUNT + r"\s*(?:" + unit_words + r")?\s*(?P<op>及以上|及以下|以上|以下|or more|or less|\+)"),
        )

    def rank_sizes(self, text: str, blocked: list[bool]) -> list[RankSize]:
        found: list[RankSize] = []
        for pattern, ascending in self.rank_patterns:
            for match in pattern.finditer(text):
                if any(blocked[match.start():match.end()]) or any(f.start < match.end() and match.start() < f.end
                                                                  for f in found):
                    continue
                count = to_number(match["n"])
                if 0 < count <= 1000:
                    found.append(RankSize(match.start(), match.end(), count, ascending))
        return found

    def thresholds(self, text: str, blocked: list[bool]) -> list[Threshold]:
        found: list[Threshold] = []
        for pattern in self.threshold_patterns:
            for match in pattern.finditer(text):
                if any(blocked[match.start():match.end()]) or any(f.start < match.end() and match.start() < f.end
                                                                  for f in found):
                    continue
                word = match["op"]
                greater = word in words.GREATER or word in ("以上", "及以上", "or more", "+")
                inclusive = word in words.INCLUSIVE or word.startswith("及") or word.startswith("or")
                op = (">=" if inclusive else ">") if greater else ("<=" if inclusive else "<")
                found.append(Threshold(match.start(), match.end(), op, amount_value(match["amount"], match["unit"])))
        return found
