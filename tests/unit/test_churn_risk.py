"""The churn-risk tag: fitted deterministically on the warehouse by time split; the SQL the service
writes scores every buyer exactly as the fitted scikit-learn model does; its AUC on the second split
is reproduced from hand-written labels; the tag is a dimension any question can use."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from semantic_layer.expressions import bind_today, parse_derived_table
from semantic_layer.loader import load_model
from semantic_layer.query import Filter, SemanticQuery
from service.context import training_rows
from service.predicted_tags import fit_prediction, scoring_sql, with_predictions
from service.warehouse import QueryTooHeavy
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def fetch(warehouse):
    def run(sql: str):
        result = warehouse.run(sql, 1_000_000, 120)
        return [name for name, _ in result.columns], result.rows
    return run


@pytest.fixture(scope="module")
def fitted(fetch):
    spec = load_model().predictions["churn"]
    return spec, fit_prediction("churn", spec, fetch, TODAY)


def _scores(spec, fitted, reference, at: dt.date) -> dict[int, tuple[str, float]]:
    tree = bind_today(parse_derived_table(scoring_sql(spec, fitted)), at)
    return {c: (tier, p) for c, tier, p in reference.execute(tree.sql("duckdb")).fetchall()}


def test_fitting_is_deterministic_and_split_by_time(fetch, fitted):
    spec, first = fitted
    again = fit_prediction("churn", spec, fetch, TODAY)
    assert np.array_equal(first.model.coef_, again.model.coef_) and first.auc == again.auc
    assert (first.trained_at, first.evaluated_at) == (TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=180))
    assert first.categorical == ["segment"] and "member_level" not in first.numeric  # no leak from today's level


def test_the_sql_scores_every_buyer_as_the_fitted_model_does(fetch, fitted, reference):
    spec, model = fitted
    columns, rows = fetch(bind_today(parse_derived_table(spec.features), TODAY).sql("duckdb"))
    expected = dict(zip((r[0] for r in rows), model.probabilities(columns, rows)))
    scored = _scores(spec, model, reference, TODAY)
    assert set(scored) == set(expected) and len(scored) > 100
    assert max(abs(scored[c][1] - expected[c]) for c in expected) < 1e-9
    for tier, p in scored.values():
        assert tier == ("高风险" if p >= 0.7 else "中风险" if p >= 0.4 else "低风险")


def test_the_auc_of_the_second_split_is_reproduced_from_hand_labels(fitted, reference):
    spec, model = fitted
    at = model.evaluated_at
    churned = dict(reference.execute(
        "SELECT customer_id, COUNT(*) FILTER (WHERE pay_time >= ? AND pay_time < ?) = 0 FROM orders "
        "WHERE pay_time IS NOT NULL GROUP BY 1 HAVING MIN(pay_time) < ?",
        [at, at + dt.timedelta(days=90), at]).fetchall())
    scored = _scores(spec, model, reference, at)
    assert set(scored) == set(churned)
    customers = sorted(scored)
    auc = roc_auc_score([churned[c] for c in customers], [scored[c][1] for c in customers])
    assert auc == pytest.approx(model.auc, abs=1e-12) and auc > 0.7  # a real signal, not chance
    for tier in model.tiers:
        inside = [c for c in customers if scored[c][0] == tier["label"]]
        assert tier["size"] == len(inside)
        assert tier["observed"] == pytest.approx(np.mean([churned[c] for c in inside]), abs=1e-12)


def test_churn_risk_is_a_dimension_of_any_customer_question(engine, model, reference, fitted):
    spec, fit = fitted
    tiers = _scores(spec, fit, reference, TODAY)
    answer = engine.answer_query(SemanticQuery(metrics=["customer_count"], dimensions=["churn_risk"]), TODAY)
    counts = {}
    for tier, _ in tiers.values():
        counts[tier] = counts.get(tier, 0) + 1
    assert dict((r[0], r[1]) for r in answer.rows) == counts
    high_in_shanghai = engine.answer_query(SemanticQuery(metrics=["buyer_count"], filters=[
        Filter(dimension="churn_risk", value="高风险"), Filter(dimension="city", value="上海")]), TODAY).rows[0][0]
    shanghai = {c for (c,) in reference.execute("SELECT customer_id FROM customers WHERE city = '上海'").fetchall()}
    ever = {c for (c,) in reference.execute("SELECT DISTINCT customer_id FROM orders WHERE pay_time IS NOT NULL")
            .fetchall()}
    assert high_in_shanghai == len([c for c, (t, _) in tiers.items() if t == "高风险" and c in shanghai & ever])
    assert "ROC AUC" in model.dimension_by_id["churn_risk"].description.zh


def test_training_rows_beyond_a_querys_limits_leave_the_prediction_unfitted():
    """As at scale 100 (1.4 M customers to fit): the service starts, without the tag."""
    class HeavyWarehouse:
        def run(self, sql: str, row_cap: int, timeout_s: float):
            raise QueryTooHeavy("结果太大（超过 16 MB）", "the result is larger than 16 MB")

    model, fitted = with_predictions(load_model(), lambda sql: training_rows(HeavyWarehouse(), sql, 30), TODAY)
    assert fitted == {}
    assert "WHERE FALSE" in model.table_by_name["customer_churn_risk"].sql.upper()
