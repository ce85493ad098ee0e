"""Customer-operations analyses against hand-written SQL and independent statistics: the A/B
verdicts match the generator's planted effect (one test significant, one not), every figure of a
variant and every cell of the cohort matrix equals hand SQL, month 0 is 100%."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from semantic_layer.errors import QueryInvalid
from semantic_layer.policy import AccessPolicy
from semantic_layer.query import Filter, SemanticQuery, TimeRange
from tests.conftest import TODAY

# one row per recipient, written from the spec's words (not from the model's derived table)
RECIPIENTS = """
WITH w AS (SELECT test_id, MIN(assigned_time) AS s, MAX(assigned_time) + INTERVAL 30 DAY AS e
           FROM ab_assignments GROUP BY test_id)
SELECT a.test_name, a.variant,
       MAX(CASE WHEN c.coupon_id IS NOT NULL THEN 1 ELSE 0 END) AS redeemed,
       MAX(CASE WHEN o.order_id IS NOT NULL THEN 1 ELSE 0 END) AS bought,
       (SELECT COALESCE(SUM(x.paid_amount), 0) FROM orders x WHERE x.customer_id = a.customer_id
          AND x.pay_time >= w.s AND x.pay_time < w.e)::DOUBLE AS gmv
FROM ab_assignments a JOIN w USING (test_id)
LEFT JOIN coupons c ON c.customer_id = a.customer_id AND c.campaign_id = a.campaign_id
     AND c.redeemed_time >= w.s AND c.redeemed_time < w.e
LEFT JOIN orders o ON o.customer_id = a.customer_id AND o.pay_time >= w.s AND o.pay_time < w.e
GROUP BY a.test_name, a.variant, a.customer_id, w.s, w.e
"""


@pytest.fixture(scope="module")
def recipients(reference):
    found: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    for test, variant, redeemed, bought, gmv in reference.execute(RECIPIENTS).fetchall():
        found.setdefault((test, variant), []).append((redeemed, bought, gmv))
    return found


@pytest.fixture(scope="module")
def ab_answer(engine):
    return engine.answer_query(SemanticQuery(analysis="ab_test"), TODAY)


def _z_test(hits: tuple[int, int], sizes: tuple[int, int]) -> float:
    pooled = sum(hits) / sum(sizes)
    z = (hits[0] / sizes[0] - hits[1] / sizes[1]) / math.sqrt(pooled * (1 - pooled) * (1 / sizes[0] + 1 / sizes[1]))
    return 2 * stats.norm.sf(abs(z))


def test_each_variant_figure_equals_hand_sql(ab_answer, recipients):
    index = {c.name: i for i, c in enumerate(ab_answer.columns)}
    assert len(ab_answer.rows) == len(recipients) == 4
    for row in ab_answer.rows:
        people = recipients[(row[index["ab_test"]], row[index["ab_variant"]])]
        n = len(people)
        assert row[index["test_recipients"]] == n
        assert row[index["test_redemption_rate"]] == pytest.approx(sum(p[0] for p in people) / n, rel=1e-12)
        assert row[index["test_conversion_rate"]] == pytest.approx(sum(p[1] for p in people) / n, rel=1e-12)
        assert row[index["test_gmv_per_recipient"]] == pytest.approx(sum(p[2] for p in people) / n, rel=1e-9)


def test_the_verdicts_match_the_planted_effect_and_an_independent_computation(ab_answer, recipients):
    comparisons = {(c["test"], c["metric"]): c for c in ab_answer.analysis["comparisons"]}
    planted = next(t for t, _ in recipients if "满减券vs折扣券" in t)
    null = next(t for t, _ in recipients if "召回短信文案测试" in t)
    assert comparisons[(planted, "test_redemption_rate")]["significant"] is True
    assert comparisons[(null, "test_redemption_rate")]["significant"] is False
    for test in (planted, null):
        a, b = recipients[(test, "A")], recipients[(test, "B")]
        for position, metric in ((0, "test_redemption_rate"), (1, "test_conversion_rate")):
            found = comparisons[(test, metric)]
            hits = (sum(p[position] for p in b), sum(p[position] for p in a))
            rate_b, rate_a = hits[0] / len(b), hits[1] / len(a)
            assert found["baseline"] == "A" and found["variant"] == "B"
            assert found["difference"] == pytest.approx(rate_b - rate_a, abs=1e-12)
            assert found["p_value"] == pytest.approx(_z_test(hits, (len(b), len(a))), rel=1e-9)
            half = 1.959963984540054 * math.sqrt(rate_b * (1 - rate_b) / len(b) + rate_a * (1 - rate_a) / len(a))
            assert found["interval"][0] == pytest.approx(rate_b - rate_a - half, abs=1e-9)
            assert found["interval"][1] == pytest.approx(rate_b - rate_a + half, abs=1e-9)
            if not found["significant"]:  # recipients per group for 80% power at this difference
                mean = (rate_a + rate_b) / 2
                n = ((stats.norm.ppf(0.975) * math.sqrt(2 * mean * (1 - mean)) + stats.norm.ppf(0.8) * math.sqrt(
                    rate_a * (1 - rate_a) + rate_b * (1 - rate_b))) / (rate_b - rate_a)) ** 2
                assert found["needed_per_group"] == math.ceil(n)
        welch = stats.ttest_ind([p[2] for p in b], [p[2] for p in a], equal_var=False)
        found = comparisons[(test, "test_gmv_per_recipient")]
        assert found["p_value"] == pytest.approx(welch.pvalue, rel=1e-6)
        interval = welch.confidence_interval(0.95)
        assert found["interval"] == pytest.approx((interval.low, interval.high), rel=1e-6)
    assert "差异显著" in ab_answer.analysis["summary"]["zh"] and "没有显著差异" in ab_answer.analysis["summary"]["zh"]


def test_a_test_named_and_a_row_filtered_role_see_only_their_recipients(engine, reference, recipients):
    planted = next(t for t, _ in recipients if "满减券vs折扣券" in t)
    east = AccessPolicy({"region": ("华东",)})
    answer = engine.answer_query(SemanticQuery(analysis="ab_test", filters=[Filter(dimension="ab_test", value=planted)]),
                                 TODAY, east)
    expected = dict(reference.execute(
        "SELECT variant, COUNT(*) FROM ab_assignments a JOIN customers c USING (customer_id) WHERE test_name = ? "
        "AND c.province IN ('上海', '浙江', '江苏', '安徽', '福建', '江西', '山东') GROUP BY 1", [planted]).fetchall())
    assert {row[1]: row[2] for row in answer.rows} == expected and sum(expected.values()) > 0


# ---- cohort retention ---------------------------------------------------------------------------
COHORT_CELLS = """
WITH paid AS (SELECT o.customer_id, o.pay_time, o.channel_id FROM orders o WHERE o.pay_time IS NOT NULL),
first AS (SELECT customer_id, DATE_TRUNC('month', MIN(pay_time)) AS cohort,
                 ARG_MIN(channel_id, pay_time) AS first_channel FROM paid GROUP BY 1),
members AS (SELECT * FROM first WHERE cohort >= ? AND cohort < ? {channel})
SELECT STRFTIME(m.cohort, '%Y-%m'),
       DATE_DIFF('month', m.cohort, DATE_TRUNC('month', p.pay_time)) AS k, COUNT(DISTINCT p.customer_id)
FROM members m JOIN paid p USING (customer_id)
WHERE p.pay_time < ? GROUP BY 1, 2
"""


def _cells(reference, start: str, end: str, channel: int | None = None) -> dict[tuple[str, int], int]:
    sql = COHORT_CELLS.format(channel=f"AND first_channel = {channel}" if channel else "")
    return {(c, k): n for c, k, n in reference.execute(sql, [start, end, "2025-07-01"]).fetchall()}


@pytest.mark.parametrize("query, start, channel", [
    (SemanticQuery(analysis="cohort_retention"), "2025-01-01", None),
    (SemanticQuery(analysis="cohort_retention", time_range=TimeRange(expression="2024年")), "2024-01-01", None),
    (SemanticQuery(analysis="cohort_retention", filters=[Filter(dimension="channel", value="抖音")]), "2025-01-01", 2),
], ids=["last six months", "cohorts of 2024", "first order on douyin"])
def test_every_cohort_cell_equals_hand_sql_and_month_zero_is_everyone(engine, reference, query, start, channel):
    end = "2025-01-01" if start == "2024-01-01" else "2025-07-01"
    cells = _cells(reference, start, end, channel)
    answer = engine.answer_query(query, TODAY)
    assert answer.chart.type == "heatmap" and answer.analysis["kind"] == "cohort_retention"
    assert [r[0] for r in answer.rows] == sorted({c for c, _ in cells})
    assert len(answer.rows) == (12 if start == "2024-01-01" else 6)
    for cohort, size, *months in answer.rows:
        assert size == cells[(cohort, 0)] and months[0] == 1.0
        last = (2025 - int(cohort[:4])) * 12 + 6 - int(cohort[5:7])  # months from the cohort to 2025-06
        for k, share in enumerate(months):
            if k > last:
                assert share is None
            else:
                assert share == pytest.approx(cells.get((cohort, k), 0) / size, rel=1e-12)


def test_a_period_without_a_complete_month_is_refused(engine):
    with pytest.raises(QueryInvalid):
        engine.answer_query(SemanticQuery(analysis="cohort_retention", time_range=TimeRange(expression="本月")), TODAY)


# ---- why a metric changed -------------------------------------------------------------------------
JUNE, MAY = ("2025-06-01", "2025-07-01"), ("2025-05-01", "2025-06-01")
CHANNEL_GMV = ("SELECT ch.channel_name, SUM(o.paid_amount)::DOUBLE FROM orders o JOIN channels ch USING (channel_id) "
               "WHERE o.pay_time >= ? AND o.pay_time < ? GROUP BY 1")
CHANNEL_REFUNDS = ("SELECT ch.channel_name, COUNT(*) FILTER (WHERE o.status = 'refunded'), COUNT(*) FROM orders o "
                   "JOIN channels ch USING (channel_id) WHERE o.pay_time >= ? AND o.pay_time < ? GROUP BY 1")


def _attribution(engine, metric: str, dimensions=(), filters=(), policy=None):
    query = SemanticQuery(analysis="attribution", metrics=[metric], dimensions=list(dimensions), filters=list(filters))
    return engine.answer_query(query, TODAY, policy) if policy else engine.answer_query(query, TODAY)


def test_each_channels_contribution_is_its_own_change_and_they_add_up_to_the_change(engine, reference):
    answer = _attribution(engine, "gmv", ["channel"])
    june, may = (dict(reference.execute(CHANNEL_GMV, list(p)).fetchall()) for p in (JUNE, MAY))
    rows = {r[0]: r for r in answer.rows}
    assert set(rows) == set(june) | set(may)
    for channel, (_, before, after, contribution, share) in rows.items():
        assert (before, after) == (may.get(channel), june.get(channel))
        assert contribution == pytest.approx(june.get(channel, 0) - may.get(channel, 0), abs=1e-6)
    change = sum(june.values()) - sum(may.values())
    total = answer.analysis["total"]
    assert total["change"] == pytest.approx(change, abs=1e-6)
    assert sum(r[3] for r in answer.rows) == pytest.approx(change, abs=1e-6)
    assert sum(r[4] for r in answer.rows) == pytest.approx(1.0, abs=1e-12)
    assert answer.chart.type == "waterfall" and [abs(r[3]) for r in answer.rows] == sorted(
        (abs(r[3]) for r in answer.rows), reverse=True)


def test_rate_and_mix_effects_of_a_ratio_add_up_to_its_change(engine, reference):
    answer = _attribution(engine, "refund_rate", ["channel"])
    june, may = ({c: (r, n) for c, r, n in reference.execute(CHANNEL_REFUNDS, list(p)).fetchall()} for p in (JUNE, MAY))
    n_june, n_may = sum(n for _, n in june.values()), sum(n for _, n in may.values())
    change = sum(r for r, _ in june.values()) / n_june - sum(r for r, _ in may.values()) / n_may
    index = {c.name: i for i, c in enumerate(answer.columns)}
    for row in answer.rows:
        (r1, n1), (r0, n0) = june[row[0]], may[row[0]]
        assert row[index["rate_effect"]] == pytest.approx(n0 / n_may * (r1 / n1 - r0 / n0), abs=1e-12)
        assert row[index["mix_effect"]] == pytest.approx((n1 / n_june - n0 / n_may) * r1 / n1, abs=1e-12)
    assert sum(r[index["rate_effect"]] + r[index["mix_effect"]] for r in answer.rows) == pytest.approx(change, abs=1e-12)
    assert answer.analysis["total"]["change"] == pytest.approx(change, abs=1e-12)


def test_what_no_member_takes_is_a_member_and_overlapping_dimensions_are_left_out(engine, reference):
    answer = _attribution(engine, "gmv", ["campaign_type", "category"])
    unassigned = next(r for r in answer.rows if r[0] == "（未归属）")
    without = [reference.execute("SELECT SUM(paid_amount)::DOUBLE FROM orders WHERE campaign_id IS NULL AND "
                                 "pay_time >= ? AND pay_time < ?", list(p)).fetchone()[0] for p in (MAY, JUNE)]
    assert unassigned[1:4] == pytest.approx([without[0], without[1], without[1] - without[0]], abs=1e-6)
    assert [d["id"] for d in answer.analysis["skipped"]] == ["category"]  # an order holds several categories
    # buyers on two channels: spend per buyer is split by who the buyers are, never by where they bought
    aov = _attribution(engine, "aov")
    assert {d["id"] for d in aov.analysis["skipped"]} >= {"channel", "category", "product", "customer_type"}
    assert {d["id"] for d in aov.analysis["dimensions"]} >= {"segment", "member_level", "rfm_segment"}


def test_dimensions_are_ranked_by_what_their_top_three_members_explain(engine):
    answer = _attribution(engine, "gmv")
    powers = {}
    for dimension in [d["id"] for d in answer.analysis["dimensions"]]:
        sizes = sorted((abs(r[3]) for r in _attribution(engine, "gmv", [dimension]).rows), reverse=True)
        powers[dimension] = sum(sizes[:3]) / sum(sizes)
    assert {d["id"]: d["power"] for d in answer.analysis["dimensions"]} == pytest.approx(powers, abs=1e-12)
    assert [d["power"] for d in answer.analysis["dimensions"]] == sorted(powers.values(), reverse=True)
    assert answer.analysis["dimension"] == answer.analysis["dimensions"][0]["id"]
    assert answer.analysis["summary"]["zh"].startswith("成交金额环比")


def test_a_row_filtered_role_explains_only_its_own_change(engine, reference):
    answer = _attribution(engine, "gmv", ["channel"], policy=AccessPolicy({"region": ("华东",)}))
    east = "AND province IN ('上海', '浙江', '江苏', '安徽', '福建', '江西', '山东')"
    totals = [reference.execute(f"SELECT SUM(paid_amount)::DOUBLE FROM orders WHERE pay_time >= ? AND pay_time < ? "
                                f"{east}", list(p)).fetchone()[0] for p in (MAY, JUNE)]
    assert answer.analysis["total"]["previous"] == pytest.approx(totals[0], abs=1e-6)
    assert sum(r[3] for r in answer.rows) == pytest.approx(totals[1] - totals[0], abs=1e-6)


def test_attribution_explains_one_metric_it_knows(engine):
    with pytest.raises(QueryInvalid):
        _attribution(engine, "ltv")


# ---- customer lists -------------------------------------------------------------------------------
def test_a_customer_list_holds_exactly_the_customers_its_filters_choose(engine, reference):
    query = SemanticQuery(analysis="customer_list", filters=[Filter(dimension="lifecycle", value="沉睡"),
                                                             Filter(dimension="member_level", value="金卡")])
    columns, rows, cut, _ = engine.customer_rows(query, TODAY, AccessPolicy(export=True), "local", 100_000)
    expected = dict(reference.execute(
        "SELECT c.customer_id, SUM(o.paid_amount)::DOUBLE FROM customers c JOIN orders o USING (customer_id) "
        "WHERE c.member_level = '金卡' AND o.pay_time IS NOT NULL AND o.pay_time < TIMESTAMP '2025-07-01' "
        "GROUP BY 1 HAVING DATE_DIFF('day', MAX(o.pay_time)::DATE, DATE '2025-07-01') BETWEEN 91 AND 180").fetchall())
    assert [c.name for c in columns] == ["customer_id", "city", "member_level", "segment", "rfm_segment",
                                         "last_pay_date", "lifetime_gmv", "churn_risk"]
    assert {r[0]: r[6] for r in rows} == pytest.approx(expected) and not cut
    assert [r[0] for r in rows] == sorted(expected) and all(r[2] == "金卡" for r in rows)
    answer = engine.answer_query(query, TODAY)
    assert answer.analysis["count"] == len(expected) and len(answer.rows) == 20  # the preview


def test_a_list_is_cut_at_the_cap_and_says_so_and_needs_the_right_to_export(engine):
    query = SemanticQuery(analysis="customer_list")
    _, rows, cut, _ = engine.customer_rows(query, TODAY, AccessPolicy(export=True), "local", 50)
    assert len(rows) == 50 and cut
    from semantic_layer.policy import ExportForbidden
    with pytest.raises(ExportForbidden):
        engine.customer_rows(query, TODAY, AccessPolicy(), "local", 50)
    counted = engine.answer_query(query, TODAY, AccessPolicy())
    assert counted.rows == [] and counted.analysis["count"] > 50 and not counted.analysis["exportable"]


def test_a_list_of_who_did_one_thing_and_never_another(engine, reference):
    query = SemanticQuery(analysis="customer_list", metrics=["buyer_count"], filters=[
        Filter(dimension="category", value="精华"), Filter(dimension="category", op="!=", value="面霜", ever="buyer_count")])
    _, rows, _, _ = engine.customer_rows(query, TODAY, AccessPolicy(export=True), "local", 100_000)
    bought = ("SELECT DISTINCT o.customer_id FROM orders o JOIN order_items i USING (order_id) JOIN products p "
              "USING (product_id) WHERE o.pay_time IS NOT NULL AND p.category = ?")
    expected = {c for (c,) in reference.execute(bought, ["精华"]).fetchall()} - {
        c for (c,) in reference.execute(bought, ["面霜"]).fetchall()}
    assert {r[0] for r in rows} == expected and expected
    with pytest.raises(QueryInvalid):  # GMV counts no one
        engine.answer_query(SemanticQuery(analysis="customer_list", metrics=["gmv"]), TODAY)


def test_a_list_leaves_out_what_a_role_may_not_see_and_says_when_a_file_would_be_cut(engine, model, warehouse):
    from service.answers import QueryEngine
    query = SemanticQuery(analysis="customer_list", filters=[Filter(dimension="member_level", value="金卡")])
    columns, _, _, _ = engine.customer_rows(query, TODAY, AccessPolicy(hidden_metrics=frozenset({"gmv"}), export=True),
                                            "local", 10)
    assert "lifetime_gmv" not in [c.name for c in columns] and "churn_risk" in [c.name for c in columns]
    small = QueryEngine(model, warehouse, row_cap=10_000, timeout_s=30, export_cap=5)
    answer = small.answer_query(query, TODAY)
    assert "超过导出上限，文件只含前 5 位" in answer.analysis["summary"]["zh"]


def test_a_test_without_spread_or_hits_has_no_made_up_verdict(model):
    from service.experiment_verdict import compare_variants
    columns = ["ab_test", "ab_variant", "test_recipients", "test_redemption_rate", "test_conversion_rate",
               "test_gmv_per_recipient", "test_gmv_spread"]
    rows = [["t", "A", 10, 0.0, 0.2, 0.0, 0.0], ["t", "B", 12, 0.0, 0.25, 0.0, 0.0]]
    found = compare_variants(model, columns, rows)
    assert [c.metric for c in found] == ["test_conversion_rate"]  # no hits either side, no spread: nothing to test


def test_who_ever_bought_a_thing_is_a_breakdown_too(engine, reference):
    query = SemanticQuery(metrics=["buyer_count", "gmv"], filters=[Filter(dimension="category", value="精华",
                                                                          ever="buyer_count")],
                          dimensions=[{"name": "category", "versus": ["面霜"], "ever": "buyer_count"}],
                          time_range=TimeRange(expression="上个月"))
    answer = engine.answer_query(query, TODAY)
    bought = ("SELECT DISTINCT o.customer_id FROM orders o JOIN order_items i USING (order_id) JOIN products p "
              "USING (product_id) WHERE o.pay_time IS NOT NULL AND p.category = '{}'")
    expected = dict((group, (n, float(g))) for group, n, g in reference.execute(
        f"SELECT CASE WHEN customer_id IN ({bought.format('面霜')}) THEN '买过面霜' ELSE '没买过面霜' END, "
        "COUNT(DISTINCT customer_id), SUM(paid_amount) FROM orders WHERE pay_time >= '2025-06-01' AND "
        f"pay_time < '2025-07-01' AND customer_id IN ({bought.format('精华')}) GROUP BY 1").fetchall())
    assert {r[0]: (r[1], round(r[2], 2)) for r in answer.rows} == expected
    assert set(expected) == {"买过面霜", "没买过面霜"}
