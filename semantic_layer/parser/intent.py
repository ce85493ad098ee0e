"""Requests to change data ("删除所有订单", "把上个月的GMV改成100万", "DROP TABLE orders", "update the GMV
for 天猫 to 1.2M"): the service only reads, so these are refused, never answered with a number.
A verb that only deletes or writes is enough; a verb that may also edit the question ('改成上个月',
'remove the filter') is a write when it sets a number, follows 把, or names stored records."""

from __future__ import annotations

import re

from semantic_layer.parser import words
from semantic_layer.parser.read import Reading



def _words(items) -> re.Pattern:
    """English words stand alone ('set' is not in 'asset'); Chinese words may touch anything."""
    ordered = sorted(items, key=len, reverse=True)
    english = "|".join(re.escape(w) for w in ordered if w.isascii())
    chinese = "|".join(re.escape(w) for w in ordered if not w.isascii())
    return re.compile("|".join(p for p in (rf"(?<![a-z])(?:{english})(?![a-z])" if english else "",
                                           f"(?:{chinese})" if chinese else "") if p))


_STRONG = ("删除", "删掉", "删了", "删去", "删一下", "清空", "清除", "清掉", "清理掉", "插入", "新增一条", "添加一条",
           "加一条", "录入", "写入", "篡改", "作废", "delete", "truncate", "insert", "wipe", "erase", "purge",
           "upsert", "overwrite", "drop table", "alter table", "drop the table", "add a row", "add an order",
           "add a record")
_CHANGE = tuple(w for w in words.WRITE if w not in _STRONG)
_STRONG_RE = _words(_STRONG)
_CHANGE_RE = _words(_CHANGE)
_OBJECT_RE = _words(words.WRITE_OBJECTS)
_SETS_A_NUMBER = re.compile(r"(?:^|成|为|到|to|=|as)\s*[-+]?\d")
_EDITS_THE_QUESTION = _words(words.REMOVE_TIME + words.REMOVE_FILTER)


def is_write_request(reading: Reading) -> bool:
    text = reading.text
    if reading.write:
        return True
    if _EDITS_THE_QUESTION.search(text):
        return False
    if _STRONG_RE.search(text):
        return True
    change = _CHANGE_RE.search(text)
    if not change:
        return False
    after = text[change.end():]
    if _names_a_query_part(reading, change.end()):
        return False
    return bool(_SETS_A_NUMBER.search(after) or "把" in text[:change.start()] or _OBJECT_RE.search(after))


def _names_a_query_part(reading: Reading, position: int) -> bool:
    """'改成上个月', 'change to pie chart', '换成gmv': the change edits the question."""
    following = [m for m in reading.mentions if m.start >= position]
    times = [t for t in reading.times if t.start >= position]
    return bool(times) or (bool(following) and following[0].has("metric", "chart", "grain", "dimension"))
