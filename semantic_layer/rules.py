"""Validation rules over a parsed model (and, when given, the warehouse schema). Each rule yields
(location, reason) pairs; ``check_model`` runs them all so every problem is reported at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from sqlglot import exp

from semantic_layer.expressions import ExpressionInvalid, parse_derived_table, parse_snippet
from semantic_layer.graph import forward_paths, reach_dimension
from semantic_layer.model import SemanticModel
from semantic_layer.resolve import counted_entity

Issue = tuple[tuple, str]
Schema = dict[str, dict[str, str]]


def _duplicates(kind: str, names: list[str]) -> Iterator[Issue]:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            yield (kind, i), f"duplicate name {name!r}"
        seen.add(name)


def unique_names(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    yield from _duplicates("tables", [t.name for t in model.tables])
    yield from _duplicates("facts", [f.name for f in model.facts])
    yield from _duplicates("metrics", [m.id for m in model.metrics])
    yield from _duplicates("dimensions", [d.id for d in model.dimensions])
    seen: dict[str, str] = {}
    for fi, fact in enumerate(model.facts):
        for mi, measure in enumerate(fact.measures):
            if measure.name in seen:
                yield ("facts", fi, "measures", mi), (
                    f"measure {measure.name!r} is already defined in fact {seen[measure.name]!r}")
            seen[measure.name] = fact.name


def known_references(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    """Words of the parser that name metrics and dimensions must name existing ones."""
    dimensions = set(model.dimension_by_id)
    for i, metric in enumerate(model.metrics):
        for key in ("complement_of", "line_level"):
            target = getattr(metric, key)
            if target and target not in model.metric_by_id:
                yield ("metrics", i, key), f"unknown metric {target!r}"
        for dimension in metric.counts_members_of:
            if dimension not in dimensions:
                yield ("metrics", i, "counts_members_of"), f"unknown dimension {dimension!r}"
    for i, chain in enumerate(model.hierarchies):
        for dimension in chain:
            if dimension not in dimensions:
                yield ("hierarchies", i), f"unknown dimension {dimension!r}"
    if model.best_selling:
        if model.best_selling.metric not in model.metric_by_id:
            yield ("best_selling", "metric"), f"unknown metric {model.best_selling.metric!r}"
        if model.best_selling.dimension not in dimensions:
            yield ("best_selling", "dimension"), f"unknown dimension {model.best_selling.dimension!r}"
    for i, dimension in enumerate(model.dimensions):
        for name, members in dimension.named_sets.items():
            if not members:
                yield ("dimensions", i, "named_sets", name), "a named set needs at least one value"
        if dimension.band_units and not dimension.bands:
            yield ("dimensions", i, "band_units"), "band_units need bands to choose from"


# a person's identity is never part of a list: a column with one of these words in its name
PERSONAL = {"name", "nickname", "phone", "mobile", "tel", "telephone", "email", "address", "idcard", "wechat"}


def analyses_valid(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    """An analysis is made of the model's own metrics and dimensions."""
    cohort, test = model.analyses.cohort_retention, model.analyses.ab_test
    metrics, dimensions = model.metric_by_id, model.dimension_by_id
    wanted: list[tuple[tuple, str, bool]] = []
    if cohort:
        wanted += [(("cohort_retention", "metric"), cohort.metric, True),
                   (("cohort_retention", "cohort"), cohort.cohort, False)]
        wanted += [(("cohort_retention", "filter_as", key), name, False) for key, value in cohort.filter_as.items()
                   for name in (key, value)]
        wanted += [(("cohort_retention", "implied_filters"), d, False) for d in cohort.implied_filters]
    if test:
        wanted += [(("ab_test", "test"), test.test, False), (("ab_test", "variant"), test.variant, False),
                   (("ab_test", "recipients"), test.recipients, True)]
        wanted += [(("ab_test", "rates"), m, True) for m in test.rates]
        wanted += [(("ab_test", "means", key), name, True) for key, value in test.means.items() for name in (key, value)]
    listed = model.analyses.customer_list
    if listed:
        wanted.append((("customer_list", "who"), listed.who, True))
        wanted += [(("customer_list", "metric_columns", c), m, True) for c, m in listed.metric_columns.items()]
        table = model.table_by_name.get(listed.table)
        if table is None or not table.sql or not table.columns:
            yield ("analyses", "customer_list", "table"), f"{listed.table!r} is not a derived table with columns"
        elif any(PERSONAL & set(column.lower().replace("id_card", "idcard").split("_")) for column in table.columns):
            yield ("analyses", "customer_list", "table"), "a list never holds names, phone numbers or addresses"
    for location, name, is_metric in wanted:
        if name not in (metrics if is_metric else dimensions):
            yield ("analyses", *location), f"unknown {'metric' if is_metric else 'dimension'} {name!r}"
    if listed and listed.who in metrics and counted_entity(model, metrics[listed.who]) is None:
        yield ("analyses", "customer_list", "who"), f"{listed.who!r} does not count people by a key"


def predictions_valid(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    """A prediction fills a predicted table with its entity, tier and probability; its SELECTs parse
    and read the model's tables; its tiers go from high to low and the last takes what is left."""
    for name, prediction in model.predictions.items():
        table = model.table_by_name.get(prediction.table)
        if table is None or table.predicted != name:
            yield ("predictions", name, "table"), f"{prediction.table!r} is not a table predicted by {name!r}"
        elif table.columns is not None:
            for column in (prediction.entity, prediction.tier_column, prediction.probability_column):
                if column not in table.columns:
                    yield ("predictions", name), f"{prediction.table} declares no column {column!r}"
        for key in ("features", "events"):
            try:
                tree = parse_derived_table(getattr(prediction, key))
            except ExpressionInvalid as error:
                yield ("predictions", name, key), str(error)
                continue
            for unknown in _unknown_tables(model, tree):
                yield ("predictions", name, key), f"unknown table {unknown!r}"
        bounds = [t.at_least for t in prediction.tiers]
        if bounds != sorted(bounds, reverse=True) or bounds[-1] != 0:
            yield ("predictions", name, "tiers"), "tiers go from the highest bound down to one at 0"


def unique_synonyms(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    """A word may name one metric and one dimension at most, else questions become ambiguous."""
    for kind, items in (("metrics", model.metrics), ("dimensions", model.dimensions)):
        owner: dict[str, str] = {}
        for i, item in enumerate(items):
            names = (item.name.zh, item.name.en) if kind == "metrics" else (item.label.zh, item.label.en)
            for word in {w.casefold() for w in (*names, *item.synonyms)}:
                if word in owner and owner[word] != item.id:
                    yield (kind, i, "synonyms"), (
                        f"synonym {word!r} also names {kind[:-1]} {owner[word]!r}")
                owner.setdefault(word, item.id)


def _column_issue(model: SemanticModel, schema: Schema | None, table: str, column: str) -> str | None:
    declared = model.table_by_name.get(table)
    if declared is None:
        return f"unknown table {table!r}"
    derived = bool(declared.sql or declared.predicted)
    columns = declared.columns if derived else (schema or {}).get(table)
    if columns is None:
        return None if schema is None or derived else f"table {table!r} is not in the warehouse"
    if column not in columns:
        return f"unknown column {table}.{column}"
    return None


def _unknown_tables(model: SemanticModel, tree: exp.Expression) -> list[str]:
    """The tables a SELECT of the model reads that are neither the model's nor its own CTEs."""
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    return [t.name for t in tree.find_all(exp.Table) if t.name not in model.table_by_name and t.name not in ctes]


def tables_exist(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    for i, table in enumerate(model.tables):
        if table.sql:
            try:
                tree = parse_derived_table(table.sql)
            except ExpressionInvalid as error:
                yield ("tables", i, "sql"), str(error)
                continue
            for unknown in _unknown_tables(model, tree):
                yield ("tables", i, "sql"), f"unknown table {unknown!r}"
            if table.columns is None:
                yield ("tables", i), "a derived table must declare its columns"
        elif table.predicted:
            if table.predicted not in model.predictions or model.predictions[table.predicted].table != table.name:
                yield ("tables", i, "predicted"), f"no prediction {table.predicted!r} fills this table"
            if table.columns is None:
                yield ("tables", i), "a predicted table must declare its columns"
        elif schema is not None and table.name not in schema:
            yield ("tables", i, "name"), f"table {table.name!r} is not in the warehouse"
        for column in table.primary_key:
            problem = _column_issue(model, schema, table.name, column)
            if problem and not problem.endswith("not in the warehouse"):
                yield ("tables", i, "primary_key"), problem


def joins_valid(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    for i, join in enumerate(model.joins):
        for side, table in (("from", join.source), ("to", join.target)):
            if table not in model.table_by_name:
                yield ("joins", i, side), f"unknown table {table!r}"
        if join.source in model.table_by_name and join.target in model.table_by_name:
            for left, right in join.keys:
                for table, column in ((join.source, left), (join.target, right)):
                    problem = _column_issue(model, schema, table, column)
                    if problem:
                        yield ("joins", i, "on"), problem


def _snippet_issues(model: SemanticModel, schema: Schema | None, reachable: dict,
                    text: str, table: str) -> Iterator[str]:
    try:
        tree = parse_snippet(text, table)
    except ExpressionInvalid as error:
        yield str(error)
        return
    for column in tree.find_all(exp.Column):
        if column.name == "*":
            continue
        if column.table not in reachable:
            yield f"table {column.table!r} is not reachable from {table!r} through many-to-one joins"
            continue
        problem = _column_issue(model, schema, column.table, column.name)
        if problem:
            yield problem


def facts_valid(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    for fi, fact in enumerate(model.facts):
        if fact.table not in model.table_by_name:
            yield ("facts", fi, "table"), f"unknown table {fact.table!r}"
            continue
        reachable = forward_paths(model, fact.table)
        snippets = []
        if fact.time:
            snippets.append((("time", "column"), fact.time.column))
        if fact.default_filter:
            snippets.append((("default_filter", "condition"), fact.default_filter.condition))
            if fact.default_filter.time_when_lifted:
                snippets.append((("default_filter", "time_when_lifted"), fact.default_filter.time_when_lifted))
            lifter = fact.default_filter.lifted_by
            if lifter and lifter not in model.dimension_by_id:
                yield ("facts", fi, "default_filter", "lifted_by"), f"unknown dimension {lifter!r}"
        for mi, measure in enumerate(fact.measures):
            for key in ("expr", "filter", "entity", "having"):
                if getattr(measure, key):
                    snippets.append((("measures", mi, key), getattr(measure, key)))
            if measure.agg == "count_entities" and not (measure.entity and measure.having):
                yield ("facts", fi, "measures", mi), "count_entities needs both entity and having"
        for bridge in fact.bridges:
            if not any(j.source == bridge and j.target == fact.table for j in model.joins):
                yield ("facts", fi, "bridges"), f"no join from {bridge!r} to {fact.table!r}"
        for key, text in snippets:
            for problem in _snippet_issues(model, schema, reachable, text, fact.table):
                yield ("facts", fi, *key), problem


def metrics_valid(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    for i, metric in enumerate(model.metrics):
        try:
            tree = parse_snippet(metric.expr)
        except ExpressionInvalid as error:
            yield ("metrics", i, "expr"), str(error)
            continue
        names = [c.name for c in tree.find_all(exp.Column)]
        if not names:
            yield ("metrics", i, "expr"), "a metric must use at least one measure"
        for name in names:
            if name not in model.fact_by_measure:
                yield ("metrics", i, "expr"), f"metric is built on a missing measure {name!r}"


def dimensions_valid(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    for i, dimension in enumerate(model.dimensions):
        kinds = [dimension.time, bool(dimension.bindings), bool(dimension.derived_from)]
        if sum(kinds) != 1:
            yield ("dimensions", i), "a dimension needs exactly one of: time, bindings, derived_from"
        if dimension.derived_from and dimension.derived_from not in model.dimension_by_id:
            yield ("dimensions", i, "derived_from"), f"unknown dimension {dimension.derived_from!r}"
        if dimension.derived_from and not dimension.groups:
            yield ("dimensions", i), "a derived dimension needs groups"
        for bi, binding in enumerate(dimension.bindings):
            if (binding.column is None) == (binding.expr is None):
                yield ("dimensions", i, "bindings", bi), "a binding needs exactly one of column, expr"
                continue
            reachable = {binding.table: ()}
            for problem in _snippet_issues(model, schema, reachable, binding.column or binding.expr,
                                           binding.table):
                yield ("dimensions", i, "bindings", bi), problem
        if dimension.bands and dimension.bands[-1].below is not None:
            yield ("dimensions", i, "bands"), "the last band must be open-ended (no 'below')"


def dimensions_reachable(model: SemanticModel, schema: Schema | None) -> Iterator[Issue]:
    """Every dimension must be reachable from the fact of at least one metric."""
    facts = {model.fact_by_measure[c.name][0].name: model.fact_by_measure[c.name][0]
             for m in model.metrics for c in parse_snippet(m.expr).find_all(exp.Column)
             if c.name in model.fact_by_measure}
    for i, dimension in enumerate(model.dimensions):
        if dimension.time:
            continue
        if not any(reach_dimension(model, fact, dimension) for fact in facts.values()):
            yield ("dimensions", i), f"dimension {dimension.id!r} is unreachable from every metric's table"


RULES: tuple[Callable[[SemanticModel, Schema | None], Iterator[Issue]], ...] = (
    unique_names, unique_synonyms, known_references, analyses_valid, predictions_valid, tables_exist, joins_valid, facts_valid, metrics_valid,
    dimensions_valid,
)


def check_model(model: SemanticModel, schema: Schema | None = None) -> list[Issue]:
    issues = [issue for rule in RULES for issue in rule(model, schema)]
    if not issues:  # reachability needs sound references to be meaningful
        issues.extend(dimensions_reachable(model, schema))
    by_location: dict[tuple, list[str]] = defaultdict(list)
    for location, reason in issues:
        if reason not in by_location[location]:
            by_location[location].append(reason)
    return [(location, reason) for location, reasons in by_location.items() for reason in reasons]
