"""The embedded bilingual parser: question -> SemanticQuery parts, or the reason it must ask back."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from semantic_layer.model import SemanticModel
from semantic_layer.parser.compose import Parts, read_parts
from semantic_layer.parser.lexicon import Entry, build_lexicon
from semantic_layer.parser.read import QuestionReader, Reading


@dataclass(frozen=True)
class ParseOutcome:
    reading: Reading
    parts: Parts
    problem: str | None  # None, "no_metric" or "unknown_words"


class QuestionParser:
    def __init__(self, model: SemanticModel, values: dict[str, list[str]],
                 glossary: list[tuple[str, Entry]] = ()) -> None:
        self.model = model
        self.reader = QuestionReader(build_lexicon(model, values, glossary))

    def closest_terms(self, words: list[str], language: str) -> list[str]:
        """Catalog names closest to words the parser could not place ("did you mean")."""
        names = [m.name.pick(language) for m in self.model.metrics] + \
                [d.label.pick(language) for d in self.model.dimensions]
        found: list[str] = []
        for word in words:
            found += difflib.get_close_matches(word, names, n=3, cutoff=0.3)
            found += [n for n in names if any(ch in n for ch in word if not ch.isascii())][:3]
        return list(dict.fromkeys(found))[:3]

    def parse(self, question: str, today: dt.date) -> ParseOutcome:
        reading = self.reader.read(question, today)
        parts = read_parts(reading, self.model)
        problem = "unknown_words" if reading.unknown else None if parts.metrics else "no_metric"
        return ParseOutcome(reading, parts, problem)
