"""A customer list (圈人): the rows of the model's list table for everyone a counting metric counts
with the question's filters and period, by key, as one SELECT whose derived tables come first, each
after the ones it reads (spec/customer_ops.md 6)."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer.compile import QueryCompiler
from semantic_layer.expressions import bind_today, parse_derived_table
from semantic_layer.model import SemanticModel
from semantic_layer.errors import QueryInvalid
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
    for name in _in_reading_order(model, [spec.table, *compiler.derived_tables]):
        listed = listed.with_(exp.to_identifier(name), as_=bind_today(
            parse_derived_table(model.table_by_name[name].sql), query.today))
    return listed


def _in_reading_order(model: SemanticModel, names: list[str]) -> list[str]:
    """The derived tables named and those they read, each after the ones it reads."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for source in parse_derived_table(model.table_by_name[name].sql).find_all(exp.Table):
            if source.name in model.table_by_name and model.table_by_name[source.name].sql and source.name != name:
                visit(source.name)
        ordered.append(name)
    for name in names:
        visit(name)
    return ordered
