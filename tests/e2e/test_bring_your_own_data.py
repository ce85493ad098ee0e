"""Bring your own data: `chatbi init` drafts a model from a warehouse that `chatbi model check`
accepts and that answers plain questions exactly as hand-written SQL does, on the demo warehouse and
on MetricFlow's own test tables; a broken model gets located messages and a failing exit code."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import duckdb
import pytest

from semantic_layer.loader import load_model
from service.cli import main
from service.context import build_context
from service.settings import Settings
from tests.conftest import TODAY

def chatbi(*args: str) -> int:
    """Run the chatbi command; its exit code (a message it exits with goes to stderr, as Python does)."""
    try:
        main([str(a) for a in args])
    except SystemExit as exit:
        if isinstance(exit.code, int):
            return exit.code
        print(exit.code, file=sys.stderr)
        return 1
    return 0


def drafted(db: Path, folder: Path, capsys) -> Path:
    out = folder / "model.yaml"
    assert chatbi("init", "--db", db, "--out", out) == 0
    assert "drafted" in capsys.readouterr().out
    return out


@pytest.fixture(scope="module")
def metricflow_reference(metricflow):
    """A connection of its own for the hand-written SQL."""
    connection = duckdb.connect(str(metricflow), read_only=True)
    yield connection
    connection.close()


def ask_all(db: Path, model: Path, folder: Path, today: dt.date, questions: list[str]) -> list[list]:
    context = build_context(Settings(db_path=str(db), model_path=model, state_path=folder / "chatbi.sqlite"))
    try:
        answers = [context.asker.ask(question, today) for question in questions]
    finally:
        context.close()
    assert [a.status for a in answers] == ["ok"] * len(answers), [a.answer_text for a in answers]
    return [plain(a.result.rows) for a in answers]


def plain(rows) -> list[tuple]:
    """Rows with every number a float to 6 decimals (sums of doubles differ in the last digits)."""
    return [tuple(v if v is None or isinstance(v, str) else round(float(v), 6) for v in row) for row in rows]


def hand(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return plain(connection.execute(sql).fetchall())


def test_a_draft_of_the_demo_warehouse_checks_ok_and_answers_as_hand_sql(warehouse_path, reference, tmp_path,
                                                                         capsys):
    model = drafted(warehouse_path, tmp_path, capsys)
    assert chatbi("model", "check", model, "--db", warehouse_path) == 0
    assert capsys.readouterr().out.startswith("ok:")
    june = "order_time >= '2025-06-01' AND order_time < '2025-07-01'"
    got = ask_all(warehouse_path, model, tmp_path, TODAY,
                  ["上个月的订单数", "上个月各渠道的实付金额", "how many customers", "各会员等级的客户数"])
    assert got[0] == hand(reference, f"SELECT COUNT(DISTINCT order_id) FROM orders WHERE {june}")
    assert got[1] == hand(reference, "SELECT c.channel_name, SUM(o.paid_amount) FROM orders o JOIN channels c "
                                          f"USING (channel_id) WHERE {june} GROUP BY 1 ORDER BY 2 DESC")
    assert got[2] == hand(reference, "SELECT COUNT(DISTINCT customer_id) FROM customers")
    assert sorted(got[3]) == sorted(hand(reference, "SELECT member_level, COUNT(DISTINCT customer_id) "
                                                         "FROM customers GROUP BY 1"))


def test_a_draft_of_metricflows_tables_checks_ok_and_answers_as_hand_sql(metricflow, metricflow_reference,
                                                                         tmp_path, capsys):
    model = drafted(metricflow, tmp_path, capsys)
    text = model.read_text()
    assert "# guessed: the column name listing_id: many fct_bookings rows to one dim_listings_latest row" in text
    assert "{zh: 预订数, en: bookings}" in text and "{zh: 国家, en: country}" in text
    assert chatbi("model", "check", model, "--db", metricflow, "--today", "2020-02-01") == 0
    january = "ds >= '2020-01-01' AND ds < '2020-02-01'"
    got = ask_all(metricflow, model, tmp_path, dt.date(2020, 2, 1),
                  ["how many bookings last month", "上个月的预订数", "total booking value last month",
                   "booking value by country last month", "how many visits last month", "account balance by account type"])
    assert got[0] == got[1] == hand(metricflow_reference, f"SELECT COUNT(*) FROM fct_bookings WHERE {january}") == [(15.0,)]
    assert got[2] == (hand(metricflow_reference, f"SELECT SUM(booking_value) FROM fct_bookings WHERE {january}"))
    by_country = hand(metricflow_reference, "SELECT l.country, SUM(b.booking_value) FROM fct_bookings b JOIN "
                                  f"dim_listings_latest l USING (listing_id) WHERE b.{january} GROUP BY 1")
    assert sorted(got[3], key=str) == sorted(by_country, key=str)
    assert got[4] == hand(metricflow_reference, f"SELECT COUNT(DISTINCT session_id) FROM fct_visits WHERE {january}")
    assert sorted(got[5]) == sorted(hand(metricflow_reference, "SELECT account_type, SUM(account_balance) FROM fct_accounts "
                                                     "GROUP BY 1"))


def test_a_broken_model_gets_located_messages_and_a_failing_exit_code(metricflow, tmp_path, capsys):
    model = drafted(metricflow, tmp_path, capsys)
    lines = model.read_text().splitlines()
    column = next(i for i, line in enumerate(lines) if "{name: booking_value, agg: sum" in line)
    lines[column] = lines[column].replace("expr: booking_value", "expr: booking_amount")
    join = next(i for i, line in enumerate(lines) if line.startswith("  - {from: fct_visits, to: dim_users_latest"))
    lines[join] = "  - {from: fct_visits, to: dim_users, keys: [[user_id, user_id]]}"
    model.write_text("\n".join(lines) + "\n")
    assert chatbi("model", "check", model, "--db", metricflow) != 0
    errors = capsys.readouterr().err
    assert f"{model}:{column + 1}: facts[fct_bookings].measures[booking_value].expr: unknown column " \
           "fct_bookings.booking_amount" in errors
    assert re.search(rf"{re.escape(str(model))}:{join + 1}: joins\[\d+\]: not many-to-one: 2 rows of dim_users have "
                     r"user_id = 'u\d+'", errors)
    assert "2 problem(s)" in errors


def test_an_expression_that_fails_on_the_engine_is_located(metricflow, tmp_path, capsys):
    model = drafted(metricflow, tmp_path, capsys)
    text = model.read_text().replace("{name: revenue, agg: sum, expr: revenue}",
                                     "{name: revenue, agg: sum, expr: revenue + created_at}")
    model.write_text(text)
    load_model(model)  # the names are right: only the engine can tell
    assert chatbi("model", "check", model, "--db", metricflow) != 0
    line = text.splitlines().index(next(l for l in text.splitlines() if "expr: revenue + created_at" in l)) + 1
    assert f"{model}:{line}: facts[fct_revenue].measures[revenue]: the query failed: Binder Error" \
           in capsys.readouterr().err
