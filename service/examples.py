"""Verified questions (an analyst-confirmed SemanticQuery per question) and glossary terms, kept
in a local SQLite file so they survive restarts."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from semantic_layer.parser.normalize import normalize_text
from service.answer_log import connect_state
from semantic_layer.query import SemanticQuery

_NOISE = re.compile(r"[\s\W_]+")


def example_key(question: str) -> str:
    """Questions match when they differ only in case, width, spaces and punctuation.

    >>> example_key("上个月 GMV？") == example_key("上个月gmv")
    True
    """
    return _NOISE.sub("", normalize_text(question))


@dataclass(frozen=True)
class Example:
    id: int
    question: str
    query: SemanticQuery
    created_at: str


@dataclass(frozen=True)
class GlossaryTerm:
    id: int
    term: str
    kind: str  # "metric", "value" or "set"
    target: str  # metric id or dimension id
    value: str
    created_at: str
    values: tuple[str, ...] = ()  # the members of a set


class KnowledgeStore:
    def __init__(self, path: Path) -> None:
        self._connection = connect_state(path)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.executescript("""
                CREATE TABLE IF NOT EXISTS examples (id INTEGER PRIMARY KEY, question TEXT NOT NULL,
                    key TEXT NOT NULL UNIQUE, query TEXT NOT NULL, created_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS glossary (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL, target TEXT NOT NULL, value TEXT NOT NULL, created_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS knowledge_changes (kind TEXT PRIMARY KEY, version INTEGER NOT NULL);
            """)
        # read once per change (by any worker process); every question consults them
        self._examples: tuple[int, list[Example]] | None = None

    def version(self, kind: str) -> int:
        """Grows with every change of ``kind`` ('examples' or 'glossary') in any worker process."""
        with self._lock:
            row = self._connection.execute("SELECT version FROM knowledge_changes WHERE kind = ?", (kind,)).fetchone()
        return row[0] if row else 0

    def _changed(self, kind: str) -> None:  # called with the lock held
        self._connection.execute("INSERT INTO knowledge_changes (kind, version) VALUES (?, 1) "
                                 "ON CONFLICT(kind) DO UPDATE SET version = version + 1", (kind,))

    def add_example(self, question: str, query: SemanticQuery) -> Example:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._connection.execute(
                "INSERT INTO examples (question, key, query, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET question = excluded.question, query = excluded.query, "
                "created_at = excluded.created_at",
                (question, example_key(question), query.model_dump_json(exclude_defaults=True), now))
            row = self._connection.execute("SELECT id FROM examples WHERE key = ?", (example_key(question),)).fetchone()
            self._changed("examples")
        return Example(row[0], question, query, now)

    def examples(self) -> list[Example]:
        version = self.version("examples")
        with self._lock:
            if self._examples is None or self._examples[0] != version:
                rows = self._connection.execute(
                    "SELECT id, question, query, created_at FROM examples ORDER BY id").fetchall()
                self._examples = (version, [Example(i, q, SemanticQuery.model_validate(json.loads(s)), c)
                                            for i, q, s, c in rows])
            return list(self._examples[1])

    def match_example(self, question: str) -> Example | None:
        """The verified example for this question: the same after normalisation. Never a nearly
        equal one: '2024年双11的成交额' is not '2023年双11的成交额'."""
        key = example_key(question)
        return next((e for e in self.examples() if example_key(e.question) == key), None)

    def nearest_examples(self, question: str, count: int = 5) -> list[Example]:
        key = example_key(question)
        ranked = sorted(self.examples(), key=lambda e: -difflib.SequenceMatcher(None, key, example_key(e.question)).ratio())
        return ranked[:count]

    def add_term(self, term: str, kind: str, target: str, value: str = "", values: tuple[str, ...] = ()) -> GlossaryTerm:
        """A set keeps its members, as JSON, where a value keeps the value."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        value = json.dumps(list(values), ensure_ascii=False) if kind == "set" else value
        with self._lock:
            self._connection.execute(
                "INSERT INTO glossary (term, kind, target, value, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(term) DO UPDATE SET kind = excluded.kind, target = excluded.target, "
                "value = excluded.value, created_at = excluded.created_at", (term, kind, target, value, now))
            row = self._connection.execute("SELECT id FROM glossary WHERE term = ?", (term,)).fetchone()
            self._changed("glossary")
        return _term((row[0], term, kind, target, value, now))

    def terms(self) -> list[GlossaryTerm]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT id, term, kind, target, value, created_at FROM glossary ORDER BY id").fetchall()
        return [_term(row) for row in rows]

    def close(self) -> None:
        self._connection.close()


def _term(row: tuple) -> GlossaryTerm:
    identifier, term, kind, target, value, created_at = row
    if kind == "set":
        return GlossaryTerm(identifier, term, kind, target, term, created_at, tuple(json.loads(value)))
    return GlossaryTerm(identifier, term, kind, target, value, created_at)
