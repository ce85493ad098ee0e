"""The demo warehouse: schema of the spec, deterministic, and realistic enough for every metric."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import duckdb

from service.demo_data.build import SCHEMA, build_demo_warehouse
from tests.conftest import END_DATE

ORDER_KEYS = {"order_items": "order_id, line_no", "marketing_spend": "spend_date, channel_id, campaign_id"}


def table_digests(path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: con.execute(
            f"SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY {ORDER_KEYS.get(table, cols[0][0])})) "
            f"FROM {table} t").fetchone()[0] for table, cols in SCHEMA.items()}


def test_same_seed_gives_identical_tables_and_another_seed_does_not(tmp_path):
    first, second, other = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    for path, seed in ((first, 3), (second, 3), (other, 4)):
        build_demo_warehouse(path, END_DATE, seed=seed, scale=0.02)
    assert table_digests(first) == table_digests(second)
    assert table_digests(first)["orders"] != table_digests(other)["orders"]


def test_the_schema_matches_the_spec(reference):
    types = dict(reference.execute(
        "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns").fetchall())
    assert types["orders.paid_amount"] == "DECIMAL(12,2)" and types["orders.pay_time"] == "TIMESTAMP"
    assert types["customers.birth_date"] == "DATE" and types["order_items.quantity"] == "INTEGER"
    assert len({k.split(".")[0] for k in types}) == 11
    assert types["ab_assignments.customer_id"] == "BIGINT" and types["ab_assignments.assigned_time"] == "TIMESTAMP"


def test_each_customer_is_in_a_test_at_most_once_and_gets_the_test_campaigns_coupon(reference):
    twice = reference.execute("SELECT COUNT(*) FROM (SELECT test_id, customer_id FROM ab_assignments "
                              "GROUP BY ALL HAVING COUNT(*) > 1)").fetchone()[0]
    assert twice == 0
    without = reference.execute(
        "SELECT COUNT(*) FROM ab_assignments a WHERE NOT EXISTS (SELECT 1 FROM coupons c WHERE c.customer_id = "
        "a.customer_id AND c.campaign_id = a.campaign_id AND c.issued_time = a.assigned_time)").fetchone()[0]
    assert without == 0
    variants = reference.execute("SELECT DISTINCT test_name, variant FROM ab_assignments ORDER BY ALL").fetchall()
    assert variants == [("2025年1月召回短信文案测试", "A"), ("2025年1月召回短信文案测试", "B"),
                        ("2025年4月满减券vs折扣券", "A"), ("2025年4月满减券vs折扣券", "B")]


def test_data_covers_eighteen_months_ending_on_the_end_date(reference):
    first, last = reference.execute("SELECT MIN(order_time)::DATE, MAX(order_time)::DATE FROM orders").fetchone()
    assert first == dt.date(2024, 1, 1) and last == END_DATE


def test_the_data_is_realistic(reference):
    statuses = dict(reference.execute("SELECT status, COUNT(*) FROM orders GROUP BY 1").fetchall())
    assert set(statuses) == {"paid", "refunded", "cancelled", "pending"}
    unpaid = reference.execute("SELECT COUNT(*) FROM orders WHERE status IN ('cancelled', 'pending') "
                               "AND pay_time IS NOT NULL").fetchone()[0]
    assert unpaid == 0
    mismatched = reference.execute(
        "SELECT COUNT(*) FROM orders o JOIN (SELECT order_id, SUM(line_amount) s FROM order_items GROUP BY 1) i "
        "USING (order_id) WHERE o.item_amount <> i.s OR o.paid_amount <> o.item_amount - o.discount_amount"
    ).fetchone()[0]
    assert mismatched == 0
    june, may = reference.execute(
        "SELECT SUM(paid_amount) FILTER (WHERE pay_time >= '2025-06-01' AND pay_time < '2025-06-19'), "
        "SUM(paid_amount) FILTER (WHERE pay_time >= '2025-05-01' AND pay_time < '2025-05-19') FROM orders "
        "WHERE pay_time IS NOT NULL").fetchone()
    assert float(june) > 1.3 * float(may)  # the 618 peak
    rates = dict(reference.execute(
        "WITH x AS (SELECT c.segment s, o.customer_id, COUNT(*) n FROM orders o JOIN customers c USING "
        "(customer_id) WHERE pay_time IS NOT NULL GROUP BY 1, 2) SELECT s, AVG((n >= 2)::INT) FROM x GROUP BY 1"
    ).fetchall())
    assert max(rates.values()) - min(rates.values()) > 0.1  # segments behave differently
    redeemed = reference.execute("SELECT AVG((redeemed_time IS NOT NULL)::INT) FROM coupons").fetchone()[0]
    assert 0.1 < redeemed < 0.9


def test_cli_builds_a_warehouse_and_refuses_bad_arguments(tmp_path):
    out = tmp_path / "cli.duckdb"
    done = subprocess.run([sys.executable, "-m", "service.cli", "demo-data", "--out", str(out),
                           "--end-date", "2025-06-30", "--scale", "0.01"], capture_output=True, text=True)
    assert done.returncode == 0 and out.exists() and "orders" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "service.cli", "demo-data", "--out", str(out),
                          "--end-date", "June"], capture_output=True, text=True)
    assert bad.returncode == 2 and "not a date" in bad.stderr
