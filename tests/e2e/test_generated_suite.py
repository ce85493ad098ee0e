"""A fixed slice of the generated suite (gold by construction, service/question_suite.py) through the
same path as /ask; the whole suite (2,000+) runs with `make eval`."""

from __future__ import annotations

from service.evaluate import evaluate_item, rates, report
from service.question_suite import SuiteWriter
from tests.conftest import TODAY

SLICE = 300



def evaluate(context, items):
    conversations: dict[str, str] = {}
    return [evaluate_item(item, context.asker, context.warehouse, conversations) for item in items]


def test_the_slice_is_right_and_never_confidently_wrong(context):
    verdicts = evaluate(context, SuiteWriter(context.engine.model, context.values, TODAY, seed=7).items(SLICE))
    shares = rates(verdicts)
    assert shares["wrong"] == 0 and shares["right"] >= 0.98, report(verdicts)


def test_no_question_with_a_word_nobody_defined_is_answered(context):
    items = [item for item in SuiteWriter(context.engine.model, context.values, TODAY, seed=11).items(2000)
             if item["class"] in ("unknown_word", "write")]
    verdicts = evaluate(context, items)
    assert len(items) >= 100 and all(v.outcome == "right" for v in verdicts), report(verdicts)


def test_the_suite_is_deterministic_for_a_seed(context):
    first = SuiteWriter(context.engine.model, context.values, TODAY, seed=3).items(50)
    assert first == SuiteWriter(context.engine.model, context.values, TODAY, seed=3).items(50)
    assert first != SuiteWriter(context.engine.model, context.values, TODAY, seed=4).items(50)
