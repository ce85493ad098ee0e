"""The embedded bilingual parser: question -> SemanticQuery parts, with an account of every word,
or the reasons it must ask back."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from semantic_layer.model import SemanticModel
from semantic_layer.parser.analyses import shape_analysis
from semantic_layer.parser.compose import Parts
from semantic_layer.parser.grammar import Problem, Understanding, understand
from semantic_layer.parser.intent import WriteDetector
from semantic_layer.parser.lexicon import Entry, build_lexicon
from semantic_layer.parser.read import QuestionReader, Reading


@dataclass(frozen=True)
class ParseOutcome:
    reading: Reading
    understanding: Understanding
    write: bool  # a request to change data

    @property
    def parts(self) -> Parts:
        return self.understanding.parts

    @property
    def problems(self) -> list[Problem]:
        return self.understanding.problems


class QuestionParser:
    def __init__(self, model: SemanticModel, values: dict[str, list[str]],
                 glossary: list[tuple[str, Entry]] = ()) -> None:
        self.model = model
        self.values = values
        self.reader = QuestionReader(build_lexicon(model, values, glossary), model, values)
        self.writes = WriteDetector([t.name for t in model.tables] + [t.name.rstrip("s") for t in model.tables])

    def closest_terms(self, words: list[str], language: str, hidden: frozenset[str] = frozenset()) -> list[str]:
        """Catalog names closest to words the parser could not place ("did you mean"), never a
        hidden metric's."""
        names = [m.name.pick(language) for m in self.model.metrics if m.id not in hidden] + \
                [d.label.pick(language) for d in self.model.dimensions]
        found: list[str] = []
        for word in words:
            found += difflib.get_close_matches(word, names, n=3, cutoff=0.5)
            found += [n for n in names if word and not word.isascii() and word in n][:3]
        return list(dict.fromkeys(found))[:3]

    def parse(self, question: str, today: dt.date, previous: Parts | None = None) -> ParseOutcome:
        """``previous``: the conversation's last parts, when the question may be a follow-up."""
        reading = self.reader.read(question, today)
        understanding = understand(reading, self.model, previous)
        shape_analysis(understanding, self.model, self.values, reading)
        return ParseOutcome(reading, understanding, self.writes.is_write_request(reading))
