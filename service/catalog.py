"""The catalog the API, the web page and (later) the parser share: metrics with their allowed
dimensions, and dimensions with the values the warehouse holds."""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from semantic_layer.expressions import bind_today, parse_derived_table
from semantic_layer.model import GRAINS, SemanticModel
from semantic_layer.policy import OPEN, AccessPolicy
from semantic_layer.query import ANALYSES
from semantic_layer.resolve import allowed_dimensions
from service.answers import QueryEngine
from service.schemas import CatalogAnalysis, CatalogDimension, CatalogMetric

MAX_VALUES = 500


def dimension_values(engine: QueryEngine, policy: AccessPolicy = OPEN, user: str | None = None,
                     today: dt.date | None = None) -> dict[str, list[str]]:
    """Distinct values of each categorical dimension inside the role's rows (read through the
    engine, the one door to data); groups and bands come from the model, narrowed by the role's
    own filter on that dimension."""
    values: dict[str, list[str]] = {}
    for dimension in engine.model.dimensions:
        if dimension.groups or dimension.bands:
            labels = list(dimension.groups) if dimension.groups else [band.label for band in dimension.bands]
            allowed = policy.row_filters.get(dimension.id)
            values[dimension.id] = [v for v in labels if allowed is None or v in allowed]
        else:
            found: set[str] = set()
            for binding in dimension.bindings:
                source = _source(engine.model, binding.table, engine.allowed, today or dt.date.today())
                # a column's values, or those of an expression over the table's own columns ('用券'/'未用券')
                value = f'"{binding.column}"' if binding.column else binding.expr
                if source and value and ":today" not in value:
                    sql = (f"SELECT DISTINCT v FROM (SELECT {value} AS v FROM {source}) AS d "
                           f"WHERE v IS NOT NULL LIMIT {MAX_VALUES}")
                    found.update(str(row[0]) for row in engine.answer_sql(sql, policy, today, user).rows)
                found.update(_labels(engine.model, binding.table, binding.column))
            values[dimension.id] = sorted(found)
    return values


def _labels(model: SemanticModel, table: str, column: str | None) -> list[str]:
    """The labels a derived table's CASE column can take ('沉睡客户', '首购未复购'), whether or not a
    customer holds one today: words the parser must know whatever the reference date."""
    declared = model.table_by_name.get(table)
    if declared is None or not declared.sql or not column:
        return []
    projection = next((e for e in parse_derived_table(declared.sql).selects if e.alias_or_name == column), None)
    case = projection.this if isinstance(projection, exp.Alias) else None
    if not isinstance(case, exp.Case):
        return []
    branches = [branch.args.get("true") for branch in case.args.get("ifs", [])] + [case.args.get("default")]
    return [b.this for b in branches if isinstance(b, exp.Literal) and b.is_string]


def _source(model: SemanticModel, table: str, physical: dict, today: dt.date) -> str | None:
    """A warehouse table, or a derived table of the model (RFM segments) as a subquery."""
    if table in physical:
        return f'"{table}"'
    declared = model.table_by_name.get(table)
    if declared is None or not declared.sql:
        return None
    return f"({bind_today(parse_derived_table(declared.sql), today).sql('duckdb')}) AS derived"


def catalog_metrics(model: SemanticModel) -> list[CatalogMetric]:
    return [CatalogMetric(id=m.id, name=m.name.model_dump(), synonyms=list(m.synonyms),
                          description=m.description.model_dump(), format=m.format, time_scope=m.time_scope,
                          dimensions=[d.id for d in allowed_dimensions(model, m)])
            for m in model.metrics]


def catalog_analyses(model: SemanticModel) -> list[CatalogAnalysis]:
    specs = [(kind, getattr(model.analyses, kind)) for kind in ANALYSES]
    return [CatalogAnalysis(id=kind, name=spec.name.model_dump(), synonyms=list(spec.synonyms),
                            description=spec.description.model_dump()) for kind, spec in specs if spec] + [
        CatalogAnalysis(id=p.id, kind="pattern", name=p.name.model_dump(), synonyms=list(p.examples),
                        description=p.description.model_dump()) for p in model.patterns]


def catalog_dimensions(model: SemanticModel, values: dict[str, list[str]]) -> list[CatalogDimension]:
    return [CatalogDimension(id=d.id, label=d.label.model_dump(), synonyms=list(d.synonyms), time=d.time,
                             grains=list(GRAINS) if d.time else [], values=values.get(d.id, []),
                             value_synonyms=dict(d.value_synonyms),
                             description=d.description.model_dump() if d.description else None)
            for d in model.dimensions]
