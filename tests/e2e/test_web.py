"""The chat page in a real browser (Debian's chromium driven by Playwright) against a real server
over the demo warehouse: answers, follow-ups, chips, CSV, permalinks, and nothing leaves the
service. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from semantic_layer.narrate import format_value
from tests.e2e.conftest import start_service

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]
ARTIFACTS = Path(os.environ.get("CHATBI_ARTIFACTS", Path(__file__).parents[2] / "artifacts")) / "screenshots"


@pytest.fixture(scope="module")
def web_server(warehouse_path, tmp_path_factory):
    process, base = start_service(warehouse_path, tmp_path_factory.mktemp("web") / "chatbi.sqlite",
                                  CHATBI_REFERENCE_DATE="2025-07-01", CHATBI_RATE_LIMIT_PER_MIN="1000")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser, web_server):
    """A fresh page that records every request and console problem; the test ends by checking
    that no request left the service and nothing went wrong in the console."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="zh-CN")
    tab = context.new_page()
    tab.requests, tab.problems = [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("console", lambda message: tab.problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    tab.goto(web_server + "/")
    tab.wait_for_selector("body[data-ready=true]")
    yield tab
    outside = [url for url in tab.requests if not url.startswith(web_server) and not url.startswith("data:")]
    assert outside == [], outside
    assert tab.problems == [], tab.problems
    context.close()


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def ask(page: Page, question: str) -> None:
    count = page.locator("[data-testid=answer]").count()
    page.fill("#question", question)
    page.keyboard.press("Enter")
    page.locator("[data-testid=answer]").nth(count).wait_for()


def api_answer(server: str, question: str, conversation_id: str | None = None) -> dict:
    body = {"question": question}
    if conversation_id:
        body["conversation_id"] = conversation_id
    return httpx.post(f"{server}/api/v1/ask", json=body, timeout=30).json()


def table_cells(page: Page, card) -> list[list[str]]:
    return [[cell.inner_text() for cell in row.locator("td").all()] for row in card.locator("tbody tr").all()]


def reading_shown(card) -> list[str]:
    """The reading's pieces as the card shows them, visible without a click (a period chip shows
    its chosen option)."""
    bar = card.locator("[data-testid=reading]")
    assert bar.is_visible()
    return [piece.locator("select option").first.inner_text() if piece.locator("select").count()
            else piece.locator("span").first.inner_text() for piece in bar.locator(".piece").all()]


def in_view_above_the_composer(page: Page, locator) -> bool:
    box, composer = locator.bounding_box(), page.locator("#composer").bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= composer["y"] + 0.5


def formatted(body: dict) -> list[list[str]]:
    columns = body["columns"]
    return [[format_value(v, "change" if c["name"].endswith("__change") else c["format"], "zh")
             for v, c in zip(row, columns)] for row in body["rows"]]


def test_a_question_draws_a_chart_and_the_table_equals_the_api_rows(page, web_server):
    assert page.locator("#demo-banner").inner_text() == "演示模式：未开启身份验证，仅供本机试用。"
    shoot(page, "01-empty-state")
    question = "最近一个月上海地区初抗老白领最喜欢的TOP3产品是哪些?"
    ask(page, question)
    card = page.locator("[data-testid=answer]").last
    card.locator("[data-testid=chart] canvas").wait_for()
    expected = api_answer(web_server, question)
    assert table_cells(page, card) == formatted(expected)
    assert card.locator("[data-testid=answer-text]").inner_text() == expected["answer"]
    assert reading_shown(card) == [p["text"] for p in expected["interpretation"]["reading"]]
    assert card.locator("[data-testid=sql]").is_hidden()  # the reading is on top; the SQL behind a click
    card.locator("[data-testid=understanding] summary").click()
    assert "SELECT" in card.locator("[data-testid=sql]").inner_text()
    shoot(page, "02-answer-with-chart")


def test_a_follow_up_continues_the_conversation(page, web_server):
    ask(page, "上个月的成交金额")
    first = page.locator("[data-testid=answer]").last
    first.locator("[data-testid=kpi]").wait_for()
    ask(page, "那按渠道拆分呢")
    card = page.locator("[data-testid=answer]").last
    card.locator("[data-testid=chart] canvas").wait_for()
    rows = table_cells(page, card)
    assert len(rows) == 5 and {r[0] for r in rows} == {"天猫", "抖音", "京东", "小红书", "微信小程序"}
    conversation = api_answer(web_server, "上个月的成交金额")["conversation_id"]
    expected = api_answer(web_server, "那按渠道拆分呢", conversation)
    assert rows == formatted(expected)
    shoot(page, "03-follow-up")


def test_clicking_a_clarification_chip_asks_it(page):
    ask(page, "销售情况怎么样")
    card = page.locator("[data-testid=answer]").last
    assert card.get_attribute("data-status") == "clarify"
    chip = card.locator("[data-testid=suggestions] .chip").first
    suggestion = chip.inner_text()
    shoot(page, "04-clarify")
    chip.click()
    page.locator("[data-testid=answer]").nth(1).wait_for()
    last = page.locator("[data-testid=answer]").last
    assert last.get_attribute("data-status") == "ok"
    assert page.locator(".bubble").last.inner_text() == suggestion


def test_csv_download_holds_every_row(page, web_server):
    ask(page, "各城市的订单数")
    card = page.locator("[data-testid=answer]").last
    with page.expect_download() as download:
        card.locator("[data-testid=csv]").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    expected = api_answer(web_server, "各城市的订单数")
    assert rows[0] == ["城市", "订单数"]
    assert [[r[0], int(r[1])] for r in rows[1:]] == expected["rows"]


def test_feedback_is_stored(page, web_server):
    ask(page, "今年的退款率")
    card = page.locator("[data-testid=answer]").last
    card.locator("[data-testid=thumbs-down]").click()
    card.locator(".feedback .note").wait_for()
    feedback = httpx.get(f"{web_server}/api/v1/feedback").json()
    assert feedback[-1]["rating"] == "down" and feedback[-1]["question"] == "今年的退款率"


def test_a_permalink_shows_that_answer_alone(page, web_server):
    body = api_answer(web_server, "今年每月的GMV")
    page.goto(f"{web_server}/a/{body['answer_id']}")
    page.wait_for_selector("body[data-ready=true]")
    page.locator("[data-testid=chart] canvas").wait_for()
    assert page.locator("[data-testid=answer]").count() == 1
    assert page.locator("#composer").is_hidden()
    assert table_cells(page, page.locator("[data-testid=answer]")) == formatted(body)
    shoot(page, "05-permalink")


def test_the_catalog_shows_definitions_and_searches(page):
    page.click("#catalog-toggle")
    assert page.locator("[data-testid=catalog-metric]").count() == 30  # the catalog: 20 of metrics.md + 10
    page.fill("#catalog-search", "复购")
    metrics = page.locator("[data-testid=catalog-metric]")
    assert metrics.count() == 1 and "至少2笔" in metrics.first.inner_text()
    shoot(page, "06-catalog")
    page.fill("#catalog-search", "沉睡")  # a scenario segment shows its rule
    segments = page.locator("[data-testid=catalog-dimension]")
    assert segments.count() == 1 and "91-180 天沉睡" in segments.first.inner_text()
    page.fill("#catalog-search", "留存")  # an analysis shows how it is computed
    analyses = page.locator("[data-testid=catalog-analysis]")
    assert analyses.count() == 1 and "第0月为100%" in analyses.first.inner_text()
    page.fill("#catalog-search", "没买过")  # a scenario segment that is a way of asking, with its definition
    assert "从未有已付款订单含Y的客户" in page.locator("[data-testid=catalog-analysis]").first.inner_text()


def test_english_toggle_and_phone_width(page, web_server):
    page.click("#language-toggle")
    assert page.locator("#send").inner_text() == "Ask"
    page.set_viewport_size({"width": 390, "height": 844})
    ask(page, "ROI by channel in Q2")
    page.locator("[data-testid=answer]").last.locator("[data-testid=chart] canvas").wait_for()
    for part in ("[data-testid=answer]", "#composer", ".topbar"):
        box = page.locator(part).last.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, part
    axis = page.evaluate("() => { const box = [...document.querySelectorAll('[data-testid=chart]')].pop(); "
                         "const label = echarts.getInstanceByDom(box).getOption().xAxis[0].axisLabel; "
                         "return {rotate: label.rotate, interval: label.interval, hide: !!label.hideOverlap}; }")
    assert axis == {"rotate": 40, "interval": 0, "hide": False}  # every channel keeps its label, turned
    shoot(page, "07-phone-english")
    page.click("#language-toggle")  # leave the default language for the next page


def test_errors_are_readable(page):
    page.route("**/api/v1/ask", lambda route: route.fulfill(status=503, content_type="application/json",
                                                              body='{"status":"error","error":{"code":"x","message":"服务暂时不可用"}}'))
    ask(page, "上个月的成交金额")
    card = page.locator("[data-testid=answer]").last
    assert card.get_attribute("data-status") == "error" and "服务暂时不可用" in card.inner_text()
    page.problems.clear()  # the browser logs the 503 itself


def test_removing_a_filter_chip_asks_again_without_it(page, web_server):
    ask(page, "上个月上海的成交金额")
    card = page.locator("[data-testid=answer]").first
    assert "城市: 上海" in reading_shown(card)
    shoot(page, "08-reading-chips")
    before = card.locator("[data-testid=answer-text]").inner_text()
    card.locator("[data-testid=remove-filter]").click()
    page.locator("[data-testid=answer]").nth(1).wait_for()
    after = page.locator("[data-testid=answer]").last
    expected = api_answer(web_server, "上个月的成交金额")
    assert reading_shown(after) == [p["text"] for p in expected["interpretation"]["reading"]]
    assert after.locator("[data-testid=answer-text]").inner_text() == expected["answer"]
    assert after.locator("[data-testid=answer-text]").inner_text() != before


def test_the_period_chip_changes_the_period(page, web_server):
    ask(page, "上个月各渠道的订单数")
    card = page.locator("[data-testid=answer]").last
    card.locator("[data-testid=period-select]").select_option("最近7天")
    page.locator("[data-testid=answer]").nth(1).wait_for()
    after = page.locator("[data-testid=answer]").last
    expected = api_answer(web_server, "最近7天各渠道的订单数")
    assert table_cells(page, after) == formatted(expected)
    assert "2025-06-24 至 2025-06-30" in reading_shown(after)


def test_every_answer_ends_in_view_above_the_composer(page):
    for question in ("各城市的订单数", "销售情况怎么样", "今年每月的GMV"):
        ask(page, question)
        card = page.locator("[data-testid=answer]").last
        last_row = card.locator("footer.card-actions, [data-testid=suggestions]").last
        page.wait_for_function("() => { const c = document.getElementById('chat'); "
                               "return Math.abs(c.scrollTop + c.clientHeight - c.scrollHeight) < 2; }")
        assert in_view_above_the_composer(page, last_row), question
    shoot(page, "09-last-row-in-view")


def test_a_long_table_is_shown_in_full_on_request(page):
    ask(page, "各城市的订单数")
    card = page.locator("[data-testid=answer]").last
    total = card.locator("tbody tr").count()
    assert total > 9 and card.locator("tbody tr:visible").count() == 9
    button = card.locator("[data-testid=show-all]")
    assert button.inner_text() == f"显示全部 {total} 行"
    button.click()
    assert card.locator("tbody tr:visible").count() == total and button.count() == 0


def test_a_period_past_the_data_says_how_fresh_it_is(page):
    ask(page, "今年的成交金额")
    card = page.locator("[data-testid=answer]").last
    assert card.locator("[data-testid=freshness]").inner_text() == "数据截至 2025-06-30"
    shoot(page, "10-freshness")
    ask(page, "2025年7月的成交金额")
    empty = page.locator("[data-testid=answer]").last
    assert empty.locator("[data-testid=answer-text]").inner_text() == "这段时间还没有数据（数据截至 2025-06-30）。"
    assert "-" not in empty.locator("[data-testid=answer-text]").inner_text().replace("2025-06-30", "")


def test_a_partial_month_is_marked_and_never_the_lowest(page, web_server):
    question = "最近90天每月的订单数"
    ask(page, question)
    card = page.locator("[data-testid=answer]").last
    card.locator("[data-testid=chart] canvas").wait_for()
    expected = api_answer(web_server, question)
    assert expected["partial_rows"] == [0]
    first = card.locator("tbody tr").first
    assert first.get_attribute("data-partial") == "true" and first.locator("td").first.inner_text().endswith("(不完整)")
    partial_month = str(expected["rows"][0][0])
    assert f"最低在 {partial_month}" not in expected["answer"] and f"最高在 {partial_month}" not in expected["answer"]
    shoot(page, "11-partial-month")


def test_english_money_uses_one_unit_per_column(page):
    page.click("#language-toggle")
    ask(page, "GMV by city")  # from ¥7M down to under ¥1M: all in M
    card = page.locator("[data-testid=answer]").last
    card.locator("[data-testid=chart] canvas").wait_for()
    figures = [row[1] for row in table_cells(page, card)]
    assert all(f.startswith("¥") and f.endswith("M") for f in figures) and any(f.startswith("¥0.") for f in figures)
    page.click("#language-toggle")


def charted_answer(page: Page, server: str, question: str, chart: str):
    """Ask on the page; its card once the chart is drawn, and the API's answer to the same question."""
    ask(page, question)
    card = page.locator("[data-testid=answer]").last
    card.locator(f"[data-testid=chart][data-chart-type={chart}] canvas").first.wait_for()
    expected = api_answer(server, question)
    assert table_cells(page, card) == formatted(expected)
    return card, expected


def test_cohort_retention_is_a_heatmap_with_the_matrix_as_its_table(page, web_server):
    card, expected = charted_answer(page, web_server, "最近6个月的新客留存", "heatmap")
    assert expected["analysis"]["kind"] == "cohort_retention" and len(expected["rows"]) == 6
    assert all(row[2] == "100.0%" for row in table_cells(page, card))  # month 0 is everyone
    shoot(page, "13-cohort-heatmap")


def test_an_ab_test_shows_its_verdict_card(page, web_server):
    question = "满减券vs折扣券那个实验显著吗"
    ask(page, question)
    card = page.locator("[data-testid=answer]").last
    verdict = card.locator("[data-testid=verdict]")
    verdict.wait_for()
    expected = api_answer(web_server, question)
    headline = expected["analysis"]["comparisons"][0]
    assert headline["significant"] and verdict.locator("[data-testid=verdict-badge]").inner_text() == "显著：B 更好"
    assert "p < 0.001" in verdict.inner_text() or f"p = {headline['p_value']:.3f}" in verdict.inner_text()
    assert table_cells(page, card) == formatted(expected)
    ask(page, "召回短信文案测试的结果")
    second = page.locator("[data-testid=answer]").last.locator("[data-testid=verdict]")
    second.wait_for()
    assert second.locator("[data-testid=verdict-badge]").inner_text() == "无显著差异"
    shoot(page, "14-ab-test-verdict")


def test_why_a_metric_changed_is_a_waterfall_with_the_dimensions_ranked(page, web_server):
    card, expected = charted_answer(page, web_server, "上个月GMV环比下降主要是哪个渠道拖累的", "waterfall")
    assert card.locator("[data-testid=answer-text]").inner_text() == expected["answer"]
    card.locator("[data-testid=dimension-power] summary").click()
    assert "渠道 " in card.locator("[data-testid=dimension-power]").inner_text()
    shoot(page, "15-attribution-waterfall")


def test_a_customer_list_shows_its_count_and_downloads_the_full_list(page, web_server):
    question = "把沉睡的金卡会员列出来"
    ask(page, question)
    card = page.locator("[data-testid=answer]").last
    expected = api_answer(web_server, question)
    assert card.locator("[data-testid=answer-text]").inner_text() == expected["answer"]
    assert len(table_cells(page, card)) == len(expected["rows"]) == 20
    with page.expect_download() as download:
        card.locator("[data-testid=export-list]").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("客户ID,城市,会员等级") and len(lines) - 1 == expected["analysis"]["count"]
    shoot(page, "16-customer-list")
