"""Execution accuracy: each question goes through the same path as /ask; the gold SQL runs on
the same warehouse; every gold column must appear among the answer's columns with the same rows
(a multiset, or a list when the item is ordered), numbers to 6 significant digits."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from semantic_layer.errors import SemanticError
from service.answers import json_value
from service.ask import Asker
from service.warehouse import Warehouse


@dataclass(frozen=True)
class Verdict:
    item_id: str
    question: str
    passed: bool
    reason: str = ""
    sql: str = ""


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
    """Is every gold column one of our columns, with the same rows?"""
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


def evaluate_item(item: dict, asker: Asker, warehouse: Warehouse, conversations: dict[str, str]) -> Verdict:
    today = dt.date.fromisoformat(item.get("today") or dt.date.today().isoformat())
    thread = item.get("conversation")
    try:
        result = asker.ask(item["question"], today, conversations.get(thread) if thread else None)
    except SemanticError as error:
        result = None
        outcome = f"error: {error.text('en')}"
    if result is not None and thread:
        conversations[thread] = result.conversation_id
    sql = result.result.sql if result is not None and result.result else ""
    expected = item.get("expect", "ok")
    if result is None:
        return Verdict(item["id"], item["question"], False, outcome, sql)
    if expected == "clarify":
        return Verdict(item["id"], item["question"], result.status == "clarify",
                       "" if result.status == "clarify" else f"expected clarify, got {result.status}", sql)
    if result.status != "ok" or result.result is None:
        return Verdict(item["id"], item["question"], False, f"{result.status}: {result.answer_text}", sql)
    gold = warehouse.run(item["gold_sql"], 100_000, 60)
    if columns_match(gold.rows, result.result.rows, bool(item.get("ordered"))):
        return Verdict(item["id"], item["question"], True, sql=sql)
    return Verdict(item["id"], item["question"], False,
                   f"rows differ: gold {len(gold.rows)} rows {gold.rows[:3]}, ours {len(result.result.rows)} rows "
                   f"{result.result.rows[:3]} ({result.restatement})", sql)


def evaluate_file(path: Path, asker: Asker, warehouse: Warehouse) -> list[Verdict]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    conversations: dict[str, str] = {}
    return [evaluate_item(item, asker, warehouse, conversations) for item in items]


def report(verdicts: list[Verdict]) -> str:
    lines = []
    for verdict in verdicts:
        if not verdict.passed:
            lines.append(f"FAIL {verdict.item_id}: {verdict.question}\n  why: {verdict.reason}")
            if verdict.sql:
                lines.append("  our SQL: " + " ".join(verdict.sql.split()))
    passed = sum(v.passed for v in verdicts)
    total = len(verdicts)
    lines.append(f"execution accuracy: {passed}/{total} = {100 * passed / total:.1f}%" if total else "no items")
    return "\n".join(lines)
