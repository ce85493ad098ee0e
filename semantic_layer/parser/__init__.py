"""The embedded bilingual parser: question -> SemanticQuery parts, or the reason it must ask back."""

from __future__ import annotations

import datetime as dt
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

    def parse(self, question: str, today: dt.date) -> ParseOutcome:
        reading = self.reader.read(question, today)
        parts = read_parts(reading, self.model)
        problem = "unknown_words" if reading.unknown else None if parts.metrics else "no_metric"
        return ParseOutcome(reading, parts, problem)
