"""Question -> Reading: everything the question says, as typed parts (metrics, dimensions, values,
time, ranking, thresholds, comparison, chart, follow-up edits) plus the words it could not place.
``compose.py`` turns a Reading into a SemanticQuery."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
from dataclasses import dataclass, field

import jieba
import jieba.posseg

from semantic_layer.parser import cues
from semantic_layer.parser.extract import RankSize, Threshold, find_rank_sizes, find_thresholds
from semantic_layer.parser.lexicon import Lexicon, Mention
from semantic_layer.parser.normalize import normalize_text, question_language
from semantic_layer.timeexpr import TimeMatch, find_time_ranges

jieba.setLogLevel(logging.WARNING)

# POS tags of words that name things: an unplaced one means the parser missed something.
_CONTENT_TAGS = ("n", "nr", "ns", "nt", "nz", "nrt", "vn", "eng", "x", "an", "j", "l")
_ENGLISH_WORD = re.compile(r"[a-z][a-z'\-]*")
_PUNCTUATION = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class Correction:
    written: str
    understood: str


@dataclass
class Reading:
    text: str  # normalized question
    language: str
    mentions: list[Mention] = field(default_factory=list)
    times: list[TimeMatch] = field(default_factory=list)
    previous_marker: bool = False
    ranks: list[RankSize] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    def kinds(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.first(kind)]

    def has(self, kind: str) -> bool:
        return any(m.first(kind) for m in self.mentions)


class QuestionReader:
    """Reads questions with one lexicon; holds a jieba tokenizer that knows the lexicon's words."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        for form in lexicon.forms:
            if not form.isascii():
                self.tokenizer.add_word(form, freq=200_000, tag="nz")
        self.tagger = jieba.posseg.POSTokenizer(self.tokenizer)
        self._ascii_forms = [f for f in lexicon.forms if f.isascii() and len(f) >= 3]
        self._cjk_forms: dict[int, list[str]] = {}
        for form in lexicon.forms:
            if not form.isascii() and len(form) >= 3:
                self._cjk_forms.setdefault(len(form), []).append(form)

    def read(self, question: str, today: dt.date) -> Reading:
        text = normalize_text(question)
        reading = Reading(text, question_language(question))
        blocked = [False] * len(text)

        def block(start: int, end: int) -> None:
            for i in range(start, end):
                blocked[i] = True

        for marker in cues.PREVIOUS_MARKERS:
            for match in re.finditer(re.escape(marker), text):
                reading.previous_marker = True
                block(match.start(), match.end())
        masked = "".join("\0" if b else c for c, b in zip(text, blocked))
        reading.times = find_time_ranges(masked, today)
        for match in reading.times:
            block(match.start, match.end)
        reading.thresholds = find_thresholds(text, blocked)
        for item in reading.thresholds:
            block(item.start, item.end)
        reading.ranks = find_rank_sizes(text, blocked)
        for item in reading.ranks:
            block(item.start, item.end)
        reading.mentions = self.lexicon.scan(text, blocked)
        for mention in reading.mentions:
            block(mention.start, mention.end)
        self._leftovers(reading, blocked)
        reading.mentions.sort(key=lambda m: m.start)
        return reading

    def _leftovers(self, reading: Reading, blocked: list[bool]) -> None:
        """Words no part of the reading explains: typos of catalog words, or unknown words."""
        text = reading.text
        runs = re.finditer(r"[^\0]+", "".join("\0" if b else c for c, b in zip(text, blocked)))
        for run in runs:
            typos = self._typos_in_run(run.group(0))
            for written, understood in typos:
                start = run.start() + run.group(0).find(written)
                reading.corrections.append(Correction(written, understood))
                reading.mentions.append(Mention(start, start + len(written), understood,
                                                tuple(self.lexicon.forms[understood])))
            if typos:
                continue
            for word, start in self._content_words(run.group(0), run.start()):
                match = self._closest_form(word)
                if match:
                    reading.corrections.append(Correction(word, match))
                    reading.mentions.append(Mention(start, start + len(word), match,
                                                    tuple(self.lexicon.forms[match])))
                else:
                    reading.unknown.append(word)

    def _content_words(self, run: str, offset: int) -> list[tuple[str, int]]:
        """Words that name something: nouns and unknown words, English words that are not stop
        words, and runs of single characters jieba could not group ('双促' -> 双 + 促)."""
        words: list[tuple[str, int]] = []
        singles: list[tuple[str, int]] = []

        def close_singles() -> None:
            if len(singles) >= 2:
                words.append(("".join(ch for ch, _ in singles), singles[0][1]))
            singles.clear()

        position = 0
        for piece in self.tagger.cut(run):
            word, tag = piece.word, piece.flag
            start = run.find(word, position)
            position = start + len(word) if start >= 0 else position
            word = word.strip()
            meaningless = not word or _PUNCTUATION.match(word) or word in cues.STOP_WORDS or word.isdigit()
            if len(word) == 1 and not word.isascii() and not meaningless:
                singles.append((word, offset + start))
                continue
            close_singles()
            if meaningless:
                continue
            if word.isascii():
                for english in _ENGLISH_WORD.findall(word):
                    if english not in cues.STOP_WORDS and len(english) > 1 and not english.isdigit():
                        words.append((english, offset + start + word.find(english)))
                continue
            if len(word) >= 2 and tag in _CONTENT_TAGS and not all(ch in cues.STOP_WORDS for ch in word):
                words.append((word, offset + start))
        close_singles()
        return words

    def _typos_in_run(self, run: str) -> list[tuple[str, str]]:
        """A Chinese catalog word written with one wrong character inside a leftover run ('复够率');
        the window must not cut through a real word ('销售情况' is not a typo of 销售额)."""
        if run.isascii():
            return self._english_typos(run)
        boundaries, position = {0}, 0
        for token in self.tokenizer.cut(run):
            position += len(token)
            boundaries.add(position)
        for length in range(min(len(run), 6), 2, -1):
            for start in range(len(run) - length + 1):
                if start not in boundaries or start + length not in boundaries:
                    continue
                window = run[start:start + length]
                if window.isascii() or window[0] in cues.FUNCTION_CHARS or all(ch in cues.STOP_WORDS for ch in window):
                    continue
                found = self._closest_form(window)
                if found:
                    return [(window, found)]
        return []

    def _english_typos(self, run: str) -> list[tuple[str, str]]:
        """Misspelt catalog phrases among the run's words ('refund rat' -> 'refund rate')."""
        words = _ENGLISH_WORD.findall(run)
        used = [False] * len(words)
        found: list[tuple[str, str]] = []
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                chunk = words[start:start + size]
                if any(used[start:start + size]) or chunk[0] in cues.STOP_WORDS or chunk[-1] in cues.STOP_WORDS:
                    continue
                phrase = " ".join(chunk)
                match = self._closest_form(phrase) if phrase in run and len(phrase) >= 3 else None
                if match:
                    found.append((phrase, match))
                    used[start:start + size] = [True] * size
        return found

    def _closest_form(self, word: str) -> str | None:
        """A catalog word the written one is a likely typo of ('revenu' -> 'revenue', '复够率' -> '复购率')."""
        if word.isascii():
            if len(word) < 3:
                return None
            hits = difflib.get_close_matches(word, self._ascii_forms, n=1, cutoff=0.84)
        else:
            if len(word) < 3:
                return None
            hits = difflib.get_close_matches(word, self._cjk_forms.get(len(word), []), n=1, cutoff=0.66)
        return hits[0] if hits else None
