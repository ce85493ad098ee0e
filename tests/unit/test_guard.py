"""The guard refuses every SQL text that is not one read-only SELECT over the model's tables,
and the warehouse file is byte-for-byte unchanged afterwards."""

from __future__ import annotations

import hashlib

import pytest

from semantic_layer.errors import SqlRefused, SqlUnparsable
from semantic_layer.guard import guard_sql

HOSTILE = [
    "DROP TABLE orders",
    "DELETE FROM orders",
    "UPDATE orders SET paid_amount = 0",
    "INSERT INTO channels VALUES (9, 'x', 'y')",
    "CREATE TABLE stolen AS SELECT * FROM customers",
    "CREATE VIEW v AS SELECT 1",
    "ALTER TABLE orders ADD COLUMN x INT",
    "TRUNCATE orders",
    "SELECT * FROM orders; DROP TABLE orders",
    "SELECT 1; SELECT 2",
    "PRAGMA database_list",
    "SET threads = 1",
    "SET enable_external_access = true",
    "ATTACH 'other.db' AS other",
    "DETACH demo",
    "COPY orders TO '/tmp/orders.csv'",
    "COPY (SELECT * FROM customers) TO '/tmp/c.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '/tmp/dump'",
    "IMPORT DATABASE '/tmp/dump'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "CALL pragma_version()",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    "SELECT * FROM read_json('http://example.com/x.json')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM 'https://example.com/data.csv'",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM query('DROP TABLE orders')",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM duckdb_tables()",
    "SELECT current_setting('threads')",
    "SELECT getenv('HOME')",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM pg_catalog.pg_tables",
    "SELECT * FROM sqlite_master",
    "SELECT * FROM other.main.orders",
    "SELECT * FROM secret_table",
    "SELECT password FROM customers",
    "SELECT * FROM orders UNION ALL SELECT * FROM read_parquet('x.parquet')",
    "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x",
    "SELECT * FROM orders WHERE order_id IN (SELECT * FROM glob('/tmp/*'))",
    "SELECT * INTO stolen FROM orders",
    "SELECT * FROM orders FOR UPDATE",
    "BEGIN TRANSACTION",
    "CHECKPOINT",
    "VACUUM",
    "DESCRIBE orders",
    "SHOW TABLES",
    "SUMMARIZE orders",
    "USE memory",
    "CREATE MACRO evil(a) AS a",
    "SELECT * FROM range(1000000000)",
    "SELECT nextval('seq')",
    "SELECT * FROM generate_series(1, 10)",
]


@pytest.fixture(scope="module")
def allowed(engine):
    return engine.allowed


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_at_least_thirty_hostile_texts_are_covered():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("sql", HOSTILE)
def test_guard_refuses_hostile_sql(allowed, sql):
    with pytest.raises((SqlRefused, SqlUnparsable)):
        guard_sql(sql, allowed)


def test_hostile_sql_through_the_engine_leaves_the_warehouse_unchanged(engine, warehouse_path, reference):
    before = file_digest(warehouse_path)
    counts = reference.execute("SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM channels)").fetchone()
    for sql in HOSTILE:
        with pytest.raises((SqlRefused, SqlUnparsable)):
            engine.answer_sql(sql)
    assert reference.execute(
        "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM channels)").fetchone() == counts
    assert file_digest(warehouse_path) == before


@pytest.mark.parametrize("sql", [
    "SELECT channel_name, COUNT(*) FROM channels JOIN orders USING (channel_id) GROUP BY 1",
    "WITH t AS (SELECT customer_id, SUM(paid_amount) s FROM orders GROUP BY 1) SELECT COUNT(*) FROM t",
    "SELECT city FROM orders UNION SELECT city FROM customers",
    "SELECT date_trunc('month', pay_time)::DATE AS m, SUM(paid_amount) FROM orders GROUP BY 1",
])
def test_guard_accepts_read_only_queries_over_the_model(allowed, sql):
    assert guard_sql(sql, allowed) is not None


def test_the_row_cap_cuts_and_says_so(model, warehouse):
    from service.answers import QueryEngine

    small = QueryEngine(model, warehouse, row_cap=5, timeout_s=30)
    answer = small.answer_sql("SELECT order_id FROM orders")
    assert len(answer.rows) == 5 and answer.truncated is True


def test_a_slow_query_is_interrupted_with_a_4xx(model, warehouse):
    from service.answers import QueryEngine
    from service.warehouse import QueryTimeout

    impatient = QueryEngine(model, warehouse, row_cap=10, timeout_s=0.2)
    with pytest.raises(QueryTimeout) as stopped:
        impatient.answer_sql("SELECT COUNT(*) FROM events a JOIN events b ON a.customer_id <> b.customer_id")
    assert stopped.value.status == 400 and "narrow it down" in stopped.value.text("en")
