"""A customer list (圈人): the rows of the model's list table for everyone a counting metric counts
with the question's filters and period, by key, as one SELECT whose derived tables come first, each
after the ones it reads (spec/customer_ops.md 6)."""

from __future__ import annotations

from sqlglot import exp

from semantic_layer.compile import QueryCompiler
from semantic_layer.expressions import bind_today, parse_derived_table
from semantic_layer.model import SemanticModel
from semantic_layer.resolve import ResolvedQuery, counted_entity


def compile_list(model: SemanticModel, query: ResolvedQuery, limit: int) -> exp.Select:
    """``query``: the count of the people listed (the list's metric, filters, period)."""
    spec = model.analyses.customer_list
    table = model.table_by_name[spec.table]
    entity = counted_entity(model, query.metrics[0])
    compiler = QueryCompiler(model, query)
    members = compiler.members()
    key = exp.column(entity.column, table=spec.table)
    listed = exp.select(*[exp.column(c, table=spec.table) for c in table.columns]).from_(
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
