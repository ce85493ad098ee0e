"""``chatbi model check``: a model against a warehouse. The loader's rules with the warehouse's
schema (every table and column named exists), then on the engine itself: every measure, metric and
dimension compiled by the service's own compiler and run with ``LIMIT 0``, and every join's target
shown to hold one row per key. Every problem is located (file:line and key)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError
from sqlglot import exp

from semantic_layer.expressions import parse_snippet
from semantic_layer.errors import ModelInvalid, ModelIssue, SemanticError
from semantic_layer.graph import reach_dimension
from semantic_layer.loader import IssueAt, load_model, read_model_file
from semantic_layer.model import Join, SemanticModel
from semantic_layer.query import DimensionRef, SemanticQuery
from semantic_layer.resolve import metric_facts
from service.answers import QueryEngine
from service.context import training_rows
from service.predicted_tags import with_predictions
from service.warehouse import Warehouse

TIMEOUT_S = 60
CHECK_PREFIX = "_check_"  # a metric of one measure, made only to run that measure


def check_model_on_warehouse(path: Path, warehouse: Warehouse, today: dt.date) -> list[ModelIssue]:
    """Every problem of the model file at ``path`` on ``warehouse``; none when it is sound."""
    data, issue_at = read_model_file(path)
    schema = warehouse.schema()
    joins = _join_issues(data.get("joins") if isinstance(data, dict) else None, schema, warehouse, issue_at)
    try:
        model = load_model(path, schema=schema)
    except ModelInvalid as error:
        return sorted([*error.issues, *joins], key=lambda issue: issue.line or 0)
    model, _ = with_predictions(model, lambda sql: training_rows(warehouse, sql, TIMEOUT_S), today)
    return [*joins, *_expression_issues(model, warehouse, issue_at, today)]


def _join_issues(joins, schema: dict[str, dict[str, str]], warehouse: Warehouse, issue_at: IssueAt) -> list[ModelIssue]:
    """A join is many-to-one only if no key value of its target has two rows. Read from the file's
    data, so that it is checked even when the model has other problems; a join naming what the
    warehouse lacks is left to the loader's rules."""
    issues = []
    for i, raw in enumerate(joins if isinstance(joins, list) else []):
        try:
            join = Join.model_validate(raw)
        except ValidationError:
            continue
        if not all(right in schema.get(join.target, {}) for _, right in join.keys):
            continue
        keys = [exp.column(right, quoted=True) for _, right in join.keys]
        count = exp.Count(this=exp.Star())
        duplicates = (exp.select(*keys, count.as_("row_count")).from_(exp.to_table(join.target, quoted=True))
                      .group_by(*(k.copy() for k in keys)).having(exp.GT(this=count.copy(), expression=exp.Literal.number(1)))
                      .limit(1))
        try:
            rows = warehouse.run(duplicates, 1, TIMEOUT_S).rows
        except SemanticError as error:
            issues.append(issue_at(("joins", i), error.text("en")))
            continue
        if rows:
            *values, count_value = rows[0]
            shown = ", ".join(f"{column} = {value!r}" for (_, column), value in zip(join.keys, values))
            issues.append(issue_at(("joins", i), f"not many-to-one: {count_value} rows of {join.target} have "
                                                 f"{shown} (a key of the target must name one row)"))
    return issues


def _with_measure_metrics(model: SemanticModel) -> SemanticModel:
    """The model plus one metric per measure, so that a measure no metric uses is run too."""
    data = model.model_dump(by_alias=True, exclude_unset=True)
    data["metrics"] = [*data["metrics"], *({"id": f"{CHECK_PREFIX}{m.name}", "name": {"zh": m.name, "en": m.name},
                                            "description": {"zh": m.name, "en": m.name}, "format": "number",
                                            "expr": m.name} for f in model.facts for m in f.measures)]
    return SemanticModel.model_validate(data)


def _expression_issues(model: SemanticModel, warehouse: Warehouse, issue_at: IssueAt,
                       today: dt.date) -> list[ModelIssue]:
    checked = _with_measure_metrics(model)
    engine = QueryEngine(checked, warehouse, row_cap=1, timeout_s=TIMEOUT_S)
    time = DimensionRef(name=model.time_dimension, grain="month") if model.time_dimension in model.dimension_by_id \
        else None

    def fails(metric: str, dimensions: list[DimensionRef]) -> str | None:
        try:
            plan = engine.plan(SemanticQuery(metrics=[metric], dimensions=dimensions), today)
            warehouse.run(plan.tree.limit(0), 1, TIMEOUT_S)
        except SemanticError as error:
            return error.text("en")
        return None

    issues, broken = [], set()
    for fi, fact in enumerate(model.facts):
        for mi, measure in enumerate(fact.measures):
            if problem := fails(f"{CHECK_PREFIX}{measure.name}", []):
                issues.append(issue_at(("facts", fi, "measures", mi), problem))
                broken.add(measure.name)
        sound = next((m.name for m in fact.measures if m.name not in broken), None)
        if fact.time and time and sound and (problem := fails(f"{CHECK_PREFIX}{sound}", [time])):
            issues.append(issue_at(("facts", fi, "time"), problem))
    usable = []
    for i, metric in enumerate(model.metrics):
        if broken & {c.name for c in parse_snippet(metric.expr).find_all(exp.Column)}:
            continue  # its measure's own issue says why
        if problem := fails(metric.id, []):
            issues.append(issue_at(("metrics", i, "expr"), problem))
        else:
            usable.append(metric)
    for i, dimension in enumerate(model.dimensions):
        metric = next((m for m in usable if all(reach_dimension(model, f, dimension) for f in metric_facts(model, m))),
                      None)
        if dimension.time or metric is None:
            continue
        if problem := fails(metric.id, [DimensionRef(name=dimension.id)]):
            issues.append(issue_at(("dimensions", i), problem))
    return issues
