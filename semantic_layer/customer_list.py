"""A customer list (圈人): the rows of the model's list table for everyone a counting metric counts
with the question's filters and period, by key, as one SELECT (spec/customer_ops.md 6)."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer.compile import QueryCompiler, with_derived_tables
from semantic_layer.errors import QueryInvalid
from semantic_layer.model import SemanticModel
from semantic_layer.resolve import CountedEntity, ResolvedQuery, counted_entity


def listed_entity(model: SemanticModel, query: ResolvedQuery) -> CountedEntity:
    """Who the query's metric counts, which must be the people the list holds (buyers are customers;
    GMV counts no one)."""
    spec = model.analyses.customer_list
    entity, listed = (counted_entity(model, m) for m in (query.metrics[0], model.metric_by_id[spec.who]))
    if entity is None or entity.table != listed.table:
        raise QueryInvalid(f"名单按人数类指标圈人（如{model.metric_by_id[spec.who].name.zh}），"
                           f"{query.metrics[0].name.zh}不是", f"a list chooses people by a metric that counts them "
                                                             f"(like {spec.who}), not {query.metrics[0].id}")
    return entity


def compile_list(model: SemanticModel, query: ResolvedQuery, limit: int,
                 hidden_metrics: frozenset[str] = frozenset()) -> exp.Select:
    """``query``: the count of the people listed (the list's metric, filters, period); columns that
    show a hidden metric are left out."""
    spec = model.analyses.customer_list
    table = model.table_by_name[spec.table]
    entity = listed_entity(model, query)
    compiler = QueryCompiler(model, query)
    members = compiler.members()
    key = exp.column(entity.column, table=spec.table)
    shown = [c for c in table.columns if spec.metric_columns.get(c) not in hidden_metrics]
    listed = exp.select(*[exp.column(c, table=spec.table) for c in shown]).from_(
        exp.to_table(spec.table).as_(spec.table)).where(exp.In(this=key, query=members.subquery())).order_by(
        key.copy()).limit(limit)
    return with_derived_tables(model, listed, [spec.table, *compiler.derived_tables], query.today)

