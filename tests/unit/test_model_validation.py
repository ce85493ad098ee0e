"""Loading a model checks the YAML and the warehouse together and reports every problem at once,
each with file, line, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from semantic_layer.errors import ModelInvalid
from semantic_layer.loader import DEMO_MODEL, load_model


def broken_copy(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = DEMO_MODEL.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_the_shipped_model_is_valid_against_the_demo_warehouse(model):
    assert len(model.metrics) == 30 and model.dimension_by_id["region"].groups


def test_every_problem_is_reported_at_once_with_file_line_and_key(tmp_path, warehouse):
    path = broken_copy(
        tmp_path,
        ("bindings: [{table: channels, column: channel_name}]", "bindings: [{table: channels, column: channel_nam}]"),
        ("expr: refunded_orders / orders", "expr: refunded_orders / paid_orderz"),
        ("synonyms: [买家数,", "synonyms: [销售额, 买家数,"),
        ("bindings: [{table: coupons, column: coupon_type}]", "bindings: [{table: coupon_sheet, column: kind}]"),
    )
    with pytest.raises(ModelInvalid) as caught:
        load_model(path, schema=warehouse.schema())
    issues = {(issue.key, issue.reason): issue for issue in caught.value.issues}
    texts = [str(issue) for issue in caught.value.issues]
    assert len(texts) >= 4, texts
    channel = issues[("dimensions[channel].bindings[0]", "unknown column channels.channel_nam")]
    assert channel.line == line_of(path, "column: channel_nam}") and channel.file == str(path)
    assert ("metrics[refund_rate].expr", "metric is built on a missing measure 'paid_orderz'") in issues
    assert any(k == "metrics[buyer_count].synonyms" and "销售额" in r and "gmv" in r for k, r in issues)
    assert any(k.startswith("dimensions[coupon_type].bindings") and "coupon_sheet" in r for k, r in issues)


def test_a_dimension_no_metric_reaches_is_reported(tmp_path, warehouse):
    path = broken_copy(tmp_path, ("  - {from: marketing_spend, to: campaigns, keys: [[campaign_id, campaign_id]]}\n", ""),
                       ("  - {from: orders, to: campaigns, keys: [[campaign_id, campaign_id]]}\n", ""),
                       ("  - {from: coupons, to: campaigns, keys: [[campaign_id, campaign_id]]}\n", ""))
    with pytest.raises(ModelInvalid) as caught:
        load_model(path, schema=warehouse.schema())
    assert any("'campaign' is unreachable" in issue.reason for issue in caught.value.issues)


def test_yaml_type_errors_name_the_key_and_line(tmp_path):
    path = broken_copy(tmp_path, ("format: money\n    expr: paid_amount\n", "format: dollars\n    expr: paid_amount\n"))
    with pytest.raises(ModelInvalid) as caught:
        load_model(path)
    issue = caught.value.issues[0]
    assert issue.key == "metrics[gmv].format" and issue.line == line_of(path, "format: dollars")


def test_unparsable_yaml_is_one_clear_issue(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("metrics: [unclosed\n", encoding="utf-8")
    with pytest.raises(ModelInvalid) as caught:
        load_model(path)
    assert caught.value.issues[0].line is not None


def test_analyses_predictions_and_lists_are_checked(tmp_path, warehouse):
    path = broken_copy(
        tmp_path,
        ("    who: customer_count", "    who: gmv"),
        ("columns: {customer_id: BIGINT, city: VARCHAR, member_level: VARCHAR,",
         "columns: {customer_id: BIGINT, customer_phone: VARCHAR, city: VARCHAR, member_level: VARCHAR,"),
        ("    cohort: cohort_month", "    cohort: cohort_week"),
        ("tiers: [{label: 高风险, at_least: 0.7}, {label: 中风险, at_least: 0.4}, {label: 低风险, at_least: 0}]",
         "tiers: [{label: 中风险, at_least: 0.4}, {label: 高风险, at_least: 0.7}]"),
    )
    with pytest.raises(ModelInvalid) as caught:
        load_model(path, schema=warehouse.schema())
    reasons = {issue.reason for issue in caught.value.issues}
    assert "a list never holds names, phone numbers or addresses" in reasons
    assert "'gmv' does not count people by a key" in reasons
    assert "unknown dimension 'cohort_week'" in reasons
    assert "tiers go from the highest bound down to one at 0" in reasons
