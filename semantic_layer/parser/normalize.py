"""Question text -> the form the parser reads: NFKC (full-width to half-width), case folded,
runs of whitespace collapsed; plus the question's language."""

from __future__ import annotations

import re
import unicodedata

_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Full-width to half-width, case folded, spaces collapsed.

    >>> normalize_text("  ＴＯＰ３　产品 ")
    'top3 产品'
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def question_language(text: str) -> str:
    """'zh' when the question has any Chinese character, else 'en'."""
    return "zh" if _CJK.search(text) else "en"


def is_ascii_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")
