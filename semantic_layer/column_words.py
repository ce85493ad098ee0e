"""Table and column names read as words (``definitions/column_words.yaml``): a first guess of a
column's Chinese and English label, the things a table counts, and what a name says about its
column (money, a count, a code, a time that is not when the row happened)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

WORDS_FILE = Path(__file__).parent / "definitions" / "column_words.yaml"


@dataclass(frozen=True)
class Label:
    zh: str
    en: str
    known: bool  # every word of the name has a Chinese word


@dataclass(frozen=True)
class ColumnWords:
    words: dict[str, str]
    money_words: frozenset[str]
    count_words: frozenset[str]
    table_prefixes: frozenset[str]
    code_words: frozenset[str]
    not_event_time_words: frozenset[str]

    def tokens(self, name: str) -> list[str]:
        return [t for t in re.split(r"[^a-z0-9]+", name.lower()) if t]

    def _word(self, token: str) -> str | None:
        for form in (token, *singular_forms(token)):
            if form in self.words:
                return self.words[form]
        return None

    def label(self, name: str) -> Label:
        """A name's label: its words in Chinese when all are known, else the name itself.

        >>> words = load_column_words()
        >>> words.label("channel_name"), words.label("booking_value").zh, words.label("referrer_id").zh
        (Label(zh='渠道', en='channel', known=True), '预订金额', 'referrer_id')
        """
        tokens = self.tokens(name)
        meaning = [t for t in tokens if self._word(t) != ""] or tokens
        zh = [self._word(t) for t in meaning]
        en = " ".join(meaning) or name
        if all(zh):
            return Label("".join(zh), en, True)  # type: ignore[arg-type]
        return Label(name, en, False)

    def subject(self, table: str) -> list[str]:
        """The words of what a table's rows are, its naming convention's prefix left out.

        >>> load_column_words().subject("fct_bookings"), load_column_words().subject("order_items")
        (['bookings'], ['order', 'items'])
        """
        tokens = self.tokens(table)
        while len(tokens) > 1 and tokens[0] in self.table_prefixes:
            tokens = tokens[1:]
        return tokens

    def singular(self, token: str) -> str:
        """A word's singular: the listed word it is the plural of, else the word less its 's'.

        >>> load_column_words().singular("companies"), load_column_words().singular("spines")
        ('company', 'spine')
        """
        forms = singular_forms(token)
        return next((f for f in forms if f in self.words), forms[-1] if forms and not token.endswith("ss") else token)

    def says(self, name: str, kind: str) -> bool:
        """Whether a word of ``name`` is one of the words of ``kind`` (money, count, code, not_event_time)."""
        listed = getattr(self, f"{kind}_words")
        return any(t in listed or any(f in listed for f in singular_forms(t)) for t in self.tokens(name))


def singular_forms(token: str) -> list[str]:
    """What a plural English word may be the plural of.

    >>> singular_forms("bookings"), singular_forms("companies"), singular_forms("status")
    (['booking'], ['company', 'compani', 'companie'], ['statu'])
    """
    forms = []
    if token.endswith("ies"):
        forms.append(token[:-3] + "y")
    if token.endswith("es"):
        forms.append(token[:-2])
    if token.endswith("s"):
        forms.append(token[:-1])
    return forms


@cache
def load_column_words(path: Path = WORDS_FILE) -> ColumnWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ColumnWords({str(k): str(v) for k, v in data["words"].items()},
                       *(frozenset(data[key]) for key in ("money_words", "count_words", "table_prefixes",
                                                          "code_words", "not_event_time_words")))
