"""Execution accuracy, with the one number that matters most beside it: how often the service
answered confidently and wrongly. Each question goes through the same path as /ask; the gold SQL
runs on the same warehouse; every gold column must appear among the answer's columns with the
same rows (a multiset, or a list when the item is ordered), numbers to 6 significant digits.
Items may instead expect a clarification or the read-only refusal. Every item ends right,
clarify (asked back or refused: no number given) or wrong (a number that is not the gold's, or an
answer where none was due)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from semantic_layer.errors import SemanticError
from semantic_layer.query import SemanticQuery
from service.access import OPEN_PRINCIPAL
from service.answers import json_value
from service.ask import Asker
from service.warehouse import Warehouse

Outcome = Literal["right", "clarify", "wrong"]


@dataclass(frozen=True)
class Verdict:
    item_id: str
    question: str
    outcome: Outcome
    reason: str = ""
    sql: str = ""
    kind: str = ""
    rows: tuple = ()  # the rows the answer gave, to compare answers across engines

    @property
    def passed(self) -> bool:
        return self.outcome == "right"


def comparable(value):
    """A value as compared: numbers to 6 significant digits, everything else as text.

    >>> comparable(1234567.891), comparable("2025-03-01"), comparable(3)
    ('1.23457e+06', '2025-03-01', '3')
    """
    value = json_value(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return f"{float(value):.6g}"
    return "" if value is None else str(value)


def columns_match(gold: list[tuple], ours: list[list], ordered: bool) -> bool:
    """Is every gold column one of our columns, with the same rows? Gold written as one row of
    several figures (SELECT a, b) matches the same figures as rows, one per labelled group."""
    if len(gold) == 1 and len(gold[0]) == len(ours) > 1 and not ordered:
        return _transposed(gold[0], ours)
    if len(ours) == 1 and len(gold) > 1 and not ordered:  # two periods as rows, ours side by side in one
        return _transposed(ours[0], [list(row) for row in gold], subset=True)
    if len(gold) != len(ours):
        return False
    if not gold:
        return True
    gold_rows = [tuple(comparable(v) for v in row) for row in gold]
    our_rows = [tuple(comparable(v) for v in row) for row in ours]
    width = len(our_rows[0])
    gold_columns = list(zip(*gold_rows))
    our_columns = list(zip(*our_rows))
    candidates = [[k for k in range(width) if sorted(our_columns[k]) == sorted(column)] for column in gold_columns]
    if any(not c for c in candidates):
        return False
    for mapping in itertools.islice(itertools.product(*candidates), 5000):
        projected = [tuple(row[k] for k in mapping) for row in our_rows]
        if (projected == gold_rows) if ordered else (Counter(projected) == Counter(gold_rows)):
            return True
    return False


def _transposed(row: tuple | list, rows: list[list], subset: bool = False) -> bool:
    """The same figures, one per row (``subset``: the rows' figures among the row's, which may add
    a difference or a change).

    >>> _transposed((1.0, 2.0), [["a", 2.0], ["b", 1.0]]), _transposed((1.0, 3.0), [["a", 2.0], ["b", 1.0]])
    (True, False)
    >>> _transposed([2.0, 1.0, 1.0, 1.0], [["2024", 1.0], ["2025", 2.0]], subset=True)
    True
    >>> _transposed([2.0, 1.0, 1.0, 1.0], [[2024, 1.0], [2025, 2.0]], subset=True)
    True
    """
    numeric = [[json_value(v) for v in item if isinstance(json_value(v), (int, float))] for item in rows]
    if all(len(item) == 2 for item in numeric):  # a year as the row's label: (2024, 3332019.0)
        numeric = [[v for v in item if not (isinstance(v, int) and 1990 <= v <= 2100)] for item in numeric]
    figures = [[comparable(v) for v in item] for item in numeric]
    ones = Counter(item[0] for item in figures if len(item) == 1)
    numbers = Counter(comparable(v) for v in row if isinstance(json_value(v), (int, float)))
    return all(len(item) == 1 for item in figures) and (not ones - numbers if subset else ones == numbers)


def evaluate_item(item: dict, asker: Asker, warehouse: Warehouse, conversations: dict[str, str]) -> Verdict:
    today = dt.date.fromisoformat(item.get("today") or dt.date.today().isoformat())
    thread = item.get("conversation")
    expected = item.get("expect", "ok")
    verdict = _verdict_for(item, item.get("class", ""))
    try:
        result = asker.ask(item["question"], today, conversations.get(thread) if thread else None)
    except SemanticError as error:
        if expected == "read_only" and error.code == "read_only":
            return verdict("right")
        return verdict("clarify", f"error {error.code}: {error.text('en')}")
    if thread:
        conversations[thread] = result.conversation_id
    sql = result.result.sql if result.result else ""
    if result.status != "ok":
        return verdict("right" if expected == "clarify" else "clarify", f"{result.status}: {result.answer_text}", sql)
    if expected != "ok":
        return verdict("wrong", f"expected {expected}, got an answer ({result.restatement})", sql)
    if result.result is None:
        return verdict("wrong", "no rows", sql)
    gold_rows = _answer_rows(asker, SemanticQuery.model_validate(item["gold_query"]), today) \
        if "gold_query" in item else warehouse.run(item["gold_sql"], 100_000, 60).rows
    ours = _answer_rows(asker, result.query, today) if result.query.analysis == "customer_list" else result.result.rows
    if item.get("numbers_only") or any(d.versus for d in result.query.dimensions):
        # the groups' names are the answer's own words ('其余', 'all others')
        gold_rows = [[v for v in row if not isinstance(v, str)] for row in gold_rows]
        ours = [[v for v in row if not isinstance(v, str)] for row in ours]
    if columns_match(gold_rows, ours, bool(item.get("ordered"))):
        return verdict("right", "", sql, tuple(map(tuple, result.result.rows)))
    return verdict("wrong", f"rows differ: gold {len(gold_rows)} rows {gold_rows[:3]}, ours {len(result.result.rows)} "
                            f"rows {result.result.rows[:3]} ({result.restatement})", sql)


def _answer_rows(asker: Asker, query: SemanticQuery, today: dt.date) -> list:
    """A query's rows; of a customer list, the whole list it exports (the answer shows a preview)."""
    if query.analysis == "customer_list":
        return asker.engine.customer_rows(query, today, OPEN_PRINCIPAL.policy, "eval", 100_000)[1]
    return asker.engine.answer_query(query, today).rows


def _verdict_for(item: dict, kind: str):
    def verdict(outcome: Outcome, reason: str = "", sql: str = "", rows: tuple = ()) -> Verdict:
        return Verdict(item["id"], item["question"], outcome, reason, sql, kind, rows)
    return verdict


def evaluate_file(path: Path, asker: Asker, warehouse: Warehouse) -> list[Verdict]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    conversations: dict[str, str] = {}
    return [evaluate_item(item, asker, warehouse, conversations) for item in items]


def rates(verdicts: list[Verdict]) -> dict[str, float]:
    """Shares of right, clarify and wrong.

    >>> rates([Verdict("1", "q", "right"), Verdict("2", "q", "wrong")])
    {'right': 0.5, 'clarify': 0.0, 'wrong': 0.5}
    """
    counts = Counter(v.outcome for v in verdicts)
    return {outcome: counts[outcome] / len(verdicts) for outcome in ("right", "clarify", "wrong")}


def summary(verdicts: list[Verdict]) -> str:
    counts = Counter(v.outcome for v in verdicts)
    total = len(verdicts)
    return (f"right {counts['right']}/{total} = {100 * counts['right'] / total:.1f}%, "
            f"clarify {counts['clarify']} = {100 * counts['clarify'] / total:.1f}%, "
            f"confidently wrong {counts['wrong']} = {100 * counts['wrong'] / total:.1f}%")


def report(verdicts: list[Verdict], failures: bool = True) -> str:
    lines = []
    for verdict in verdicts if failures else ():
        if not verdict.passed:
            lines.append(f"{verdict.outcome.upper()} {verdict.item_id}: {verdict.question}\n  why: {verdict.reason}")
            if verdict.sql:
                lines.append("  our SQL: " + " ".join(verdict.sql.split()))
    if not verdicts:
        return "no items"
    kinds = sorted({v.kind for v in verdicts if v.kind})
    for kind in kinds:
        lines.append(f"  {kind:<16} " + summary([v for v in verdicts if v.kind == kind]))
    lines.append(f"execution accuracy: {summary(verdicts)}")
    return "\n".join(lines)
