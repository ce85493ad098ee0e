"""Golden SQL for the compiler: each file under compile/ holds a query (first line) and the SQL it
must compile to; `pytest --update-golden` rewrites them. Every tree must also transpile to
PostgreSQL and ClickHouse without an unsupported construct."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlglot.errors import ErrorLevel

from semantic_layer.compile import compile_query
from semantic_layer.query import SemanticQuery
from semantic_layer.resolve import resolve_query
from tests.conftest import TODAY

FIXTURES = sorted((Path(__file__).parent / "compile").glob("*.sql"))
HEADER = "-- query: "


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_compiled_sql_matches_golden_file(model, request, path):
    header, _, expected = path.read_text(encoding="utf-8").partition("\n")
    query = SemanticQuery.model_validate(json.loads(header.removeprefix(HEADER)))
    tree = compile_query(model, resolve_query(model, query, TODAY))
    actual = tree.sql("duckdb", pretty=True) + "\n"
    if request.config.getoption("--update-golden"):
        path.write_text(f"{header}\n{actual}", encoding="utf-8")
    assert actual == expected
    for dialect in ("postgres", "clickhouse"):
        assert tree.sql(dialect, unsupported_level=ErrorLevel.RAISE)


def test_there_are_golden_fixtures():
    assert len(FIXTURES) >= 10
