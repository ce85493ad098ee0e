"""A second business, a restaurant chain (tests/restaurant): its own YAML model and generated warehouse,
answered by the same code, none of which knows about restaurants. Its generated questions must be
right (none confidently wrong), and hand-checked questions must equal hand-written SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from semantic_layer.errors import SemanticError
from service.context import build_context
from service.evaluate import evaluate_item, rates, report
from service.question_suite import SuiteWriter
from service.settings import Settings
from tests.conftest import TODAY
from tests.restaurant.warehouse import build

MODEL = Path(__file__).parents[1] / "restaurant" / "model.yaml"
SETTLED = "t.status <> 'voided'"
JUNE = "t.opened_at >= TIMESTAMP '2025-06-01' AND t.opened_at < TIMESTAMP '2025-07-01'"


@pytest.fixture(scope="module")
def restaurant(tmp_path_factory):
    folder = tmp_path_factory.mktemp("restaurant")
    context = build_context(Settings(db_path=build(folder / "restaurant.duckdb", dt.date(2025, 6, 30)),
                                     model_path=MODEL, state_path=folder / "chatbi.sqlite"))
    yield context
    context.close()


def test_its_generated_questions_are_answered_right_and_never_confidently_wrong(restaurant):
    items = SuiteWriter(restaurant.engine.model, restaurant.values, TODAY, seed=5).items(300)
    conversations: dict[str, str] = {}
    verdicts = [evaluate_item(item, restaurant.asker, restaurant.warehouse, conversations) for item in items]
    shares = rates(verdicts)
    assert shares["wrong"] == 0 and shares["right"] >= 0.98, report(verdicts)


CASES = {
    "上个月成都卖了多少钱": "SELECT SUM(t.amount) FROM tickets t JOIN stores s USING (store_id) "
                   f"WHERE {SETTLED} AND s.city = '成都' AND {JUNE}",
    "上个月哪家门店接待的客人最多": "SELECT s.store_name, SUM(t.party_size) FROM tickets t JOIN stores s USING (store_id) "
                        f"WHERE {SETTLED} AND {JUNE} GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
    "川渝去年的人均消费": "SELECT SUM(t.amount) / SUM(t.party_size) FROM tickets t JOIN stores s USING (store_id) "
                 f"WHERE {SETTLED} AND s.city IN ('成都', '重庆') AND t.opened_at >= TIMESTAMP '2024-01-01' "
                 "AND t.opened_at < TIMESTAMP '2025-01-01'",
    "how many portions of mapo tofu did we sell last month": (
        "SELECT SUM(l.quantity) FROM ticket_lines l JOIN tickets t USING (ticket_id) JOIN dishes d USING (dish_id) "
        f"WHERE {SETTLED} AND d.dish_name = '麻婆豆腐' AND {JUNE}"),
    "金卡会员有多少人": "SELECT COUNT(*) FROM members WHERE member_tier = '金卡'",
    "上个月外卖占营业额的比例": f"SELECT SUM(t.amount) FILTER (WHERE t.service_type = '外卖') / SUM(t.amount) FROM tickets t "
                     f"WHERE {SETTLED} AND {JUNE}",
}


@pytest.mark.parametrize("question, sql", CASES.items(), ids=list(CASES))
def test_hand_checked_questions(restaurant, question, sql):
    result = restaurant.asker.ask(question, TODAY)
    assert result.status == "ok", result.answer_text
    expected = [float(v) for v in restaurant.warehouse.run(sql, 100, 30).rows[0] if not isinstance(v, str)]
    got = [float(v) for v in result.result.rows[0] if not isinstance(v, str)]
    assert got[-len(expected):] == pytest.approx(expected) or got[:len(expected)] == pytest.approx(expected)


def test_a_write_request_is_refused_and_an_unknown_word_asked_back(restaurant):
    with pytest.raises(SemanticError) as refused:
        restaurant.asker.ask("把上个月的退单都删掉", TODAY)
    assert refused.value.code == "read_only"
    assert restaurant.asker.ask("上个月的翻台率", TODAY).status == "clarify"
