"""MetricFlow's names for what a query groups or filters by: ``metric_time__month``,
``listing__country_latest``, ``listing__user__ds__alien_day``, ``booking`` (an entity), and the
``{{ Dimension('...') }}`` / ``TimeDimension`` / ``Entity`` / ``Metric`` templates of a filter."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from semantic_layer.errors import SemanticError
from semantic_layer.metricflow.spec import TIME_GRAINS

METRIC_TIME = "metric_time"
_TEMPLATE = re.compile(r"\{\{\s*(Dimension|TimeDimension|Entity|Metric)\s*\((.*?)\)((?:\s*\.\s*\w+\s*\([^)]*\))*)"
                       r"\s*\}\}", re.S)


class MfQueryInvalid(SemanticError):
    code = "mf_query_invalid"
    status = 422

    def __init__(self, reason: str) -> None:
        super().__init__(f"MetricFlow 查询无效: {reason}", f"invalid MetricFlow query: {reason}")


@dataclass(frozen=True)
class Item:
    """A group-by or filter item: an entity path, the dimension or entity it ends at, a grain or date part."""

    path: tuple[str, ...]
    name: str
    grain: str | None = None
    date_part: str | None = None

    def column(self, path: tuple[str, ...], grain: str | None) -> str:
        """The output column's name once the item is resolved (its full entity path and grain)."""
        parts = [*path, self.name]
        if self.date_part:
            parts.append(f"extract_{self.date_part}")
        elif grain:
            parts.append(grain)
        return "__".join(parts)


@dataclass(frozen=True)
class MetricItem:
    """``{{ Metric('bookings', group_by=['listing']) }}``: a metric's value per entity, as a filter item."""

    metric: str
    group_by: tuple[str, ...]


def parse_item(name: str, custom_grains: frozenset[str], grain: str | None = None,
               date_part: str | None = None) -> Item:
    """A name as its entity path, the dimension or entity it ends at, and a grain if it ends in one.

    >>> parse_item("listing__user__ds__alien_day", frozenset({"alien_day"}))
    Item(path=('listing', 'user'), name='ds', grain='alien_day', date_part=None)
    """
    parts = name.lower().split("__")
    if not all(re.fullmatch(r"[a-z_][a-z0-9_]*", p) for p in parts):
        raise MfQueryInvalid(f"{name!r} is not a MetricFlow name")
    if len(parts) > 1 and (parts[-1] in TIME_GRAINS or parts[-1] in custom_grains):
        grain = grain or parts.pop()
    return Item(tuple(parts[:-1]), parts[-1], grain, date_part)


@dataclass(frozen=True)
class Filter:
    """A filter's SQL tree whose columns are named by ``items`` (placeholders and plain names alike)."""

    tree: exp.Expression
    items: dict[str, Item | MetricItem]


def _arguments(text: str) -> tuple[list, dict]:
    try:
        call = ast.parse(f"f({text})", mode="eval").body
        return ([ast.literal_eval(a) for a in call.args],
                {k.arg: ast.literal_eval(k.value) for k in call.keywords})
    except (SyntaxError, ValueError) as error:
        raise MfQueryInvalid(f"cannot read template arguments {text!r}: {error}")


def _template_item(kind: str, args: list, keywords: dict, calls: str, custom: frozenset[str]) -> Item | MetricItem:
    if not args or not isinstance(args[0], str):
        raise MfQueryInvalid(f"{kind}() needs a name")
    if kind == "Metric":
        group_by = keywords.get("group_by", args[1] if len(args) > 1 else [])
        return MetricItem(args[0], tuple(group_by))
    path = tuple(keywords.get("entity_path") or ())
    grain = keywords.get("time_granularity_name") or (args[1] if len(args) > 1 else None)
    date_part = keywords.get("date_part_name")
    for method, value in re.findall(r"\.\s*(\w+)\s*\(\s*'([^']*)'\s*\)", calls):
        grain, date_part = (value, date_part) if method == "grain" else (grain, value)
    item = parse_item(args[0], custom, grain, date_part)
    return Item(path + item.path, item.name, item.grain, item.date_part)


def parse_filter(text: str, custom_grains: frozenset[str]) -> Filter:
    """A where filter as a SQL tree; each template becomes a placeholder column."""
    items: dict[str, Item | MetricItem] = {}

    def placeholder(match: re.Match) -> str:
        args, keywords = _arguments(match.group(2))
        name = f"__item_{len(items)}"
        items[name] = _template_item(match.group(1), args, keywords, match.group(3), custom_grains)
        return name

    sql = _TEMPLATE.sub(placeholder, text)
    if "{{" in sql or "{%" in sql:
        raise MfQueryInvalid(f"unknown template in {text!r}")
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except (SqlglotError, RecursionError) as error:
        raise MfQueryInvalid(f"cannot parse filter {text!r}: {error}")
    if not isinstance(tree, exp.Condition) or isinstance(tree, exp.Query) or tree.find(exp.Query):
        raise MfQueryInvalid(f"a filter is one condition: {text!r}")
    for column in tree.find_all(exp.Column):
        if column.table:
            raise MfQueryInvalid(f"a filter names items, not table columns: {column.sql()}")
        if column.name not in items:
            items[column.name] = parse_item(column.name, custom_grains)
    return Filter(tree, items)
