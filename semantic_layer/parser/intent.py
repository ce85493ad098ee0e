"""Requests to change data ("删除所有订单", "把上个月的GMV改成100万", "DROP TABLE orders", "update the GMV
for 天猫 to 1.2M", "订单123456的状态改一下"): the service only reads, so these are refused, never answered
with a number. A verb that only deletes or writes is enough; a verb that may also edit the question
('改成上个月', 'remove the filter') is a write when it sets a number, follows 把 with something that is
not part of a question, names a stored record ('客户10086', 'order 123456'), or has a stored thing as
its object (a table, records, the data, or one of the model's tables)."""

from __future__ import annotations

import re

from semantic_layer.parser import words
from semantic_layer.parser.read import Reading

_CHANGE = tuple(w for w in words.WRITE if w not in words.WRITE_ONLY) + ("取消", "add", "改到", "改", "修复", "填")
# giving something to people ('给所有重要挽留客户每人发一张券', 'send every 金卡 member a coupon')
_HANDS_OUT = re.compile(r"(?:每人|每个人|各)?(?:发|送|派|赠送|补发)\s*(?:一|两|\d+)\s*(?:张|个|份|批|条)|"
                        r"(?<![a-z])(?:send|give|issue)\s+(?:every|each|all|them|those|these)\b|"
                        r"(?:打|贴|加)(?:个|上|一个)?\s*\S{0,10}?标签|(?<![a-z])tag\s+(?:them|those|these|all|every)\b")
# a verb that is also a word of the model ('set' is a product category) is a verb before what it acts on
_ACTS_ON = re.compile(r"\s+(?:every|all|the|these|those|each|any|our|its|them|it)\b")
# pieces of a question that a change verb may be editing ('改成上个月', '换成饼图', 'change to GMV')
_QUERY_PARTS = ("metric", "dimension", "grain", "chart", "value", "set", "compare_to", "which_time")


def _words(items) -> re.Pattern:
    """English words stand alone ('set' is not in 'asset'); Chinese words may touch anything."""
    ordered = sorted(set(items), key=len, reverse=True)
    english = "|".join(re.escape(w) for w in ordered if w.isascii())
    chinese = "|".join(re.escape(w) for w in ordered if not w.isascii())
    return re.compile("|".join(p for p in (rf"(?<![a-z])(?:{english})(?![a-z])" if english else "",
                                           f"(?:{chinese})" if chinese else "") if p))


_STRONG_RE = _words(words.WRITE_ONLY)
_SETS_TO_RE = _words(words.WRITE_SETS_TO)
_CHANGE_RE = _words(_CHANGE)
_SETS_A_NUMBER = re.compile(r"^\s*(?:成|为|到|to|=|as|back to)?\s*[-+]?\d")
# '... to 1.2M', '... to 100万': an amount as what the thing becomes (a year, 'to 2024', edits the question)
_TO_AN_AMOUNT = re.compile(r"\s(?:to|as|=)\s*[-+]?(?!(?:19|20)\d\d(?![\d.]))\d[\d,.]*")
_EDITS_THE_QUESTION = _words(words.REMOVE_TIME + words.REMOVE_FILTER)
_RECORD = re.compile(r"(?:id|号|no\.?|#)\s*[:：]?\s*\d{3,}|[a-z\u4e00-\u9fff]\s*\d{4,}")
_TO_A_VALUE = re.compile(r"\s(?:to|as|into)\s")
_DETERMINER = r"(?:all|the|these|those|every|any|our|its)\s+(?:[a-z]+\s+){0,3}"
_OPENERS = r"(?:(?:" + "|".join(re.escape(w) for w in sorted(words.COMMAND_OPENERS, key=len, reverse=True)) + r")\s*)*"
_COMMAND = re.compile(r"^\s*" + _OPENERS + r"(?:" + "|".join(
    re.escape(w) for w in sorted(words.WRITE_COMMANDS, key=len, reverse=True)) + r")(?![a-z])")
_QUESTION = _words(words.QUESTION_MARKS)
_SENDS = _words(words.SENDS)
_SEND_TO = _words(words.SEND_TO)


class WriteDetector:
    """Knows the model's tables, the stored things a change verb may name."""

    def __init__(self, tables: list[str]) -> None:
        objects = list(words.WRITE_OBJECTS) + tables
        self.objects = _words(objects)
        # 'set all refunded orders', 'drop the reviews table': a stored thing, with its determiner
        self.english_object = re.compile(_DETERMINER + r"(?:" + "|".join(
            re.escape(o) for o in sorted(objects, key=len, reverse=True) if o.isascii()) + r")(?![a-z])")

    def is_write_request(self, reading: Reading) -> bool:
        text = reading.text
        if reading.write:
            return True
        if _EDITS_THE_QUESTION.search(text):
            return False
        strong = [m for m in _verbs(_STRONG_RE, reading) if not self._adds_a_metric(reading, m)]
        if strong or _HANDS_OUT.search(text) or _commands(reading) or _sends(reading):
            return True
        for match in _verbs(_SETS_TO_RE, reading):
            following = [m for m in reading.mentions if m.start >= match.end() and not m.has("filler")]
            if _SETS_A_NUMBER.search(text[match.end():]) or following and following[0].start - match.end() <= 1 \
                    and following[0].has("value", "set"):
                return True
        change = next(iter(_verbs(_CHANGE_RE, reading)), None)
        if not change:
            return False
        after = text[change.end():]
        if _SETS_A_NUMBER.search(after) or _TO_AN_AMOUNT.search(after) or _RECORD.search(_without_times(reading)):
            return True
        if self.english_object.search(after) or _TO_A_VALUE.search(after) and _sets_a_value(reading, change.end()):
            return True
        if "把" in text[:change.start()]:
            inside = text[text.index("把") + 1:change.start()]
            return bool(self.objects.search(inside)) or _attribute_of(reading, text.index("把") + 1, change.start()) \
                or not _only_query_parts(reading, text.index("把") + 1, change.start())
        return bool(self.objects.search(text)) and not _edits_a_query_part(reading, change.end())

    def _adds_a_metric(self, reading: Reading, verb: re.Match) -> bool:
        """'再加一个订单数': a metric added to the question, not a record ('加一个订单') to the data."""
        following = [m for m in reading.mentions if m.start >= verb.end() and not m.has("filler")]
        return verb.group(0) in words.ALSO and bool(following) and following[0].start - verb.end() <= 1 and \
            bool(following[0].first("metric")) and not self.objects.fullmatch(following[0].text)


def _without_times(reading: Reading) -> str:
    """The text with its periods blanked: 'March 2025' is a month, not record no. 2025."""
    text = reading.text
    for match in reading.times:
        text = text[:match.start] + " " * (match.end - match.start) + text[match.end:]
    return text


def _verbs(pattern: re.Pattern, reading: Reading) -> list[re.Match]:
    """Matches of a verb that are verbs here: not inside a word of the model ('取消的订单' is a status)
    and not passive or done ('被取消', '已取消')."""
    named = [m for m in reading.mentions if m.has("value", "set", "metric", "dimension", "name_part")]
    return [match for match in pattern.finditer(reading.text)
            if (not any(m.start <= match.start() and match.end() <= m.end for m in named)
                or _ACTS_ON.match(reading.text, match.end()))
            and not reading.text[:match.start()].endswith(("被", "已", "已经"))]


def _sets_a_value(reading: Reading, position: int) -> bool:
    """'fix them to paid', 'set their status to 已退款': the verb's object is something stored, and
    what it becomes a value ('change it to 天猫' edits the question)."""
    between = reading.text[position:].split(" to ", 1)[0].split()
    target = [m for m in reading.mentions if m.start > position and m.has("value")]
    return bool(target) and bool(between) and not ({"it", "that", "this"} & set(between)) and not any(
        m.has(*_QUERY_PARTS) for m in reading.mentions if position <= m.start < target[0].start)


def _edits_a_query_part(reading: Reading, position: int) -> bool:
    """'改成上个月', 'change to pie chart', '换成gmv': what follows the verb is part of a question."""
    following = [(m.start, m.has(*_QUERY_PARTS)) for m in reading.mentions
                 if m.start >= position and not m.has("filler")]
    following += [(t.start, True) for t in reading.times if t.start >= position]
    return bool(following) and min(following)[1]


def _only_query_parts(reading: Reading, start: int, end: int) -> bool:
    """'把时间改成上个月', '把图换成饼图': the thing after 把 is a part of the question, not stored data."""
    inside = _words_between(reading, start, end)
    unknown = [s for s, e in reading.unknown_spans if start <= s < end]
    return bool(inside) and not unknown and all(m.has(*_QUERY_PARTS) for m in inside)


def _commands(reading: Reading) -> bool:
    """'取消上个月所有待付款订单', 'close the 618 campaign': a question that opens with a command on stored
    things and asks nothing."""
    match = _COMMAND.match(reading.text)
    return bool(match) and not _QUESTION.search(reading.text) and not reading.text[match.end():].startswith("的") and (_ACTS_ON.match(reading.text, match.end()) or not any(
        m.start <= match.end() - 1 < m.end and m.has("value", "set", "metric", "dimension") for m in reading.mentions))


def _sends(reading: Reading) -> bool:
    """'给沉睡客户发券', 'send a coupon to every 金卡 member': sending something to people."""
    send = next(iter(_verbs(_SENDS, reading)), None)  # not inside a metric's name ('发券数')
    return bool(send) and (bool(_SEND_TO.search(reading.text[:send.start()])) or send.group().isascii())


def _attribute_of(reading: Reading, start: int, end: int) -> bool:
    """'把抖音的渠道类型改成线下': a value's own attribute is stored data, not a part of the question."""
    inside = _words_between(reading, start, end)
    return any(first.has("value") and second.has("dimension") and reading.text[first.end:second.start].strip() == "的"
               for first, second in zip(inside, inside[1:]))


def _words_between(reading: Reading, start: int, end: int) -> list:
    """The mentions inside [start, end), fillers left out."""
    return [m for m in reading.mentions if start <= m.start and m.end <= end and not m.has("filler")]

