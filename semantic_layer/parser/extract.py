"""Pattern-shaped parts of a question found before the vocabulary scan: ranking sizes
(TOP3, 前5, 3个, bottom 3) and thresholds (超过10万, more than 50k, 以下 5%)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from semantic_layer.parser import cues
from semantic_layer.timeexpr import NUMBER, to_number

_AMOUNT = r"(?P<amount>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*(?P<unit>万|w|亿|千|k|百万|m|million|thousand|%|％)?"
_UNITS = {"万": 1e4, "w": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "百万": 1e6, "m": 1e6, "million": 1e6,
          "thousand": 1e3, "%": 0.01, "％": 0.01}


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
    return number * _UNITS.get((unit or "").lower(), 1.0)


_RANK_PATTERNS = (
    (re.compile(r"(?<![a-z])top\s*-?\s*(?P<n>\d+|" + NUMBER + r")(?![a-z0-9])"), None),
    (re.compile(r"(?<![a-z])bottom\s*-?\s*(?P<n>\d+|" + NUMBER + r")(?![a-z0-9])"), True),
    (re.compile(r"(?:排名|排行)?前\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?:名|个|位|款|大|家|条|种|强)?"), None),
    (re.compile(r"(?:排名|排行)?(?:后|倒数)\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?:名|个|位|款|家|条|种)?"), True),
    (re.compile(r"(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?:个|款|家|名|位|种|条|大)(?=[^，,。]*?(?:产品|商品|单品|城市|省|渠道|品类|"
                r"类目|活动|人群|客群|群体|客户|等级|年龄段|地区|大区|sku))"), None),
    (re.compile(r"\b(?:the\s+)?(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+"
                r"(?=(?:best|top|worst|highest|lowest|most|least|biggest|largest|smallest)\b)"), None),
    (re.compile(r"\b(?:best|top|worst|highest|lowest|most|least|biggest|largest|smallest)\s+"
                r"(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\b"), None),
)


def find_rank_sizes(text: str, blocked: list[bool]) -> list[RankSize]:
    found: list[RankSize] = []
    for pattern, ascending in _RANK_PATTERNS:
        for match in pattern.finditer(text):
            if any(blocked[match.start():match.end()]) or any(f.start < match.end() and match.start() < f.end
                                                              for f in found):
                continue
            count = to_number(match["n"])
            if 0 < count <= 1000:
                found.append(RankSize(match.start(), match.end(), count, ascending))
    return found


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_THRESHOLD_BEFORE = re.compile(r"(?P<op>" + _alternation(cues.GREATER + cues.LESS) + r")\s*[:：]?\s*" + _AMOUNT)
_THRESHOLD_AFTER = re.compile(_AMOUNT + r"\s*(?:元|块|单|件|人|个)?\s*(?P<op>以上|以下|及以上|及以下|or more|or less|\+)")


def find_thresholds(text: str, blocked: list[bool]) -> list[Threshold]:
    found: list[Threshold] = []
    for pattern in (_THRESHOLD_BEFORE, _THRESHOLD_AFTER):
        for match in pattern.finditer(text):
            if any(blocked[match.start():match.end()]):
                continue
            word = match["op"]
            greater = word in cues.GREATER or word in ("以上", "及以上", "or more", "+")
            inclusive = word in cues.INCLUSIVE or word.startswith("及") or word.startswith("or")
            op = (">=" if inclusive else ">") if greater else ("<=" if inclusive else "<")
            found.append(Threshold(match.start(), match.end(), op, amount_value(match["amount"], match["unit"])))
    return found
