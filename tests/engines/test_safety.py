"""On PostgreSQL and chdb as on DuckDB: hostile SQL is refused, the engine itself refuses writes
(the second line behind the guard), time limits and row caps hold, and row policies keep a role
inside its rows with the same answers."""

from __future__ import annotations

import pytest

from semantic_layer.errors import SemanticError, SqlRefused
from semantic_layer.query import SemanticQuery
from service.warehouse import QueryFailed, QueryTimeout
from tests.conftest import TODAY
from tests.e2e.test_access import DOUYIN_POLICY, EAST_POLICY, TRICKY_SQL
from tests.engines.conftest import OTHER_ENGINES
from tests.engines.test_same_answers import same

ENGINES = ("duckdb", *OTHER_ENGINES)
HOSTILE_SQL = [
    "DELETE FROM orders",
    "DROP TABLE orders",
    "INSERT INTO channels VALUES (99, 'x', 'y')",
    "UPDATE orders SET paid_amount = 0",
    "SELECT 1; DROP TABLE orders",
    "SELECT * FROM pg_catalog.pg_tables",
    "SELECT * FROM system.tables",
    "SELECT * FROM information_schema.tables",
    "SELECT pg_sleep(10)",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM file('/etc/passwd')",
    "SELECT version()",
    "SELECT current_user",
    "COPY orders TO '/tmp/x.csv'",
    "SELECT * FROM orders INTO OUTFILE '/tmp/x'",
    "CREATE TABLE t AS SELECT 1",
]
# what reaches an engine only if the guard were gone: each engine must refuse it itself
WRITES = ["DELETE FROM orders", "INSERT INTO channels SELECT * FROM channels", "DROP TABLE channels",
          "CREATE TABLE written (a INTEGER)"]
SLOW = {"duckdb": "SELECT COUNT(*) FROM events a JOIN events b ON a.customer_id <> b.customer_id",
        "postgresql": "SELECT pg_sleep(5)",
        "chdb": "SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 7"}


@pytest.mark.parametrize("name", ENGINES)
def test_hostile_sql_is_refused(contexts, name):
    for sql in HOSTILE_SQL:
        with pytest.raises(SemanticError) as refused:
            contexts[name].engine.answer_sql(sql, today=TODAY)
        assert refused.value.code in ("sql_refused", "sql_parse_error"), sql


@pytest.mark.parametrize("name", ENGINES)
def test_the_engine_itself_refuses_writes_and_nothing_changes(contexts, name):
    warehouse = contexts[name].warehouse
    before = warehouse.run("SELECT COUNT(*) FROM orders", 1, 10).rows
    for sql in WRITES:
        with pytest.raises(QueryFailed):
            warehouse.engine.execute(warehouse.render(sql), 10, 10)
    assert warehouse.engine.execute("SELECT COUNT(*) FROM orders", 1, 10)[0].rows == before
    assert warehouse.engine.execute("SELECT COUNT(*) FROM channels", 1, 10)[0].rows[0][0] == 5


@pytest.mark.parametrize("name", OTHER_ENGINES)
def test_time_limits_and_row_caps_hold(contexts, name):
    engine = contexts[name].warehouse.engine
    with pytest.raises(QueryTimeout):
        engine.execute(SLOW[name], 1, 1)
    capped, _ = engine.execute("SELECT order_id FROM orders", 7, 10)
    assert (len(capped.rows), capped.truncated) == (7, True)
    whole, _ = engine.execute("SELECT channel_id FROM channels", 7, 10)
    assert (len(whole.rows), whole.truncated) == (5, False)


@pytest.mark.parametrize("name", OTHER_ENGINES)
@pytest.mark.parametrize("policy", [EAST_POLICY, DOUYIN_POLICY], ids=["east", "douyin"])
def test_row_policies_give_the_same_rows(contexts, name, policy):
    """DuckDB's restricted answers are proven against filtered copies (tests/e2e/test_access.py)."""
    theirs, ours = contexts[name].engine, contexts["duckdb"].engine
    for metric in ours.model.metrics:
        if metric.id in policy.hidden_metrics:
            continue
        query = SemanticQuery(metrics=[metric.id], dimensions=["channel"] if metric.id != "churn_rate" else ["segment"])
        assert answers_for(theirs, query, policy) == answers_for(ours, query, policy), metric.id
    for sql in TRICKY_SQL:
        assert same(theirs.answer_sql(sql, policy, TODAY).rows) == same(ours.answer_sql(sql, policy, TODAY).rows), sql
    with pytest.raises(SqlRefused):
        theirs.answer_sql("SELECT SUM(unit_cost) FROM products", EAST_POLICY, TODAY)


def answers_for(engine, query, policy):
    try:
        return same(engine.answer_query(query, TODAY, policy).rows)
    except SemanticError as error:
        return error.code
