"""The HTTP API against a real server: answers, the catalog, and the one error shape."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import SHARED


def gold(item_id: str) -> dict:
    for line in (SHARED / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] == item_id:
            return item
    raise KeyError(item_id)


def spec_metric_ids() -> set[str]:
    text = (SHARED / "spec" / "metrics.md").read_text(encoding="utf-8")
    table = text.split("| id |", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^\| ([a-z_]+) \|", table, flags=re.MULTILINE))


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "error"} and body["status"] == "error"
    assert body["error"]["code"] == code and isinstance(body["error"]["message"], str)
    assert "Traceback" not in response.text
    return body["error"]


def test_gmv_by_channel_equals_the_gold_numbers(client, reference):
    expected = {name: float(value) for name, value in reference.execute(gold("dev-003")["gold_sql"]).fetchall()}
    response = client.post("/api/v1/query", json={"metrics": ["gmv"], "dimensions": ["channel"]})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["truncated"] is False
    assert {row[0]: row[1] for row in body["rows"]} == expected
    assert [c["name"] for c in body["columns"]] == ["channel", "gmv"]
    assert body["columns"][1]["format"] == "money" and body["columns"][1]["label"]["zh"] == "成交金额"
    assert body["chart"]["type"] == "bar" and body["chart"]["x"] == "channel"
    assert body["sql"].startswith("WITH") and body["timings"]["total_ms"] > 0


def test_time_series_answers_use_first_days_of_buckets_and_a_line_chart(client):
    response = client.post("/api/v1/query", json={
        "metrics": ["gmv"], "dimensions": [{"name": "date", "grain": "month"}],
        "time_range": {"expression": "今年"}, "today": "2025-07-01"})
    body = response.json()
    assert [row[0] for row in body["rows"]] == [f"2025-0{m}-01" for m in range(1, 7)]
    assert body["chart"]["type"] == "line"


def test_a_single_value_is_a_kpi(client):
    body = client.post("/api/v1/query", json={"metrics": ["churn_rate"], "today": "2025-07-01"}).json()
    assert len(body["rows"]) == 1 and body["chart"]["type"] == "kpi"
    assert 0 < body["rows"][0][0] < 1


def test_the_catalog_lists_every_metric_of_the_spec(client):
    metrics = client.get("/api/v1/metrics").json()
    # the 20 of metrics.md, the customer base that "有多少客户/会员" counts with its complement, coupons issued and
    # redeemed ("发了多少张券"), registrations ("新注册了多少用户"), the A/B test figures of customer_ops.md 2
    assert {m["id"] for m in metrics} == spec_metric_ids() | {"customer_count", "non_buyer_count", "coupons_issued",
                                                               "coupons_redeemed", "new_registrations",
                                                               "test_recipients", "test_redemption_rate",
                                                               "test_conversion_rate", "test_gmv_per_recipient",
                                                               "test_gmv_spread"}
    spend = next(m for m in metrics if m["id"] == "marketing_spend")
    assert "product" not in spend["dimensions"] and "channel" in spend["dimensions"]
    dimensions = {d["id"]: d for d in client.get("/api/v1/dimensions").json()}
    assert {"天猫", "抖音", "京东", "小红书", "微信小程序"} == set(dimensions["channel"]["values"])
    assert dimensions["region"]["values"][0] == "华东" and dimensions["date"]["grains"][0] == "day"
    assert dimensions["channel"]["value_synonyms"]["Tmall"] == "天猫"


def test_sql_endpoint_runs_guarded_sql(client):
    body = client.post("/api/v1/sql", json={"sql": "SELECT COUNT(*) AS n FROM channels"}).json()
    assert body["rows"] == [[5]] and body["columns"][0]["name"] == "n"


def test_an_impossible_combination_names_the_allowed_dimensions(client):
    error = assert_error_shape(client.post("/api/v1/query", json={
        "metrics": ["marketing_spend"], "dimensions": ["product"]}), 400, "invalid_query")
    assert "渠道" in error["message"] and "channel" in error["suggestions"]


def test_an_unknown_metric_suggests_close_ones(client):
    error = assert_error_shape(client.post("/api/v1/query", json={"metrics": ["gmvv"]},
                                           headers={"accept-language": "en"}), 400, "invalid_query")
    assert "gmv" in error["suggestions"] and error["message"].startswith("unknown metric")


@pytest.mark.parametrize("sql", ["DROP TABLE orders", "SELECT * FROM read_csv('/etc/passwd')",
                                 "SELECT 1; DELETE FROM orders"])
def test_refused_sql_is_403(client, sql):
    assert_error_shape(client.post("/api/v1/sql", json={"sql": sql}), 403, "sql_refused")


def test_broken_sql_is_400(client):
    assert_error_shape(client.post("/api/v1/sql", json={"sql": "SELEC FROM WHERE"}), 400, "sql_parse_error")


@pytest.mark.parametrize("body", [
    {"metrics": []}, {"metrics": "gmv"}, {"metrics": ["gmv"], "limit": 0}, {"metrics": ["gmv"], "extra": 1},
    {"metrics": ["gmv"], "filters": [{"dimension": "city", "op": "in", "value": "上海"}]},
    {"metrics": ["gmv"], "time_range": {"start": "2025-07-01", "end": "2025-06-01"}},
    {"metrics": ["gmv"], "today": "not a date"}, [], "text",
])
def test_invalid_bodies_are_422(client, body):
    assert_error_shape(client.post("/api/v1/query", json=body), 422, "invalid_request")


def test_malformed_json_is_422(client):
    response = client.post("/api/v1/query", content=b"{not json", headers={"content-type": "application/json"})
    assert_error_shape(response, 422, "invalid_request")


def test_unknown_route_and_too_large_body(client):
    assert_error_shape(client.get("/api/v1/nothing"), 404, "not_found")
    huge = {"sql": "SELECT 1 " + " " * 2_000_000}
    assert_error_shape(client.post("/api/v1/sql", json=huge), 413, "body_too_large")


def test_unknown_time_expression_is_a_clear_400(client):
    error = assert_error_shape(client.post("/api/v1/query", json={
        "metrics": ["gmv"], "time_range": {"expression": "sometime soon"}}), 400, "invalid_query")
    assert "sometime soon" in error["message"]


def test_the_semantic_query_schema_is_exported(client):
    schema = client.get("/api/v1/schema/semantic-query").json()
    assert schema["title"] == "SemanticQuery" and "metrics" in schema["properties"]
    assert schema["properties"]["analysis"]["anyOf"][0]["enum"] == ["cohort_retention", "ab_test", "attribution",
                                                                           "customer_list"]


def test_openapi_is_served(client):
    assert client.get("/openapi.json").json()["paths"]["/api/v1/query"]
    assert client.get("/docs").status_code == 200
