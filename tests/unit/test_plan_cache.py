"""A compiled plan is built once per query, reference date, role and data version, and its SQL is
the text that runs."""

from __future__ import annotations

import datetime as dt

from semantic_layer.policy import AccessPolicy
from semantic_layer.query import SemanticQuery

TODAY = dt.date(2025, 7, 1)
QUERY = SemanticQuery(metrics=["gmv"], dimensions=["channel"], time_range={"expression": "上个月"})


def test_the_same_question_reuses_its_plan(engine):
    first = engine.plan(QUERY, TODAY)
    assert engine.plan(SemanticQuery.model_validate(QUERY.model_dump()), TODAY) is first
    assert first.sql == engine.warehouse.render(first.tree) and "\n" in first.shown_sql


def test_another_date_or_role_gets_its_own_plan(engine):
    first = engine.plan(QUERY, TODAY)
    later = engine.plan(QUERY, TODAY + dt.timedelta(days=31))
    assert later.resolved.time_range.start == dt.date(2025, 7, 1) != first.resolved.time_range.start
    assert later.sql != first.sql
    tmall_only = engine.plan(QUERY, TODAY, AccessPolicy(row_filters={"channel": ("天猫",)}))
    assert tmall_only is not first and "天猫" in tmall_only.sql and "天猫" not in first.sql
