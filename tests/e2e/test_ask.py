"""/api/v1/ask against a real server: answers, clarifications, follow-ups, verified examples and
glossary terms."""

from __future__ import annotations

import pytest

TODAY = "2025-07-01"


def ask(client, question: str, conversation_id: str | None = None):
    body = {"question": question, "today": TODAY}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = client.post("/api/v1/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_answer_carries_interpretation_figures_and_chart(client, reference):
    body = ask(client, "各渠道上个月的复购率")
    assert body["status"] == "ok" and body["engine"] == "parser"
    assert body["interpretation"]["text"] == "复购率 · 按渠道 · 2025-06-01 至 2025-06-30 · 已付款订单 · 按支付时间"
    assert body["interpretation"]["query"]["metrics"] == ["repurchase_rate"]
    expected = dict(reference.execute(
        "WITH x AS (SELECT channel_id, customer_id, COUNT(*) n FROM orders WHERE pay_time >= '2025-06-01' "
        "AND pay_time < '2025-07-01' GROUP BY 1, 2) SELECT channel_name, AVG((n >= 2)::INT) FROM x JOIN channels "
        "USING (channel_id) GROUP BY 1").fetchall())
    assert {r[0]: round(r[1], 9) for r in body["rows"]} == {k: round(v, 9) for k, v in expected.items()}
    top = max(body["rows"], key=lambda r: r[1])
    assert f"{top[0]}（{top[1] * 100:.1f}%）" in body["answer"]
    assert body["chart"]["type"] == "bar" and body["sql"].startswith("WITH")


def test_english_questions_get_english_answers(client):
    body = ask(client, "ROI by channel in Q2")
    assert body["interpretation"]["text"] == \
        "ROI · by channel · 2025-04-01 to 2025-06-30 · paid orders · by payment time, by spend date"
    assert body["answer"].startswith("2025-04-01 to 2025-06-30: 5 rows; highest ROI")


def test_a_question_without_a_metric_asks_back_with_clickable_suggestions(client):
    body = ask(client, "销售情况怎么样")
    assert body["status"] == "clarify" and body["rows"] == []
    assert 2 <= len(body["suggestions"]) <= 4
    for suggestion in body["suggestions"]:
        assert ask(client, suggestion)["status"] == "ok", suggestion


def test_an_unknown_word_is_named(client):
    body = ask(client, "各渠道的GMV和客诉率")
    assert body["status"] == "clarify" and "客诉率" in body["answer"]


def test_a_typo_is_corrected_and_shown(client):
    body = ask(client, "各渠道的复够率")
    assert body["status"] == "ok"
    assert body["interpretation"]["corrections"] == [{"written": "复够率", "understood": "复购率"}]


def test_an_impossible_breakdown_offers_what_is_possible(client):
    body = ask(client, "各产品的营销费用")
    assert body["status"] == "clarify" and "可用维度" in body["answer"]
    assert "各渠道的营销费用" in body["suggestions"]


def test_follow_ups_edit_the_previous_question(client):
    first = ask(client, "上个月天猫的成交金额")
    conversation = first["conversation_id"]
    split = ask(client, "那按城市拆分呢", conversation)
    assert split["interpretation"]["query"]["dimensions"] == [{"name": "city"}]
    assert split["interpretation"]["changes"] and len(split["rows"]) > 5
    month = ask(client, "换成5月", conversation)
    assert month["interpretation"]["query"]["time_range"] == {"start": "2025-05-01", "end": "2025-06-01"}
    douyin = ask(client, "what about Douyin?", conversation)
    assert {"dimension": "channel", "value": "抖音"} in douyin["interpretation"]["query"]["filters"]
    top = ask(client, "top 3 instead", conversation)
    assert len(top["rows"]) == 3 and top["interpretation"]["query"]["limit"] == 3
    pie = ask(client, "换成饼图", conversation)
    assert pie["chart"]["type"] == "pie"
    unlimited = ask(client, "去掉时间限制", conversation)
    assert "time_range" not in unlimited["interpretation"]["query"]


def test_a_new_conversation_does_not_inherit(client):
    body = ask(client, "那按城市拆分呢")
    assert body["status"] == "clarify"


def test_verified_examples_are_used_first(client):
    query = {"metrics": ["order_count"], "dimensions": ["channel_type"], "time_range": {"expression": "上个月"}}
    response = client.post("/api/v1/examples", json={"question": "私域表现如何", "query": query})
    assert response.status_code == 201
    assert any(e["question"] == "私域表现如何" for e in client.get("/api/v1/examples").json())
    body = ask(client, "私域表现如何？")
    assert body["engine"] == "example" and body["interpretation"]["query"]["dimensions"] == [{"name": "channel_type"}]


def test_an_example_with_an_impossible_query_is_refused(client):
    response = client.post("/api/v1/examples", json={"question": "x", "query": {"metrics": ["marketing_spend"],
                                                                                "dimensions": ["product"]}})
    assert response.status_code == 400


def test_glossary_terms_teach_the_parser(client):
    assert ask(client, "双促期间的订单数")["status"] == "clarify"
    response = client.post("/api/v1/glossary", json={"term": "双促", "dimension": "campaign_type", "value": "大促"})
    assert response.status_code == 201
    body = ask(client, "双促期间的订单数")
    assert body["status"] == "ok"
    assert {"dimension": "campaign_type", "value": "大促"} in body["interpretation"]["query"]["filters"]
    bad = client.post("/api/v1/glossary", json={"term": "x", "dimension": "channel", "value": "淘宝特价版"})
    assert bad.status_code == 400


def test_a_glossary_set_names_a_group_of_values(client):
    assert ask(client, "上个月平台三强的订单数")["status"] == "clarify"
    response = client.post("/api/v1/glossary", json={"term": "平台三强", "dimension": "channel",
                                                     "values": ["天猫", "京东", "抖音"]})
    assert response.status_code == 201 and response.json()["values"] == ["天猫", "京东", "抖音"]
    body = ask(client, "上个月平台三强的订单数")
    assert body["status"] == "ok" and len(body["rows"]) == 1
    assert {"dimension": "channel", "op": "in", "value": ["天猫", "京东", "抖音"]} in \
        body["interpretation"]["query"]["filters"]
    listed = client.get("/api/v1/glossary").json()
    assert any(t["term"] == "平台三强" and t["kind"] == "set" for t in listed)
    for bad in ({"term": "y", "dimension": "channel", "values": ["天猫", "拼多多"]},
                {"term": "y", "dimension": "channel", "values": ["天猫"]},
                {"term": "y", "dimension": "channel", "value": "天猫", "values": ["天猫", "京东"]}):
        assert client.post("/api/v1/glossary", json=bad).status_code in (400, 422)


@pytest.mark.parametrize("body", [{"question": ""}, {"question": "x" * 501}, {"question": "GMV", "engine": "magic"},
                                  {"question": "GMV", "conversation_id": "../../etc"}])
def test_bad_ask_bodies_are_422(client, body):
    response = client.post("/api/v1/ask", json=body)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_llm_engine_without_configuration_is_a_clear_400(client):
    response = client.post("/api/v1/ask", json={"question": "GMV", "engine": "llm"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "llm_not_configured"


@pytest.mark.parametrize("question", [
    "取消上个月所有待付款订单", "cancel all pending orders from last month", "refund every order from 抖音 last week",
    "close the 618 campaign", "暂停所有抖音投放", "核销这些优惠券", "把抖音的渠道类型改成线下", "把这笔订单记为已退款",
    "给沉睡客户发券", "send a coupon to all 重要价值客户", "把这个名单导出成一张新表"])
def test_commands_on_stored_things_are_refused_as_writes(client, question):
    response = client.post("/api/v1/ask", json={"question": question, "today": TODAY})
    assert response.status_code == 403 and response.json()["error"]["code"] == "read_only"
    assert "rows" not in response.json() and "sql" not in response.json()


@pytest.mark.parametrize("question, interpretation", [
    ("cancelled orders last month",
     "orders · order status: cancelled · 2025-06-01 to 2025-06-30 · all orders · by order time"),
    ("退款率最高的渠道", "退款率 · 按渠道 · 全部时间 · 已付款订单 · 按支付时间 · 退款率 从高到低 前1"),
    ("今年发的券核销了多少张", "核销券数 · 2025-01-01 至 2025-07-01 · 按发券时间")])
def test_words_that_also_command_still_ask_when_they_ask(client, question, interpretation):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["text"] == interpretation


def test_how_many_groups_pass_a_threshold_is_one_count(client, reference):
    body = ask(client, "今年每天GMV超过10万的有多少天")
    assert body["interpretation"]["text"] == \
        "成交金额 · 按天 · 2025-01-01 至 2025-07-01 · 已付款订单 · 按支付时间 · 成交金额 > 100,000 · 个数"
    expected = reference.execute(
        "SELECT COUNT(*) FROM (SELECT pay_time::DATE, SUM(paid_amount) g FROM orders WHERE pay_time >= '2025-01-01' "
        "AND pay_time < '2025-07-01' GROUP BY 1 HAVING g > 100000)").fetchone()[0]
    assert body["rows"] == [[expected]] and body["answer"] == f"2025-01-01 至 2025-07-01，天数为{expected}。"
    cities = ask(client, "how many cities had more than 5000 orders")
    assert [c["name"] for c in cities["columns"]] == ["group_count"] and cities["answer"].startswith("city count was")


def test_the_reading_names_every_default_and_the_comparison_dates(client):
    body = ask(client, "上个月的GMV同比")
    pieces = [(p["kind"], p["text"]) for p in body["interpretation"]["reading"]]
    assert pieces == [("metric", "成交金额"), ("period", "2025-06-01 至 2025-06-30"), ("basis", "已付款订单 · 按支付时间"),
                      ("compare", "同比 2024-06-01 至 2024-06-30")]
    assert body["interpretation"]["text"] == " · ".join(text for _, text in pieces)
    assert ask(client, "2024年取消的订单数")["interpretation"]["reading"][-1]["text"] == "全部订单 · 按下单时间"
    # refunded orders were paid: still paid orders, by payment time
    assert ask(client, "2024年的退款订单数")["interpretation"]["reading"][-1]["text"] == "已付款订单 · 按支付时间"


def test_an_edited_reading_runs_in_the_conversation(client, reference):
    first = ask(client, "上个月上海的成交金额")
    edited = {**first["interpretation"]["query"], "filters": []}
    response = client.post("/api/v1/ask", json={"question": "上个月上海的成交金额（去掉 城市: 上海）", "today": TODAY,
                                               "conversation_id": first["conversation_id"], "query": edited})
    body = response.json()
    assert response.status_code == 200 and body["engine"] == "edited"
    total = reference.execute("SELECT SUM(paid_amount) FROM orders WHERE pay_time >= '2025-06-01' "
                              "AND pay_time < '2025-07-01'").fetchone()[0]
    assert body["rows"] == [[float(total)]] and body["conversation_id"] == first["conversation_id"]
    follow = ask(client, "按渠道呢", body["conversation_id"])  # the edit is what the conversation goes on from
    assert [p["text"] for p in follow["interpretation"]["reading"]][:2] == ["成交金额", "按渠道"]
    assert not any(p["kind"] == "filter" for p in follow["interpretation"]["reading"])


@pytest.mark.parametrize("question, answer, notes", [
    ("今年的成交金额", None, ["数据截至 2025-06-30"]),
    ("上个月的成交金额", None, []),
    ("2025年7月的成交金额", "这段时间还没有数据（数据截至 2025-06-30）。", ["数据截至 2025-06-30"]),
    ("2023年的成交金额", "这段时间之前还没有数据（数据从 2024-01-01 开始）。", []),
    ("how many orders in July 2025", "There is no data for this period yet (data through 2025-06-30).",
     ["Data through 2025-06-30"])])
def test_freshness_and_the_reason_for_an_empty_answer(client, question, answer, notes):
    body = ask(client, question)
    assert body["status"] == "ok" and body["notes"] == notes
    if answer:
        assert body["answer"] == answer


def test_an_edited_reading_the_model_cannot_run_is_a_400(client):
    response = client.post("/api/v1/ask", json={"question": "x", "today": TODAY, "query": {
        "metrics": ["gmv"], "filters": [{"dimension": "planet", "value": "火星"}]}})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_query"
    assert "planet" in response.json()["error"]["message"]


def test_a_filter_that_matches_nothing_is_named(client):
    query = {"metrics": ["gmv"], "filters": [{"dimension": "city", "value": "火星"}]}
    body = client.post("/api/v1/ask", json={"question": "火星的GMV", "today": TODAY, "query": query}).json()
    assert body["answer"] == "「城市: 火星」没有匹配的数据。"


def test_partial_buckets_are_marked_and_never_called_highest_or_lowest(client, reference):
    body = ask(client, "最近3个月每周的订单数")
    weeks = [row[0] for row in body["rows"]]
    assert body["partial_rows"] == [0, len(weeks) - 1]  # 2025-03-31 starts before the period, 06-30 ends after the data
    assert f"最近一期 {weeks[-1]}（不完整）" in body["answer"]
    whole = body["rows"][1:-1]
    low = min(whole, key=lambda r: r[1])
    assert f"最低在 {low[0]}（{low[1]:,}）" in body["answer"]


@pytest.mark.parametrize("question, interpretation", [
    ("买过精华但从没买过面霜的有多少人",
     "成交人数 · 品类: 面霜（成交人数口径，从未有过，全部历史） · 品类: 精华 · 全部时间 · 已付款订单 · 按支付时间"),
    ("customers who've bought a 面膜 but never any 防晒 — how many?",
     "成交人数 · 品类: 防晒（成交人数口径，从未有过，全部历史） · 品类: 面膜 · 全部时间 · 已付款订单 · 按支付时间"),
    ("从没买过面霜的客户上个月的GMV", "成交金额 · 品类: 面霜（成交人数口径，从未有过，全部历史） · 2025-06-01 至 2025-06-30 · "
                             "已付款订单 · 按支付时间"),
    ("上个月新客贡献了多少gmv", "成交金额 · 新老客: 新客 · 2025-06-01 至 2025-06-30 · 已付款订单 · 按支付时间"),
    ("new vs returning customer gmv last month",
     "GMV · by new or returning · 2025-06-01 to 2025-06-30 · paid orders · by payment time"),
    ("6.18当天天猫出了多少单", "订单数 · 渠道: 天猫 · 2025-06-18 · 已付款订单 · 按支付时间"),
    ("非一线城市今年的订单数", "订单数 · 城市∉北京、上海、广州、深圳 · 2025-01-01 至 2025-07-01 · 已付款订单 · 按支付时间"),
    ("沉睡客户按城市分布 前10", "客户数 · 按城市 · 客户生命周期: 沉睡 · 全部客户 · 客户数 从高到低 前10"),
    ("quick q how many ppl bought smth in may",
     "buyers · 2025-05-01 to 2025-05-31 · paid orders · by payment time")])
def test_who_did_one_thing_and_never_another_and_new_or_returning_orders(client, question, interpretation):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["text"] == interpretation


@pytest.mark.parametrize("question", [
    "上个月买了精华没买面霜的客户有多少",  # never, or not in June?
    "抖音拉新那个活动带了多少单",  # one of five campaigns
    "今年618期间哪天卖的最好",  # units or money, of days
    "召回活动那次的ROI怎么样",  # one of six win-back campaigns
    "学生套组上个月在抖音卖了几件",  # students' 套组, or the product 学生党入门套组?
    "新客的复购率"])  # the first orders' repurchase rate would be 0: not a group of orders
def test_what_could_be_read_two_ways_is_asked_back(client, question):
    assert ask(client, question)["status"] == "clarify"


def test_an_answer_to_which_one_picks_by_its_words_and_shows_the_full_name(client):
    first = ask(client, "召回活动那次roi多少来着")
    assert first["status"] == "clarify" and "2024年Q4沉睡客户召回" in first["answer"]
    picked = ask(client, "24年Q4那次", first["conversation_id"])
    assert picked["status"] == "ok" and picked["rows"][0][0] == "2024年Q4沉睡客户召回"
    assert "time_range" not in picked["interpretation"]["query"]
    other = ask(client, "召回活动那次roi多少来着")
    again = ask(client, "去年那次", other["conversation_id"])  # four campaigns of 2024: still which one
    assert again["status"] == "clarify" and "2024年Q1沉睡客户召回" in again["answer"]


def test_follow_ups_add_a_metric_and_take_the_rest_of_a_group(client):
    first = ask(client, "ad spend by channel last month")
    added = ask(client, "add roi", first["conversation_id"])
    assert added["interpretation"]["query"]["metrics"] == ["marketing_spend", "roi"] and len(added["rows"]) == 5
    tier_one = ask(client, "buyers in tier 1 cities last month")
    rest = ask(client, "and everyone else?", tier_one["conversation_id"])
    assert rest["interpretation"]["query"]["filters"] == [
        {"dimension": "city", "op": "not in", "value": ["北京", "上海", "广州", "深圳"]}]
    coupons = ask(client, "5月发了多少张券")
    rate = ask(client, "核销率多少", coupons["conversation_id"])
    assert rate["interpretation"]["query"]["time_range"] == {"start": "2025-05-01", "end": "2025-06-01"}



@pytest.mark.parametrize("question, limit, sql", [
    ("至少下过5单的客户有多少人", {"per": "buyer_count", "metric": "order_count", "op": ">=", "value": 5.0},
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE pay_time IS NOT NULL GROUP BY 1 "
     "HAVING COUNT(*) >= 5)"),
    ("今年买了超过3次的客户有多少", {"per": "buyer_count", "metric": "order_count", "op": ">", "value": 3.0},
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE pay_time >= TIMESTAMP '2025-01-01' "
     "AND pay_time < TIMESTAMP '2025-07-02' GROUP BY 1 HAVING COUNT(*) > 3)"),
    ("累计消费满5000的客户有几个", {"per": "buyer_count", "metric": "gmv", "op": ">=", "value": 5000.0},
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE pay_time IS NOT NULL GROUP BY 1 "
     "HAVING SUM(paid_amount) >= 5000)"),
    ("orders over ¥500 last month — how many?", {"per": "order_count", "metric": "gmv", "op": ">", "value": 500.0},
     "SELECT COUNT(*) FROM orders WHERE pay_time >= TIMESTAMP '2025-06-01' AND pay_time < TIMESTAMP '2025-07-01' "
     "AND paid_amount > 500"),
    ("how many customers placed more than 3 orders this year",
     {"per": "buyer_count", "metric": "order_count", "op": ">", "value": 3.0},
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE pay_time >= TIMESTAMP '2025-01-01' "
     "AND pay_time < TIMESTAMP '2025-07-02' GROUP BY 1 HAVING COUNT(*) > 3)")])
def test_a_limit_on_each_customer_or_order_keeps_those_that_pass(client, reference, question, limit, sql):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["query"]["each_having"] == [limit]
    assert body["rows"][0][-1] == reference.execute(sql).fetchone()[0]


@pytest.mark.parametrize("question, figure", [
    ("买了超过3个的客户有多少", "units_sold"),  # 个 is the model's unit word of units
    ("GMV超过100万的客户有多少人", "gmv"),  # no one spent that much: 0, never another figure
    ("买了超过3盘的客户有多少", None)])  # 3 of what: asked back
def test_a_limit_on_each_one_takes_only_the_figure_it_was_given(client, question, figure):
    body = ask(client, question)
    assert body["status"] == ("ok" if figure else "clarify")
    if figure:
        assert body["interpretation"]["query"]["each_having"][0]["metric"] == figure


def test_a_new_figure_of_them_after_a_ranking_of_where_they_are_is_the_whole_group(client, reference):
    first = ask(client, "重要保持客户有几个人")
    where = ask(client, "他们主要分布在哪些城市 前5", first["conversation_id"])
    assert len(where["rows"]) == 5
    ltv = ask(client, "这批人的LTV呢", where["conversation_id"])
    query = ltv["interpretation"]["query"]
    assert query["metrics"] == ["ltv"] and "dimensions" not in query and "limit" not in query
    assert query["filters"] == [{"dimension": "rfm_segment", "value": "重要保持客户"}]
    assert len(ltv["rows"]) == 1


def test_a_list_of_them_keeps_who_they_are(client, reference):
    first = ask(client, "沉睡客户现在有多少")
    gold = ask(client, "其中金卡的呢", first["conversation_id"])
    listed = ask(client, "把这些人的名单导出来", gold["conversation_id"])
    query = listed["interpretation"]["query"]
    assert query["analysis"] == "customer_list" and query["filters"] == [
        {"dimension": "lifecycle", "value": "沉睡"}, {"dimension": "member_level", "value": "金卡"}]
    assert f"{gold['rows'][0][0]:,}" in listed["answer"]


@pytest.mark.parametrize("question, interpretation, sql", [
    ("黑金会员的笔单价是不是比非黑金的高？", "笔单价 · 黑金 vs 非黑金 · 全部时间 · 已付款订单 · 按支付时间",
     "SELECT CASE WHEN c.member_level = '黑金' THEN '黑金' ELSE '非黑金' END, SUM(o.paid_amount) / COUNT(*) "
     "FROM orders o JOIN customers c USING (customer_id) WHERE o.pay_time IS NOT NULL GROUP BY 1"),
    ("注册了但一单没买过的客户有多少", "未购买客户数 · 全部时间 · 全部客户、已付款订单 · 按支付时间",
     "SELECT COUNT(*) FROM customers WHERE customer_id NOT IN "
     "(SELECT customer_id FROM orders WHERE pay_time IS NOT NULL)")])
def test_a_group_against_the_rest_and_registered_but_never_bought(client, reference, question, interpretation, sql):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["text"] == interpretation
    def rounded(rows):
        return sorted(tuple(round(float(v), 6) if not isinstance(v, str) else v for v in row) for row in rows)
    assert rounded(body["rows"]) == rounded(reference.execute(sql).fetchall())


def test_two_listed_values_and_how_far_apart_is_one_against_the_other(client):
    body = ask(client, "新客和老客上个月的笔单价差多少")
    query = body["interpretation"]["query"]
    assert query["metrics"] == ["avg_order_value"] and query["compare"] == "group"
    assert query["filters"] == [{"dimension": "customer_type", "value": "新客"}]
    assert query["compare_group"] == {"dimension": "customer_type", "value": "老客"}


def test_another_value_to_compare_with_is_shown_beside_the_first(client):
    first = ask(client, "2025年5月京东的客单价")
    beside = ask(client, "跟天猫比呢", first["conversation_id"])
    query = beside["interpretation"]["query"]
    assert query["filters"] == [{"dimension": "channel", "op": "in", "value": ["京东", "天猫"]}]
    assert query["dimensions"] == [{"name": "channel"}] and len(beside["rows"]) == 2


@pytest.mark.parametrize("question, test", [
    ("满减券vs折扣券那个AB测试，哪组转化率更高？", "2025年4月满减券vs折扣券"),
    ("Which variant won the 2025年4月满减券vs折扣券 test on GMV per recipient?", "2025年4月满减券vs折扣券")])
def test_a_named_test_asked_which_group_won_is_its_analysis(client, question, test):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["query"]["analysis"] == "ab_test"
    assert {row[0] for row in body["rows"]} == {test} and len(body["rows"]) == 2


@pytest.mark.parametrize("question, metric", [
    ("how much did 金卡 members spend in May?", "gmv"),  # spend said of a group GMV can be filtered by
    ("which age band spends the most with us?", "gmv"),
    ("金卡会员上个月花了多少钱", "gmv"),
    ("上个月花了多少钱", "marketing_spend"),  # said of no group: what the shop spends
    ("how much did we spend last month", "marketing_spend"),
    ("各渠道上个月花了多少钱", "marketing_spend"),  # both can be split by channel: the verb's own metric
    ("top 3 campaigns by spend", "marketing_spend")])
def test_a_group_verb_names_its_metric_only_of_a_group_it_alone_can_take(client, question, metric):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["query"]["metrics"] == [metric]


def test_a_follow_up_period_to_compare_with_keeps_the_first(client):
    first = ask(client, "6月的gmv")
    compared = ask(client, "跟5月比呢", first["conversation_id"])
    query = compared["interpretation"]["query"]
    assert query["time_range"] == {"start": "2025-06-01", "end": "2025-07-01"} and query["compare"] == "period"
    assert query["compare_to"] == {"start": "2025-05-01", "end": "2025-06-01"}
    assert compared["rows"][0][:2] == [first["rows"][0][0], ask(client, "5月的gmv")["rows"][0][0]]


def test_follow_ups_total_a_breakdown_rank_a_trend_and_take_days_said_of_the_previous(client, reference):
    daily = ask(client, "近7天每天的GMV")
    total = ask(client, "这7天合计多少", daily["conversation_id"])  # those 7 days, one total
    assert "dimensions" not in total["interpretation"]["query"]
    assert total["rows"][0][0] == float(reference.execute(
        "SELECT SUM(paid_amount) FROM orders WHERE pay_time >= TIMESTAMP '2025-06-24' "
        "AND pay_time < TIMESTAMP '2025-07-01'").fetchone()[0])
    top = ask(client, "上个月GMV前3的城市")
    kept = ask(client, "它们合计呢", top["conversation_id"])  # all cities' total would not be theirs
    assert kept["interpretation"]["query"]["limit"] == 3
    trend = ask(client, "new customers per month in 2025")
    which = ask(client, "which signup channel brought in the most of them", trend["conversation_id"])
    assert which["interpretation"]["query"]["dimensions"] == [{"name": "register_channel"}]
    assert which["rows"] == [list(reference.execute(
        "WITH f AS (SELECT customer_id, MIN(pay_time) t FROM orders WHERE pay_time IS NOT NULL GROUP BY 1) "
        "SELECT c.register_channel, COUNT(*) n FROM f JOIN customers c USING (customer_id) "
        "WHERE t >= TIMESTAMP '2025-01-01' AND t < TIMESTAMP '2025-07-02' GROUP BY 1 ORDER BY n DESC LIMIT 1"
    ).fetchone())]
    month = ask(client, "last 30 days orders")
    before = ask(client, "what about the previous 30 days", month["conversation_id"])  # the 30 before, not May
    assert before["interpretation"]["query"]["time_range"] == {"start": "2025-05-02", "end": "2025-06-01"}


@pytest.mark.parametrize("question, interpretation", [
    ("how many paid orders last month", "orders · 2025-06-01 to 2025-06-30 · paid orders · by payment time"),
    ("GMV of paid orders last month", "GMV · 2025-06-01 to 2025-06-30 · paid orders · by payment time"),
    ("hi, list the 30-34 customers pls", "customer list · age band: 30-34"),
    ("average spend per buyer this year for customers who aren't students",
     "average spend per buyer · occupation≠学生 · 2025-01-01 to 2025-07-01 · paid orders · by payment time"),
    ("2024全年新客数是多少", "新客数 · 2024-01-01 至 2024-12-31 · 按首笔支付时间"),
    ("去年一年总共卖了多少钱", "成交金额 · 2024-01-01 至 2024-12-31 · 已付款订单 · 按支付时间"),
    ("近7天的客单价跟再往前7天比怎么样",
     "客单价 · 2025-06-24 至 2025-06-30 · 已付款订单 · 按支付时间 · 对比 2025-06-17 至 2025-06-23"),
    ("昨天gmv比前天多还是少？", "成交金额 · 2025-06-30 · 已付款订单 · 按支付时间 · 环比 2025-06-29"),
    ("orders with and without a coupon last month",
     "orders · by coupon use · coupon use: 用券, 未用券 · 2025-06-01 to 2025-06-30 · paid orders · by payment time"),
    ("胶原晚霜上月卖了多少钱",  # a name by two parts (胶原 + 晚霜) keeps the verb and unit after it
     "商品销售额 · 产品: 胶原紧致晚霜 · 2025-06-01 至 2025-06-30 · 已付款订单的商品行 · 按支付时间"),
    ("gross margin by categroy last quarter",  # the nearest of one word's forms (category, categorys)
     "gross margin · by category · 2025-04-01 to 2025-06-30 · lines of paid orders · by payment time"),
    ("2024年以来每季度gmv", "成交金额 · 按季度 · 2024-01-01 至 2025-07-01 · 已付款订单 · 按支付时间"),
    ("gmv since march", "GMV · 2025-03-01 to 2025-07-01 · paid orders · by payment time"),
    ("从2024年1月到现在的gmv", "成交金额 · 2024-01-01 至 2025-07-01 · 已付款订单 · 按支付时间"),
    ("截至5月底的gmv", "成交金额 · 截至 2025-05-31 · 已付款订单 · 按支付时间"),
    ("orders before 2025", "orders · up to 2024-12-31 · paid orders · by payment time"),
    ("how many lost customers are 金卡 or 黑金", "客户数 · 客户生命周期: 流失 · 会员等级: 金卡、黑金 · 全部客户"),
    ("金卡和黑金的gmv", "成交金额 · 按会员等级 · 会员等级: 金卡、黑金 · 全部时间 · 已付款订单 · 按支付时间"),
    ("复购率多少%", "复购率 · 全部时间 · 已付款订单 · 按支付时间"),
    ("Which provinces have more than 10,000 paid orders?", "orders · by province · all time · paid orders · by "
     "payment time · orders > 10,000 · orders highest first"),
    ("上个月gmv比前一个月高吗", "成交金额 · 2025-06-01 至 2025-06-30 · 已付款订单 · 按支付时间 · 环比 2025-05-01 至 2025-05-31"),
    ("gmv growth by channel last month",  # every channel's change, not only those that grew
     "GMV · by channel · 2025-06-01 to 2025-06-30 · paid orders · by payment time · vs previous period 2025-05-01 "
     "to 2025-05-31"),
    ("上个月订单数环比下降的渠道有几个", "订单数 · 按渠道 · 2025-06-01 至 2025-06-30 · 已付款订单 · 按支付时间 · 订单数变化 < 0 · "
     "个数 · 环比 2025-05-01 至 2025-05-31"),
    ("how many channels had fewer orders last month than the month before", "orders · by channel · 2025-06-01 to "
     "2025-06-30 · paid orders · by payment time · orders change < 0 · how many · vs previous period 2025-05-01 to "
     "2025-05-31"),
    ("上个月gmv超过100万的渠道有几个", "成交金额 · 按渠道 · 2025-06-01 至 2025-06-30 · 已付款订单 · 按支付时间 · "
     "成交金额 > 1,000,000 · 个数"),
    ("卖得最差的两款精华", "销量 · 按产品 · 品类: 精华 · 全部时间 · 已付款订单的商品行 · 按支付时间 · 销量 从低到高 前2"),
    ("上个月拉新了多少人", "新客数 · 2025-06-01 至 2025-06-30 · 按首笔支付时间"),  # 拉新 a verb here, not the campaign type
    ("这个月新增了几个会员", "新客数 · 2025-07-01 · 按首笔支付时间"),
    ("how many customers did we win this year", "new customers · 2025-01-01 to 2025-07-01 · by first payment time"),
    ("customers outside of 江浙沪 last month gmv", "成交金额 · 省份∉江苏、浙江、上海 · 2025-06-01 至 2025-06-30 · 已付款订单 · 按支付时间")])
def test_everyday_phrasings_are_read_as_said(client, question, interpretation):
    body = ask(client, question)
    assert body["status"] == "ok" and body["interpretation"]["text"] == interpretation


def test_the_days_before_the_previous_ones_and_the_same_thing_for_another_period(client):
    may = ask(client, "5月的订单数")
    before = ask(client, "and the 7 days before that", may["conversation_id"])
    assert before["interpretation"]["query"]["time_range"] == {"start": "2025-04-24", "end": "2025-05-01"}
    assert ask(client, "the 30 days before that, orders")["status"] == "clarify"  # before what?
    festival = ask(client, "今年618的GMV")
    again = ask(client, "same thing for last year's 618", festival["conversation_id"])
    assert again["status"] == "ok" and again["interpretation"]["query"]["time_range"] == {
        "start": "2024-06-01", "end": "2024-06-19"}


def test_open_periods_and_people_who_did_both_count_exactly(client, reference):
    both = ask(client, "在天猫和京东都买过的客户有多少")
    people = reference.execute(
        "SELECT COUNT(*) FROM (SELECT customer_id FROM orders JOIN channels USING (channel_id) "
        "WHERE pay_time IS NOT NULL AND channel_name IN ('天猫', '京东') GROUP BY customer_id "
        "HAVING COUNT(DISTINCT channel_name) = 2)").fetchone()[0]
    assert both["rows"] == [[people]]
    until = ask(client, "gmv up to may")
    total = reference.execute("SELECT SUM(paid_amount) FROM orders WHERE pay_time IS NOT NULL "
                              "AND pay_time < TIMESTAMP '2025-06-01'").fetchone()[0]
    assert until["rows"] == [[float(total)]]
    share = ask(client, "gmv split by channel type in q2, as %")
    assert [row[0] for row in share["rows"]] == ["平台电商", "内容电商", "私域"] and len(share["rows"][0]) == 3


@pytest.mark.parametrize("question", ["最近30天加购未付款的客户有多少", "上个月gmv %", "5月底的gmv",
                                      "上个月在天猫和京东都买过的客户有多少", "how many customers bought again last month",
                                      "what did new customers spend on average in q2", "drop the time filter"])
def test_what_no_rule_reads_is_asked_back(client, question):
    assert ask(client, question)["status"] == "clarify"


def test_a_ranking_with_nothing_to_rank_ranks_the_previous_groups(client):
    categories = ask(client, "今年各品类的销量")
    ask(client, "top 3 of those?", categories["conversation_id"])
    by_sales = ask(client, "按商品销售额排呢", categories["conversation_id"])
    query = by_sales["interpretation"]["query"]
    assert query["metrics"] == ["product_sales"] and query["dimensions"] == [{"name": "category"}]
    assert query["limit"] == 3 and len(by_sales["rows"]) == 3
    days = ask(client, "近30天抖音的花费比前30天多了多少")  # 30 days before, not May (June is 30 days too)
    assert days["interpretation"]["query"]["compare_to"] == {"start": "2025-05-02", "end": "2025-06-01"}


def test_follow_ups_add_a_metric_take_the_month_before_and_compare_with_the_days_before(client):
    channels = ask(client, "gmv by channel last month")
    may = ask(client, "what about the month before", channels["conversation_id"])
    assert may["interpretation"]["query"]["time_range"] == {"start": "2025-05-01", "end": "2025-06-01"}
    assert "compare" not in may["interpretation"]["query"]
    first = ask(client, "上个月gmv")
    added = ask(client, "再加一个订单数", first["conversation_id"])
    assert added["status"] == "ok" and added["interpretation"]["query"]["metrics"] == ["gmv", "order_count"]
    days = ask(client, "gmv last 30 days")
    versus = ask(client, "vs the 30 days before that?", days["conversation_id"])
    assert versus["interpretation"]["query"]["time_range"] == {"start": "2025-06-01", "end": "2025-07-01"}
    assert versus["interpretation"]["query"]["compare_to"] == {"start": "2025-05-02", "end": "2025-06-01"}
    assert client.post("/api/v1/ask", json={"question": "加一个订单", "today": TODAY}).json()["error"]["code"] \
        == "read_only"
