"""Question text -> the form the parser reads: NFKC (full-width to half-width), case folded, quotes
and brackets around a term dropped, common abbreviations spelled out, runs of whitespace
collapsed; plus the question's language and the key used to compare names."""

from __future__ import annotations

import re
import unicodedata

from semantic_layer.parser.words import ABBREVIATIONS

_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"\s+")
# quotes and brackets mark a term; they are not part of it ('初抗老', 「精华」, “天猫”, 【面霜】)
_QUOTES = re.compile(r"[\"“”‘’「」『』【】《》〈〉()\[\]{}（）]|(?<![a-z])'|'(?![a-z])")
_ABBREVIATION = re.compile(r"(?<![a-z])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
                           + r")(?![a-z])")
_BETWEEN_CHINESE = re.compile(r"(?<=[\u3400-\u9fff]) +(?=[\u3400-\u9fff])")
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")  # 'year-over-year', 'black-gold': the same as with spaces
_POSSESSIVE = re.compile(r"(?<=[a-z\u3400-\u9fff])'s(?![a-z])")  # "douyin's roi", "抖音's ROI": "douyin roi"
_CONTRACTION = re.compile(r"(?<=[a-z])'(ve|re|ll|d)(?![a-z])")  # "who've bought" is "who have bought"
_CONTRACTED = {"ve": " have", "re": " are", "ll": " will", "d": " had"}
_NAME_NOISE = re.compile(r"[\s\-_/·•,.，。:：'\"()（）\[\]【】「」“”]+")
_YEAR_MARK = re.compile(r"(?<=\d)年")
# '10,000 orders': a thousands separator (an ASCII comma between digits, three after it), not a pause
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# 'orders with and without a coupon': each preposition with the words after it
_WITH_AND_WITHOUT = re.compile(r"\b(with|without) (?:and|or) (with|without) ((?:an? |the |any )?[a-z]+)")


def normalize_text(text: str) -> str:
    """Full-width to half-width, case folded, quotes dropped, abbreviations spelled out; spaces
    between Chinese characters mean nothing, and a question typed with a space after every
    character is read without them.

    >>> normalize_text("  ＴＯＰ３　「精华」 avg 'rating' ")
    'top3 精华 average rating'
    >>> normalize_text("上 个 月 的 g m v"), normalize_text("江浙沪 上个月 gmv")
    ('上个月的gmv', '江浙沪上个月 gmv')
    >>> normalize_text("Orders with and without a coupon")
    'orders with a coupon and without a coupon'
    >>> normalize_text("more than 10,000 orders, 3,500 each"), normalize_text("前3，500以上")
    ('more than 10000 orders, 3500 each', '前3,500以上')
    """
    text = unicodedata.normalize("NFKC", _THOUSANDS.sub("", text)).casefold()
    text = _HYPHEN.sub(" ", _CONTRACTION.sub(lambda m: _CONTRACTED[m.group(1)], _POSSESSIVE.sub("", text)))
    text = _QUOTES.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    tokens = text.split(" ")
    if len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) >= 0.6 * len(tokens):
        text = "".join(tokens)
    text = _BETWEEN_CHINESE.sub("", text)
    text = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    text = _WITH_AND_WITHOUT.sub(lambda m: f"{m[1]} {m[3]} and {m[2]} {m[3]}", text)
    return _SPACES.sub(" ", text).strip()


def name_key(text: str) -> str:
    """A name as compared with a part of it: no spaces or separators, no 年 after a year.

    >>> name_key("2024年双11预热-天猫"), name_key("2024 双11预热")
    ('2024双11预热天猫', '2024双11预热')
    """
    return _YEAR_MARK.sub("", _NAME_NOISE.sub("", unicodedata.normalize("NFKC", text).casefold()))


def question_language(text: str) -> str:
    """'zh' when the question has any Chinese character, else 'en'."""
    return "zh" if _CJK.search(text) else "en"


def is_ascii_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def is_ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()
