"""Permissions on data: a role may have no data at all, sees only rows inside its filters (region:
华东, channel: 抖音) and none of its hidden metrics or the columns only they use. Enforced on the
SQL itself, after the guard, for compiled and hand-written SQL alike: every reference to a
warehouse table becomes a view that projects only the visible columns and filters the rows, so no
CTE, subquery, UNION, join, star or whole-row reference can reach anything outside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlglot import exp

from semantic_layer.dimension_value import dimension_value
from semantic_layer.errors import SemanticError, SqlRefused
from semantic_layer.expressions import literal, parse_snippet
from semantic_layer.graph import join_condition, reach_from_table
from semantic_layer.model import Metric, SemanticModel


class MetricForbidden(SemanticError):
    code = "forbidden"
    status = 403


class NoDataAccess(SemanticError):
    code = "no_data_access"
    status = 403

    def __init__(self) -> None:
        super().__init__("您还没有数据权限，请联系管理员开通。", "you have no access to data yet; ask an admin")


class ExportForbidden(SemanticError):
    code = "export_forbidden"
    status = 403

    def __init__(self) -> None:
        super().__init__("您的角色没有导出名单的权限，请联系管理员开通（export: true）。",
                         "your role may not export lists; ask an admin (export: true)")


@dataclass(frozen=True)
class AccessPolicy:
    row_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dimension id -> allowed values
    hidden_metrics: frozenset[str] = frozenset()
    no_data: bool = False
    export: bool = False  # may take customer lists away (CSV, WeCom file)

    def __hash__(self) -> int:  # policies key caches; the filters dict hashes by its content
        return hash((tuple(sorted(self.row_filters.items())), self.hidden_metrics, self.no_data, self.export))

    @property
    def unrestricted(self) -> bool:
        return not self.row_filters and not self.hidden_metrics and not self.no_data


def require_data(policy: AccessPolicy) -> None:
    """The first check of every path that reads data or anything derived from it."""
    if policy.no_data:
        raise NoDataAccess()


def require_export(policy: AccessPolicy) -> None:
    """The check of every path that hands out a list of customers."""
    require_data(policy)
    if not policy.export:
        raise ExportForbidden()


OPEN = AccessPolicy(export=True)


def check_policy(model: SemanticModel, policy: AccessPolicy) -> list[str]:
    """Problems of a role definition against the model (unknown dimensions or metrics)."""
    problems = [f"unknown dimension {d!r} in row filters" for d in policy.row_filters
                if d not in model.dimension_by_id or model.dimension_by_id[d].time]
    problems += [f"unknown metric {m!r} in hidden metrics" for m in policy.hidden_metrics
                 if m not in model.metric_by_id]
    return problems


def check_metrics(metrics: tuple[Metric, ...], policy: AccessPolicy) -> None:
    hidden = [m for m in metrics if m.id in policy.hidden_metrics]
    if hidden:
        raise MetricForbidden(f"您的角色无权查看: {'、'.join(m.name.zh for m in hidden)}",
                           f"your role may not see: {', '.join(m.id for m in hidden)}")


def hidden_columns(model: SemanticModel, policy: AccessPolicy) -> set[tuple[str, str]]:
    """(table, column) pairs only hidden metrics use: SQL may not read them either."""
    def columns_of(metrics) -> set[tuple[str, str]]:
        found = set()
        for metric in metrics:
            for measure_ref in parse_snippet(metric.expr).find_all(exp.Column):
                fact, measure = model.fact_by_measure[measure_ref.name]
                for text in (measure.expr, measure.filter, measure.entity, measure.having):
                    if text and text != "*":
                        found |= {(c.table, c.name) for c in parse_snippet(text, fact.table).find_all(exp.Column)}
        return found

    if not policy.hidden_metrics:
        return set()
    hidden = [m for m in model.metrics if m.id in policy.hidden_metrics]
    visible = [m for m in model.metrics if m.id not in policy.hidden_metrics]
    return columns_of(hidden) - columns_of(visible)


def _view(model: SemanticModel, table: str, columns: list[str], restricted: bool, policy: AccessPolicy,
          today: dt.date) -> exp.Expression | None:
    """The visible ``columns`` of ``table`` in the rows the policy lets through, as a SELECT; None
    when the table needs neither (``restricted``: some of its columns are hidden)."""
    conditions = []
    joins = []
    for dimension_id, values in policy.row_filters.items():
        dimension = model.dimension_by_id[dimension_id]
        reach = reach_from_table(model, table, dimension)
        if reach is None:
            if model.table_by_name[table].sensitive:
                conditions.append(exp.Boolean(this=False))  # deny by default: the filter cannot be checked here
            continue
        joins.extend(reach.path)
        value = dimension_value(dimension, reach.binding, today)
        conditions.append(exp.In(this=value, expressions=[literal(v) for v in values]))
    if not conditions and not restricted:
        return None
    select = exp.select(*[exp.column(c, table=table, quoted=True) for c in columns]).from_(
        exp.to_table(table).as_(table))
    seen = {table}
    for join in joins:
        if join.target in seen:
            continue
        seen.add(join.target)
        select = select.join(exp.to_table(join.target).as_(join.target), on=join_condition(join))
    return select.where(exp.and_(*conditions)) if conditions else select


VIEW_PREFIX = "__chatbi_view_"  # the guard refuses CTEs of that name from outside


def apply_policy(model: SemanticModel, tree: exp.Query, policy: AccessPolicy, today: dt.date,
                 physical: dict[str, dict[str, str]], visible: dict[str, dict[str, str]]) -> exp.Query:
    """Point every reference to a physical table at its view: the ``visible`` columns (of the
    ``physical`` ones) in the rows the policy lets through. Views are MATERIALIZED CTEs, so the
    engine cannot push the query's own conditions below a view's filter (where a failing cast
    would show a row the role may not see); a reference keeps its alias and its clauses."""
    require_data(policy)
    if policy.unrestricted:
        return tree
    tree = tree.copy()
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    views: dict[str, exp.Expression] = {}
    for table in list(tree.find_all(exp.Table)):
        name = table.name.lower()
        if name in cte_names or name not in physical:
            continue
        if name not in model.table_by_name:
            raise SqlRefused(f"表 {name} 不在语义模型中", f"table {name} is not in the semantic model")
        if name not in views:
            columns = list(visible.get(name, {}))
            views[name] = _view(model, name, columns, len(columns) < len(physical[name]), policy, today)
        if views[name] is None:
            continue
        if not table.args.get("alias"):
            table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
        table.set("this", exp.to_identifier(VIEW_PREFIX + name))
        table.set("db", None)
        table.set("catalog", None)
    ctes = [exp.CTE(this=view, alias=exp.TableAlias(this=exp.to_identifier(VIEW_PREFIX + name)), materialized=True)
            for name, view in views.items() if view is not None]
    if ctes:
        existing = tree.args.get("with_")
        if existing is not None:
            existing.set("expressions", ctes + list(existing.expressions))
        else:
            tree.set("with_", exp.With(expressions=ctes))
    return tree
