"""Property-based fuzzing: any question ends in a query, a clarification or a clear error, never an
exception; any SQL the guard lets through is one read-only query over the model's tables."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from semantic_layer.errors import SemanticError
from semantic_layer.guard import _FORBIDDEN_NODES, guard_sql
from semantic_layer.parser import QuestionParser
from semantic_layer.parser.compose import to_query
from semantic_layer.resolve import resolve_query

WORDS = ["上个月", "各渠道", "的", "成交金额", "GMV", "复购率", "TOP3", "最高", "天猫", "上海", "环比", "同比", "超过10万",
         "销量", "产品", "按月", "by channel", "last quarter", "top 5", "what about", "那", "换成", "饼图", "退款率",
         "营销费用", "新客数", "2025年Q2", "618", "去掉时间限制", "哪个", "不", "除了", "和", "%", "'", ";", "DROP TABLE",
         "\x00", "\u200b", "🙂", "9" * 30, "前0名", "top 0", "最近999999天", "2025-13-45", "Q9"]
question = st.one_of(st.text(max_size=80), st.lists(st.sampled_from(WORDS), max_size=8).map("".join),
                     st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join))


@pytest.fixture(scope="module")
def parser(model, engine):
    from service.catalog import dimension_values

    return QuestionParser(model, dimension_values(engine))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=question)
def test_every_question_ends_in_a_query_a_clarification_or_a_clear_error(parser, model, text):
    outcome = parser.parse(text, dt.date(2025, 7, 1))
    if outcome.problems or not outcome.parts.metrics:
        return
    try:
        resolve_query(model, to_query(outcome.parts, model), dt.date(2025, 7, 1))
    except SemanticError:
        pass
    except ValueError as error:  # pydantic validation of the composed query
        assert "validation error" in str(error)


SQL_PIECES = ["SELECT", "*", "FROM", "orders", "customers", "WHERE", "1=1", ";", "DROP TABLE orders", "DELETE FROM orders",
              "UNION ALL SELECT", "read_csv('/etc/passwd')", "(SELECT", ")", "WITH x AS", "INSERT INTO channels VALUES (1)",
              "COPY orders TO 'x'", "ATTACH 'y'", "PRAGMA version", "SET threads=1", "paid_amount", "COUNT(*)", ",",
              "GROUP BY 1", "information_schema.tables", "glob('*')", "getenv('HOME')", "LIMIT 5", "x", "AS", "JOIN", "ON"]
sql_text = st.one_of(st.text(max_size=120), st.lists(st.sampled_from(SQL_PIECES), min_size=1, max_size=14).map(" ".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=sql_text)
def test_the_guard_lets_through_only_read_only_queries(engine, sql):
    try:
        tree = guard_sql(sql, engine.allowed)
    except SemanticError:
        return
    assert isinstance(tree, exp.Query)
    assert not any(isinstance(node, _FORBIDDEN_NODES) for node in tree.walk())
    assert {t.name for t in tree.find_all(exp.Table)} <= set(engine.allowed) | {c.alias for c in tree.find_all(exp.CTE)}
    assert len(sqlglot.parse(tree.sql("duckdb"), read="duckdb")) == 1
