"""Customer-operations analyses through a real server: questions that ask for cohort retention or an
A/B test's verdict, shapes they cannot take asked back, follow-ups that narrow them, and the query
API. The figures themselves are checked against hand SQL in tests/unit/test_analyses.py."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import start_service
from tests.e2e.test_ask import TODAY, ask


@pytest.fixture(scope="module")
def client(warehouse_path, tmp_path_factory):
    process, base = start_service(warehouse_path, tmp_path_factory.mktemp("ops") / "chatbi.sqlite")
    with httpx.Client(base_url=base, timeout=30) as opened:
        yield opened
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("question, query", [
    ("最近6个月的新客留存", {"analysis": "cohort_retention", "time_range": {"start": "2025-01-02", "end": "2025-07-01"}}),
    ("抖音渠道新客的留存情况", {"analysis": "cohort_retention", "filters": [{"dimension": "channel", "value": "抖音"}]}),
    ("2024年的同期群留存", {"analysis": "cohort_retention", "time_range": {"start": "2024-01-01", "end": "2025-01-01"}}),
    ("cohort retention for 天猫 customers", {"analysis": "cohort_retention",
                                           "filters": [{"dimension": "channel", "value": "天猫"}]}),
    ("A/B测试结果", {"analysis": "ab_test"}),
    ("满减券vs折扣券那个实验显著吗", {"analysis": "ab_test",
                                  "filters": [{"dimension": "ab_test", "value": "2025年4月满减券vs折扣券"}]}),
    ("召回短信文案测试的结果", {"analysis": "ab_test",
                             "filters": [{"dimension": "ab_test", "value": "2025年1月召回短信文案测试"}]}),
    ("重要价值客户里A/B测试的结果", {"analysis": "ab_test",
                                  "filters": [{"dimension": "rfm_segment", "value": "重要价值客户"}]}),
])
def test_analyses_are_read_from_questions(client, question, query):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["query"] == query
    assert body["analysis"]["kind"] == query["analysis"]
    assert body["answer"] in body["analysis"]["summary"].values()


@pytest.mark.parametrize("question", ["各渠道的留存率", "A/B测试结果按城市拆分", "留存率环比"])
def test_an_analysis_asked_for_a_shape_it_does_not_have_is_asked_back(client, question):
    body = ask(client, question)
    assert body["status"] == "clarify" and "固定的展示方式" in body["answer"]
    assert all(ask(client, s)["status"] == "ok" for s in body["suggestions"])


def test_a_follow_up_narrows_an_analysis(client):
    first = ask(client, "新客留存")
    narrowed = ask(client, "那只看抖音呢", first["conversation_id"])
    assert narrowed["interpretation"]["query"] == {"analysis": "cohort_retention",
                                                   "filters": [{"dimension": "channel", "value": "抖音"}]}
    assert narrowed["rows"] != first["rows"] and all(row[2] == 1.0 for row in narrowed["rows"])


def test_an_analysis_runs_from_the_query_api_with_its_sql(client):
    response = client.post("/api/v1/query", json={"analysis": "ab_test", "today": TODAY})
    assert response.status_code == 200
    body = response.json()
    assert body["chart"]["type"] == "verdict" and len(body["analysis"]["comparisons"]) == 6
    assert "ab_assignments" in body["sql"]
    assert client.post("/api/v1/query", json={"today": TODAY}).status_code == 422  # neither metrics nor analysis
    assert client.get("/api/v1/analyses").json()[0]["id"] == "cohort_retention"


@pytest.mark.parametrize("question, query", [
    ("为什么上个月GMV下降了", {"analysis": "attribution", "metrics": ["gmv"], "compare": "previous_period",
                             "time_range": {"start": "2025-06-01", "end": "2025-07-01"}}),
    ("上个月GMV环比下降主要是哪个渠道拖累的", {"analysis": "attribution", "metrics": ["gmv"], "dimensions": [{"name": "channel"}],
                                       "compare": "previous_period",
                                       "time_range": {"start": "2025-06-01", "end": "2025-07-01"}}),
    ("what drove the drop in orders last week", {"analysis": "attribution", "metrics": ["order_count"],
                                                 "compare": "previous_period",
                                                 "time_range": {"start": "2025-06-23", "end": "2025-06-30"}}),
    ("客单价变化的原因", {"analysis": "attribution", "metrics": ["aov"]}),
    ("为什么今年Q2的退款率同比上升", {"analysis": "attribution", "metrics": ["refund_rate"], "compare": "same_period_last_year",
                                  "time_range": {"start": "2025-04-01", "end": "2025-07-01"}}),
])
def test_why_a_metric_changed_is_read_from_questions(client, question, query):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["query"] == query
    assert body["chart"]["type"] == "waterfall" and body["answer"] in body["analysis"]["summary"].values()
    assert body["interpretation"]["reading"][0]["text"] in ("归因分析", "change attribution")


def test_a_follow_up_drills_into_the_top_member(client):
    first = ask(client, "上个月GMV为什么变了")
    top = first["rows"][0][0]
    drilled = ask(client, f"那{top}里呢", first["conversation_id"])
    assert drilled["status"] == "ok" and drilled["analysis"]["kind"] == "attribution"
    assert {"dimension": first["analysis"]["dimension"], "value": top} in drilled["interpretation"]["query"]["filters"]
    assert drilled["analysis"]["total"]["current"] == first["rows"][0][2]  # the member's own figure
    assert first["analysis"]["dimension"] not in [d["id"] for d in drilled["analysis"]["dimensions"]]


def test_why_without_a_metric_asks_which_one(client):
    body = ask(client, "为什么下降了")
    assert body["status"] == "clarify" and body["suggestions"][0] == "成交金额和归因分析"
    assert ask(client, body["suggestions"][0])["analysis"]["kind"] == "attribution"


@pytest.mark.parametrize("question, filters", [
    ("导出加购未付款的重要价值客户名单", [{"dimension": "cart_state", "value": "加购未付款"},
                                {"dimension": "rfm_segment", "value": "重要价值客户"}]),
    ("把沉睡的金卡会员列出来", [{"dimension": "lifecycle", "value": "沉睡"}, {"dimension": "member_level", "value": "金卡"}]),
    ("export the list of high churn risk customers in 上海", [{"dimension": "churn_risk", "value": "高风险"},
                                                          {"dimension": "city", "value": "上海"}]),
])
def test_customer_lists_are_read_from_questions(client, question, filters):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["query"] == {"analysis": "customer_list", "filters": filters}
    assert body["analysis"]["count"] > 0 and body["analysis"]["exportable"] is True
    assert body["answer"].startswith(f"符合条件的客户共 {body['analysis']['count']:,} 人")


def test_a_list_after_a_figure_is_a_new_question(client):
    first = ask(client, "上个月的成交金额")
    listed = ask(client, "把沉睡的金卡会员列出来", first["conversation_id"])
    assert listed["interpretation"]["query"]["analysis"] == "customer_list"


def test_a_deed_chooses_who_a_list_holds(client):
    body = ask(client, "最近30天买过面膜的客户名单")
    assert body["interpretation"]["query"] == {"analysis": "customer_list", "metrics": ["buyer_count"],
                                               "filters": [{"dimension": "category", "value": "面膜"}],
                                               "time_range": {"start": "2025-06-01", "end": "2025-07-01"}}
    assert body["interpretation"]["text"] == "客户名单 · 成交人数 · 品类: 面膜 · 2025-06-01 至 2025-06-30"


@pytest.mark.parametrize("question", ["精华买家里买没买过面霜的各有多少人", "精华买家里有没有买过面霜的人数分别多少",
                                      "buyers of serum by whether they bought cream"])
def test_who_did_and_who_never_did_is_a_split(client, question):
    body = ask(client, question)
    assert body["interpretation"]["query"] == {
        "metrics": ["buyer_count"], "dimensions": [{"name": "category", "versus": ["面霜"], "ever": "buyer_count"}],
        "filters": [{"dimension": "category", "value": "精华"}]}
    never = ask(client, "买过精华没买过面霜的有多少人")["rows"][0][0]
    assert dict(body["rows"])["没买过面霜"] == never  # the split's second group is the never filter's people
    patterns = [a for a in client.get("/api/v1/analyses").json() if a["kind"] == "pattern"]
    assert patterns[0]["name"]["zh"] == "买过X没买过Y" and "精华买家里买没买过面霜的各有多少人" in patterns[0]["synonyms"]
