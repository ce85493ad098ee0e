"""Access control: keys, roles and row-level permissions on every path. The oracle for a restricted
role is an independent copy of the warehouse from which every row outside the role's filter was
deleted by hand-written SQL: whatever the role receives on the full warehouse must equal what an
unrestricted query returns on that copy."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import duckdb
import httpx
import pytest

from semantic_layer.loader import load_model
from semantic_layer.policy import OPEN, AccessPolicy
from semantic_layer.query import SemanticQuery
from service.answers import QueryEngine
from service.warehouse import Warehouse
from tests.conftest import TODAY
from tests.e2e.conftest import start_service
from tests.unit.test_metrics_exact import normalized

EAST = ("上海", "江苏", "浙江", "安徽", "福建", "江西", "山东")
EAST_SQL = "(" + ", ".join(f"'{p}'" for p in EAST) + ")"
EAST_POLICY = AccessPolicy({"region": ("华东",)}, frozenset({"gross_margin"}))
DOUYIN_POLICY = AccessPolicy({"channel": ("抖音",)})

KEEP_EAST = [
    f"DELETE FROM orders WHERE province NOT IN {EAST_SQL}",
    f"DELETE FROM customers WHERE province NOT IN {EAST_SQL}",
    "DELETE FROM order_items WHERE order_id NOT IN (SELECT order_id FROM orders)",
    "DELETE FROM events WHERE customer_id NOT IN (SELECT customer_id FROM customers)",
    "DELETE FROM coupons WHERE customer_id NOT IN (SELECT customer_id FROM customers)",
    "DELETE FROM reviews WHERE order_id NOT IN (SELECT order_id FROM orders)",
    "DELETE FROM marketing_spend",
    "DELETE FROM ab_assignments WHERE customer_id NOT IN (SELECT customer_id FROM customers)",
]
DOUYIN = "(SELECT channel_id FROM channels WHERE channel_name = '抖音')"
KEEP_DOUYIN = [
    f"DELETE FROM orders WHERE channel_id NOT IN {DOUYIN}",
    "DELETE FROM order_items WHERE order_id NOT IN (SELECT order_id FROM orders)",
    f"DELETE FROM events WHERE channel_id NOT IN {DOUYIN}",
    f"DELETE FROM marketing_spend WHERE channel_id NOT IN {DOUYIN}",
    f"DELETE FROM coupons WHERE campaign_id IS NULL OR campaign_id NOT IN (SELECT campaign_id FROM campaigns WHERE channel_id IN {DOUYIN})",
    "DELETE FROM reviews WHERE order_id NOT IN (SELECT order_id FROM orders)",
    f"DELETE FROM ab_assignments WHERE campaign_id NOT IN (SELECT campaign_id FROM campaigns WHERE channel_id IN {DOUYIN})",
    "DELETE FROM customers",
]
TRICKY_SQL = [
    "SELECT SUM(paid_amount) AS total FROM orders",
    "SELECT o.city, COUNT(*) FROM orders o GROUP BY 1",
    "WITH t AS (SELECT customer_id, SUM(paid_amount) s FROM orders GROUP BY 1) SELECT COUNT(*), SUM(s) FROM t",
    "SELECT COUNT(*) FROM (SELECT * FROM orders WHERE paid_amount > 100) x",
    "SELECT province FROM orders UNION SELECT province FROM customers",
    "SELECT COUNT(*) FROM order_items i JOIN orders o ON o.order_id = i.order_id JOIN products p USING (product_id)",
    "SELECT (SELECT COUNT(*) FROM customers), (SELECT SUM(spend) FROM marketing_spend), (SELECT COUNT(*) FROM events)",
    "SELECT c.segment, AVG(r.rating) FROM reviews r JOIN customers c USING (customer_id) GROUP BY 1",
    "SELECT COUNT(*) FROM coupons WHERE customer_id IN (SELECT customer_id FROM orders WHERE province = '北京')",
]


def filtered_copy(source, target, statements) -> None:
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture(scope="module")
def engines(warehouse_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("policy")
    copies = {"east": folder / "east.duckdb", "douyin": folder / "douyin.duckdb"}
    filtered_copy(warehouse_path, copies["east"], KEEP_EAST)
    filtered_copy(warehouse_path, copies["douyin"], KEEP_DOUYIN)
    opened = {name: Warehouse(path) for name, path in copies.items()}
    model = load_model()
    built = {name: QueryEngine(model, w, 10_000, 30) for name, w in opened.items()}
    yield built
    for w in opened.values():
        w.close()


@pytest.mark.parametrize("policy_name, policy", [("east", EAST_POLICY), ("douyin", DOUYIN_POLICY)])
def test_every_metric_returns_only_rows_inside_the_filter(engine, engines, model, policy_name, policy):
    for metric in model.metrics:
        if metric.id in policy.hidden_metrics:
            continue
        for dims in ([], ["channel"] if metric.id != "churn_rate" else ["segment"]):
            query = SemanticQuery(metrics=[metric.id], dimensions=dims)
            try:
                expected = engines[policy_name].answer_query(query, TODAY).rows
            except Exception as error:  # the copy cannot answer either: the role must not
                with pytest.raises(type(error)):
                    engine.answer_query(query, TODAY, policy)
                continue
            got = engine.answer_query(query, TODAY, policy).rows
            assert normalized(got) == normalized(expected), (policy_name, metric.id, dims)


@pytest.mark.parametrize("policy_name, policy", [("east", EAST_POLICY), ("douyin", DOUYIN_POLICY)])
@pytest.mark.parametrize("sql", TRICKY_SQL)
def test_sql_through_ctes_subqueries_unions_and_joins_stays_inside(engine, engines, policy_name, policy, sql):
    assert normalized(engine.answer_sql(sql, policy, TODAY).rows) == normalized(engines[policy_name].answer_sql(sql).rows)


def test_hidden_metrics_and_their_columns_are_refused(engine):
    from semantic_layer.errors import SqlRefused
    from semantic_layer.policy import MetricForbidden

    with pytest.raises(MetricForbidden):
        engine.answer_query(SemanticQuery(metrics=["gross_margin"]), TODAY, EAST_POLICY)
    with pytest.raises(SqlRefused):
        engine.answer_sql("SELECT SUM(unit_cost) FROM products", EAST_POLICY, TODAY)
    assert engine.answer_sql("SELECT SUM(unit_cost) FROM products", OPEN, TODAY).rows


# ---- over HTTP, with keys ----------------------------------------------------------------------
ACCESS = """
roles:
  admin: {admin: true}
  analyst: {}
  east: {row_filters: {region: [华东]}, hidden_metrics: [gross_margin]}
  east_lists: {row_filters: {region: [华东]}, export: true}
  none: {no_data: true}
unknown_wecom_role: none
"""


def cli(access_path, *args) -> str:
    done = subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True,
                          env={"CHATBI_ACCESS_PATH": str(access_path)})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def secured(warehouse_path, tmp_path_factory, provider, standin):
    folder = tmp_path_factory.mktemp("secured")
    access_path = folder / "access.yaml"
    access_path.write_text(ACCESS, encoding="utf-8")
    cli(access_path, "users", "add", "alice", "--role", "admin")
    cli(access_path, "users", "add", "bob", "--role", "east", "--wecom", "bob_wx")
    cli(access_path, "users", "add", "carol", "--role", "east_lists", "--wecom", "carol_wx")
    keys = {user: cli(access_path, "keys", "create", user).split()[0] for user in ("alice", "bob", "carol")}
    process, base = start_service(warehouse_path, folder / "state.sqlite", CHATBI_AUTH="on",
                                  WECOM_CORP_ID="wx5823bf96d3bd56c7", WECOM_TOKEN="QDG6eK",
                                  WECOM_ENCODING_AES_KEY="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                                  WECOM_AGENT_ID="1000002", WECOM_SECRET="s", WECOM_API_BASE=standin.base_url,
                                  CHATBI_ACCESS_PATH=str(access_path), CHATBI_REFERENCE_DATE="2025-07-01",
                                  CHATBI_LLM_BASE_URL=provider.base_url, CHATBI_LLM_MODEL="standin",
                                  CHATBI_RATE_LIMIT_PER_MIN="1000")
    yield base, keys, access_path
    process.terminate()
    process.wait(timeout=10)
    log = "".join(p.read_text(errors="replace") for p in folder.glob("state.*.log"))
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines and all(line.startswith("{") for line in lines), lines[:3]
    for secret in (*keys.values(), "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "msg_signature"):
        assert secret not in log


def call(base, key, method, path, **kwargs):
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.request(method, base + path, headers=headers, timeout=30, **kwargs)


def test_keys_are_required_and_stored_only_as_hashes(secured):
    base, keys, access_path = secured
    assert call(base, None, "POST", "/api/v1/ask", json={"question": "GMV"}).status_code == 401
    assert call(base, "cbk_wrong", "GET", "/api/v1/metrics").status_code == 401
    text = access_path.read_text(encoding="utf-8")
    assert keys["bob"] not in text and hashlib.sha256(keys["bob"].encode()).hexdigest() in text
    assert call(base, keys["bob"], "GET", "/api/v1/session").json()["role"] == "east"


def test_the_ask_path_keeps_a_role_inside_its_rows(secured, engines):
    base, keys, _ = secured
    body = call(base, keys["bob"], "POST", "/api/v1/ask", json={"question": "各城市的成交金额"}).json()
    expected = engines["east"].answer_query(SemanticQuery(metrics=["gmv"], dimensions=["city"]), TODAY).rows
    assert normalized(body["rows"]) == normalized(expected)
    assert {row[0] for row in body["rows"]} <= {"上海", "南京", "苏州", "杭州", "宁波", "合肥", "福州", "厦门", "南昌", "青岛", "济南"}
    refused = call(base, keys["bob"], "POST", "/api/v1/ask", json={"question": "今年的毛利率"})
    assert refused.status_code == 403
    assert "gross_margin" not in {m["id"] for m in call(base, keys["bob"], "GET", "/api/v1/metrics").json()}


def test_the_query_and_sql_endpoints_keep_a_role_inside_its_rows(secured, engines):
    base, keys, _ = secured
    body = call(base, keys["bob"], "POST", "/api/v1/query", json={"metrics": ["order_count"], "dimensions": ["province"]}).json()
    assert {row[0] for row in body["rows"]} <= set(EAST)
    for sql in TRICKY_SQL[:5]:
        body = call(base, keys["bob"], "POST", "/api/v1/sql", json={"sql": sql}).json()
        assert normalized(body["rows"]) == normalized(engines["east"].answer_sql(sql).rows), sql


def test_llm_sql_mode_keeps_a_role_inside_its_rows(secured, provider, engines):
    base, keys, _ = secured
    provider.script({"arguments": {"action": "sql", "sql": "SELECT SUM(paid_amount) AS total FROM orders"}})
    body = call(base, keys["bob"], "POST", "/api/v1/ask", json={"question": "一共卖了多少（SQL）", "engine": "llm"}).json()
    assert normalized(body["rows"]) == normalized(engines["east"].answer_sql(TRICKY_SQL[0]).rows)


def test_audit_log_records_and_is_for_admins(secured):
    base, keys, _ = secured
    call(base, keys["bob"], "POST", "/api/v1/ask", json={"question": "上个月的订单数"})
    assert call(base, keys["bob"], "GET", "/api/v1/audit").status_code == 403
    entries = call(base, keys["alice"], "GET", "/api/v1/audit").json()
    entry = next(e for e in entries if e["question"] == "上个月的订单数")
    assert entry["user"] == "bob" and entry["channel"] == "api" and entry["status"] == "ok"
    assert entry["row_count"] == 1 and "orders" in entry["sql"] and entry["latency_ms"] > 0
    assert "订单数" in entry["interpretation"]


def test_revoked_keys_and_disabled_users_are_refused_at_once(secured):
    base, _, access_path = secured
    cli(access_path, "users", "add", "dave", "--role", "analyst")
    cli(access_path, "users", "add", "erin", "--role", "analyst")
    dave = cli(access_path, "keys", "create", "dave").split()[0]
    erin = cli(access_path, "keys", "create", "erin").split()[0]
    assert call(base, dave, "GET", "/api/v1/metrics").status_code == 200
    cli(access_path, "keys", "revoke", dave[:10])
    assert call(base, dave, "GET", "/api/v1/metrics").status_code == 401
    cli(access_path, "users", "disable", "erin")
    assert call(base, erin, "GET", "/api/v1/metrics").status_code == 401
    assert "erin\tanalyst\twecom=-\tdisabled" in cli(access_path, "users", "list")


def test_wecom_users_get_their_role_and_strangers_a_polite_no(secured, standin, engines):
    from tests.e2e.test_wecom import app_message, post_app, sends_to

    base, _, _ = secured
    standin.clear()
    post_app(base, app_message("上个月的成交金额", "9001", user="bob_wx"))
    post_app(base, app_message("上个月的成交金额", "9002", user="stranger"))
    requests = standin.wait_for(lambda rs: sends_to(rs, "bob_wx") and sends_to(rs, "stranger"))
    query = SemanticQuery(metrics=["gmv"], time_range={"start": "2025-06-01", "end": "2025-07-01"})
    figure = engines["east"].answer_query(query, TODAY).rows[0][0]
    from semantic_layer.narrate import format_value
    assert format_value(figure, "money", "zh") in sends_to(requests, "bob_wx")[0]["markdown"]["content"]
    assert "没有数据权限" in sends_to(requests, "stranger")[0]["markdown"]["content"]


def test_security_headers_and_no_inline_script(secured):
    base, _, _ = secured
    page = httpx.get(base + "/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert "<script>" not in page.text and all("src=" in tag for tag in page.text.split("<script")[1:])


def test_health_readiness_and_metrics(secured):
    base, keys, _ = secured
    assert httpx.get(base + "/healthz").json() == {"status": "ok"}
    assert httpx.get(base + "/readyz").json() == {"status": "ready"}  # details only for operators
    call(base, keys["alice"], "GET", "/api/v1/metrics")
    assert httpx.get(base + "/metrics").status_code == 401
    assert call(base, keys["bob"], "GET", "/metrics").status_code == 403
    text = call(base, keys["alice"], "GET", "/metrics").text
    assert 'chatbi_requests_total{route="/api/v1/metrics",status="200"}' in text
    assert "chatbi_request_seconds_bucket" in text and "chatbi_cache_hits_total" in text


SLEEPING_GOLD = {"analysis": "customer_list", "filters": [{"dimension": "lifecycle", "value": "沉睡"},
                                                          {"dimension": "member_level", "value": "金卡"}]}


def test_a_list_is_exported_only_by_a_role_allowed_to_and_only_inside_its_rows(secured, reference):
    base, keys, _ = secured
    refused = call(base, keys["bob"], "POST", "/api/v1/exports", json=SLEEPING_GOLD)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "export_forbidden"
    counted = call(base, keys["bob"], "POST", "/api/v1/ask", json={"question": "把沉睡的金卡会员列出来"}).json()
    assert counted["analysis"]["exportable"] is False and counted["rows"] == [] and counted["analysis"]["count"] > 0
    exported = call(base, keys["carol"], "POST", "/api/v1/exports", json=SLEEPING_GOLD)
    assert exported.status_code == 200 and exported.headers["x-truncated"] == "false"
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "客户ID,城市,会员等级,客户群体,RFM分层,最后付款日期,累计成交金额,流失风险"
    ids = {int(line.split(",")[0]) for line in lines[1:]}
    expected = {c for (c,) in reference.execute(
        f"SELECT customer_id FROM customers c WHERE member_level = '金卡' AND province IN {EAST_SQL} AND "
        "(SELECT DATE_DIFF('day', MAX(pay_time)::DATE, DATE '2025-07-01') FROM orders o WHERE o.customer_id = "
        "c.customer_id AND pay_time IS NOT NULL AND pay_time < TIMESTAMP '2025-07-01') BETWEEN 91 AND 180").fetchall()}
    assert ids == expected and int(exported.headers["x-row-count"]) == len(expected) == counted["analysis"]["count"]
    entries = call(base, keys["alice"], "GET", "/api/v1/audit").json()
    audit = next(e for e in entries if e["channel"] == "export" and e["user"] == "carol")
    assert audit["row_count"] == len(expected) and audit["status"] == "ok"
    assert any(e["channel"] == "export" and e["user"] == "bob" and e["status"] == "error:export_forbidden"
               for e in entries)


def test_a_list_asked_in_wecom_arrives_as_a_csv_file_for_a_role_that_may_export(secured, standin):
    from tests.e2e.test_wecom import app_message, post_app, sends_to

    base, _, _ = secured
    standin.clear()
    post_app(base, app_message("把沉睡的金卡会员列出来", "9101", user="carol_wx"))
    post_app(base, app_message("把沉睡的金卡会员列出来", "9102", user="bob_wx"))
    requests = standin.wait_for(lambda rs: sends_to(rs, "carol_wx", "file") and sends_to(rs, "bob_wx"))
    upload = next(r for r in requests if r["path"] == "/cgi-bin/media/upload" and r["query"]["type"] == "file")
    assert "客户ID,城市,会员等级".encode() in upload["body"] and b"text/csv" in upload["body"]
    assert not sends_to(requests, "bob_wx", "file")
    assert "没有导出名单的权限" in sends_to(requests, "bob_wx")[0]["markdown"]["content"]
