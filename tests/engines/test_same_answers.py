"""PostgreSQL and chdb answer as DuckDB does on the same demo data: every metric of the catalog
alone and split three ways, the golden queries, and the whole dev set (numbers to 6 significant
digits, rows as multisets)."""

from __future__ import annotations

import json

import pytest

from semantic_layer.resolve import allowed_dimensions
from semantic_layer.query import SemanticQuery
from service.evaluate import evaluate_file
from tests.conftest import SHARED, TODAY
from tests.engines.conftest import OTHER_ENGINES
from tests.golden.test_compile_golden import FIXTURES, HEADER


def same(rows) -> list[tuple]:
    """Rows as a sorted multiset, numbers to 6 significant digits."""
    def value(v):
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, (int, float)) or hasattr(v, "as_tuple"):
            return float(f"{float(v):.6g}")
        return str(v)
    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def catalog_queries(model) -> list[SemanticQuery]:
    """Each metric alone, by month, and by its first two other dimensions."""
    queries = []
    for metric in model.metrics:
        allowed = allowed_dimensions(model, metric)
        times = [{"name": d.id, "grain": "month"} for d in allowed if d.time][:1]
        others = [d.id for d in allowed if not d.time][:2]
        for dimensions in ([], *([t] for t in times), *([o] for o in others)):
            queries.append(SemanticQuery(metrics=[metric.id], dimensions=dimensions))
    return queries


def answers(context, query: SemanticQuery):
    try:
        return same(context.engine.answer_query(query, TODAY).rows)
    except Exception as error:  # the same refusal is the same answer
        return type(error).__name__


@pytest.mark.parametrize("name", OTHER_ENGINES)
def test_every_catalog_metric_alone_and_split_three_ways_is_the_same(contexts, name):
    queries = catalog_queries(contexts["duckdb"].engine.model)
    assert len(queries) > 3 * len(contexts["duckdb"].engine.model.metrics)
    differ = []
    for query in queries:
        theirs, ours = answers(contexts[name], query), answers(contexts["duckdb"], query)
        if theirs != ours:
            differ.append((query.metrics, [d.name for d in query.dimensions], theirs, ours))
    assert differ == [], differ[:3]


@pytest.mark.parametrize("name", OTHER_ENGINES)
def test_the_golden_queries_give_the_same_rows(contexts, name):
    for path in FIXTURES:
        header = path.read_text(encoding="utf-8").partition("\n")[0]
        query = SemanticQuery.model_validate(json.loads(header.removeprefix(HEADER)))
        expected = answers(contexts["duckdb"], query)
        assert isinstance(expected, list), path.stem
        assert answers(contexts[name], query) == expected, path.stem


@pytest.fixture(scope="session")
def dev_verdicts(contexts):
    return {name: evaluate_file(SHARED / "eval" / "dev.jsonl", context.asker, context.warehouse)
            for name, context in contexts.items()}


@pytest.mark.parametrize("name", OTHER_ENGINES)
def test_the_dev_set_is_answered_alike(dev_verdicts, name):
    """Right on every engine (its answer equals the gold SQL run there) with DuckDB's rows."""
    duckdb = {v.item_id: v for v in dev_verdicts["duckdb"]}
    assert [v.outcome for v in duckdb.values()] == ["right"] * len(duckdb)
    for verdict in dev_verdicts[name]:
        assert (verdict.outcome, verdict.reason) == ("right", ""), verdict.item_id
        assert same(verdict.rows) == same(duckdb[verdict.item_id].rows), verdict.item_id
