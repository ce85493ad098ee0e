"""dbt's semantic layer -> our model: a directory of MetricFlow YAML or a dbt ``semantic_manifest.json``,
parsed and validated by dbt-semantic-interfaces, becomes a model file. Semantic models become tables,
entities keys and joins, measures facts, simple and ratio metrics metrics and categorical dimensions
dimensions, so plain questions work; every MetricFlow definition is also kept whole (``metricflow:``)
for MetricFlow-style queries. What has no counterpart in the plain model is reported with its file and
line, never dropped silently."""

from __future__ import annotations

import json
import re
from string import Template
from dataclasses import dataclass, field
from pathlib import Path

from dbt_semantic_interfaces.implementations.semantic_manifest import PydanticSemanticManifest
from dbt_semantic_interfaces.parsing.dir_to_model import (collect_yaml_config_file_paths, parse_config_yaml,
                                                           parse_yaml_files_to_validation_ready_semantic_manifest)
from dbt_semantic_interfaces.parsing.objects import YamlConfigFile
from dbt_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator

from semantic_layer.errors import ModelInvalid, ModelIssue
from semantic_layer.metricflow.spec import (MetricFlowSpec, MfConversion, MfDimension, MfEntity, MfInput, MfMeasure,
                                            MfMetric, MfSavedQuery, MfSemanticModel, MfTimeSpine, NonAdditive, Window)

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# MetricFlow aggregations our facts compute the same way (sum_boolean sums the condition as 0/1).
_PLAIN_AGGS = {"sum": "sum", "count": "count", "count_distinct": "count_distinct", "sum_boolean": "sum",
               "min": "min", "max": "max", "average": "avg"}


@dataclass
class Imported:
    model: dict
    notes: list[str] = field(default_factory=list)  # what only /api/v1/mf/query answers, with its location


def read_manifest(path: Path, schema: str) -> PydanticSemanticManifest:
    """The manifest at ``path`` (a directory of YAML or a semantic_manifest.json), validated;
    ``ModelInvalid`` with every problem dbt-semantic-interfaces reports, located where it can."""
    try:
        manifest = _read_directory(path, schema) if path.is_dir() else PydanticSemanticManifest.parse_obj(
            json.loads(path.read_text(encoding="utf-8")))
    except ModelInvalid:
        raise
    except Exception as error:  # the library raises many kinds; each becomes a message
        raise ModelInvalid([ModelIssue(str(path), None, "", f"not a MetricFlow manifest: {_first_line(error)}")])
    issues = SemanticManifestValidator().validate_semantic_manifest(manifest)
    if issues.has_blocking_issues:
        raise ModelInvalid([ModelIssue(str(path), None, "", issue.as_readable_str()) for issue in issues.errors])
    return manifest


def _read_directory(path: Path, schema: str) -> PydanticSemanticManifest:
    """Every YAML file of the directory with ``$source_schema`` filled in; the problems of each file first."""
    files = [YamlConfigFile(filepath=name, contents=Template(Path(name).read_text(encoding="utf-8")).substitute(
        source_schema=schema)) for name in collect_yaml_config_file_paths(str(path))]
    problems = [issue for file in files for issue in parse_config_yaml(file).issues]
    if problems:
        raise ModelInvalid([ModelIssue(str(path), None, "", issue.as_readable_str()) for issue in problems])
    return parse_yaml_files_to_validation_ready_semantic_manifest(files).semantic_manifest


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _where(filter_) -> tuple[str, ...]:
    return tuple(w.where_sql_template for w in filter_.where_filters) if filter_ else ()


def _window(window) -> Window | None:
    return Window(count=window.count, grain=str(window.granularity).lower()) if window else None


def _input(item) -> MfInput:
    return MfInput(name=item.name, alias=getattr(item, "alias", None), filter=_where(item.filter),
                   offset_window=_window(getattr(item, "offset_window", None)),
                   offset_to_grain=_value(getattr(item, "offset_to_grain", None)),
                   fill_nulls_with=getattr(item, "fill_nulls_with", None),
                   join_to_timespine=bool(getattr(item, "join_to_timespine", False)))


def _value(item) -> str | None:
    if item is None:
        return None
    return str(getattr(item, "value", item)).lower()


def _semantic_model(sm) -> MfSemanticModel:
    default_time = sm.defaults.agg_time_dimension if sm.defaults else None
    dimensions = tuple(
        MfDimension(name=d.name, type=_value(d.type), expr=d.expr or d.name, partition=bool(d.is_partition),
                    grain=_value(d.type_params.time_granularity) if d.type_params else None)
        for d in sm.dimensions)
    measures = []
    for m in sm.measures:
        params = m.agg_params
        non_additive = m.non_additive_dimension
        measures.append(MfMeasure(
            name=m.name, agg=_value(m.agg), expr=m.expr or m.name,
            agg_time_dimension=m.agg_time_dimension or default_time or "",
            percentile=params.percentile if params else None,
            discrete=bool(params and params.use_discrete_percentile),
            approximate=bool(params and params.use_approximate_percentile),
            non_additive=NonAdditive(dimension=non_additive.name, window_choice=_value(non_additive.window_choice),
                                     window_groupings=tuple(non_additive.window_groupings))
            if non_additive else None))
    return MfSemanticModel(name=sm.name, table=sm.node_relation.alias, primary_entity=sm.primary_entity,
                           entities=tuple(MfEntity(name=e.name, type=_value(e.type), expr=e.expr or e.name)
                                          for e in sm.entities),
                           dimensions=dimensions, measures=tuple(measures))


def _metric(metric) -> MfMetric:
    params = metric.type_params
    kind = _value(metric.type)
    fields: dict = {"name": metric.name, "type": kind, "description": metric.description or "",
                    "label": metric.label, "filter": _where(metric.filter),
                    "time_granularity": _value(metric.time_granularity)}
    if params.measure is not None:  # newer manifests put the time spine join and the fill on the metric
        measure = _input(params.measure)
        fields["measure"] = measure.model_copy(update={
            "join_to_timespine": measure.join_to_timespine or bool(getattr(params, "join_to_timespine", False)),
            "fill_nulls_with": measure.fill_nulls_with if measure.fill_nulls_with is not None
            else getattr(params, "fill_nulls_with", None)})
    if kind == "ratio":
        fields |= {"numerator": _input(params.numerator), "denominator": _input(params.denominator)}
    if kind == "derived":
        fields |= {"expr": params.expr, "inputs": tuple(_input(i) for i in params.metrics or ())}
    if kind == "cumulative":
        cumulative = params.cumulative_type_params
        window = (cumulative.window if cumulative else None) or params.window
        grain_to_date = (cumulative.grain_to_date if cumulative else None) or params.grain_to_date
        fields |= {"window": _window(window), "grain_to_date": _value(grain_to_date)}
        if cumulative and cumulative.period_agg:
            fields["period_agg"] = _value(cumulative.period_agg)
        if cumulative and cumulative.metric:  # the input metric (its own fill and time spine join) over the measure
            fields["inputs"] = (_input(cumulative.metric),)
    if kind == "conversion":
        conversion = params.conversion_type_params
        fields["conversion"] = MfConversion(
            base_measure=_input(conversion.base_measure), conversion_measure=_input(conversion.conversion_measure),
            entity=conversion.entity, calculation=_value(conversion.calculation),
            window=_window(conversion.window),
            constant_properties=tuple((p.base_property, p.conversion_property)
                                      for p in conversion.constant_properties or ()))
    return MfMetric(**fields)


def _time_spines(manifest) -> tuple[MfTimeSpine, ...]:
    return tuple(MfTimeSpine(table=s.node_relation.alias, column=s.primary_column.name,
                             grain=_value(s.primary_column.time_granularity),
                             custom_granularities={c.name: c.column_name or c.name for c in s.custom_granularities})
                 for s in manifest.project_configuration.time_spines)


def _saved_query(query) -> MfSavedQuery:
    params = query.query_params
    return MfSavedQuery(name=query.name, metrics=tuple(params.metrics), group_by=tuple(params.group_by),
                        where=_where(params.where), order_by=tuple(params.order_by or ()), limit=params.limit)


def metricflow_spec(manifest) -> MetricFlowSpec:
    return MetricFlowSpec(semantic_models=tuple(_semantic_model(s) for s in manifest.semantic_models),
                          metrics=tuple(_metric(m) for m in manifest.metrics),
                          time_spines=_time_spines(manifest),
                          saved_queries=tuple(_saved_query(q) for q in manifest.saved_queries))


def _where_from(item) -> str:
    metadata = getattr(item, "metadata", None)
    if metadata is None:
        return item.name
    return f"{metadata.file_slice.filename}:{metadata.file_slice.start_line_number} ({item.name})"


def _words(name: str) -> dict:
    text = name.replace("_", " ")
    return {"zh": text, "en": text}


def import_manifest(path: Path, name: str, schema: str = "main") -> Imported:
    """The model file's data for the manifest at ``path``, and the notes on what only MetricFlow-style
    queries answer."""
    manifest = read_manifest(path, schema)
    spec = metricflow_spec(manifest)
    notes: list[str] = []
    tables = [_table(s) for s in spec.semantic_models]
    tables += [{"name": s.table, "primary_key": [s.column], "sensitive": False} for s in spec.time_spines]
    facts, measures = _facts(manifest, spec, notes)
    metrics = _metrics(manifest, measures, notes)
    dimensions = [{"id": "metric_time", "label": {"zh": "日期", "en": "metric time"},
                   "synonyms": ["metric_time", "date", "time", "日期", "时间"], "time": True}]
    dimensions += _dimensions(spec)
    model = {"name": name, "title": _words(name), "tables": _unique(tables), "joins": _joins(spec),
             "facts": facts, "metrics": metrics, "dimensions": dimensions,
             "metricflow": spec.model_dump(mode="json", exclude_defaults=True)}
    return Imported(model, notes)


def _unique(tables: list[dict]) -> list[dict]:
    return list({t["name"]: t for t in tables}.values())


def _table(sm: MfSemanticModel) -> dict:
    keys = [e.expr for e in sm.entities if e.type in ("primary", "unique") and _IDENTIFIER.match(e.expr)]
    keys = keys or [e.expr for e in sm.entities if _IDENTIFIER.match(e.expr)]
    return {"name": sm.table, "primary_key": keys[:1] or [sm.dimensions[0].expr]}


def _joins(spec: MetricFlowSpec) -> list[dict]:
    """Many-to-one joins: from every semantic model naming an entity to the one it identifies."""
    joins: dict[tuple[str, str], dict] = {}
    for source in spec.semantic_models:
        for entity in source.entities:
            for target in spec.semantic_models:
                own = target.entity_by_name.get(entity.name)
                if target is source or own is None or own.type not in ("primary", "unique"):
                    continue
                if _IDENTIFIER.match(entity.expr) and _IDENTIFIER.match(own.expr):
                    joins.setdefault((source.table, target.table),
                                     {"from": source.table, "to": target.table, "keys": [[entity.expr, own.expr]]})
    return list(joins.values())


def _facts(manifest, spec: MetricFlowSpec, notes: list[str]) -> tuple[list[dict], set[str]]:
    """One fact per semantic model and aggregation time; the measures it can compute, their names."""
    facts, mapped = [], set()
    by_name = {s.name: s for s in manifest.semantic_models}
    for sm in spec.semantic_models:
        by_time: dict[str, list[dict]] = {}
        for measure in sm.measures:
            source = next(m for m in by_name[sm.name].measures if m.name == measure.name)
            if measure.agg not in _PLAIN_AGGS or measure.non_additive:
                notes.append(f"{_where_from(source)}: {measure.agg}"
                             f"{' semi-additive' if measure.non_additive else ''} measure: MetricFlow queries only")
                continue
            expr = measure.expr if measure.agg != "sum_boolean" else f"CASE WHEN {measure.expr} THEN 1 ELSE 0 END"
            by_time.setdefault(measure.agg_time_dimension, []).append(
                {"name": measure.name, "agg": _PLAIN_AGGS[measure.agg], "expr": "*" if expr == "1" and
                 measure.agg == "count" else expr})
            mapped.add(measure.name)
        for time_name, measures in by_time.items():
            time = sm.dimension_by_name.get(time_name)
            fact = {"name": sm.name if len(by_time) == 1 else f"{sm.name}__by_{time_name}", "table": sm.table,
                    "measures": measures}
            if time is not None:
                fact["time"] = {"column": time.expr, "type": "timestamp"}
            facts.append(fact)
    return facts, mapped


def _metrics(manifest, measures: set[str], notes: list[str]) -> list[dict]:
    """Simple metrics over a mapped measure, and ratios of two of them, without filters."""
    simple = {m.name: m.type_params.measure.name for m in manifest.metrics
              if _value(m.type) == "simple" and m.type_params.measure and not m.filter
              and not m.type_params.measure.filter and m.type_params.measure.name in measures}
    result = []
    for metric in manifest.metrics:
        params = metric.type_params
        if metric.name in simple:
            expr = simple[metric.name]
        elif (_value(metric.type) == "ratio" and not metric.filter and params.numerator.name in simple
              and params.denominator.name in simple and not params.numerator.filter and not params.denominator.filter):
            expr = f"{simple[params.numerator.name]} / {simple[params.denominator.name]}"
        else:
            notes.append(f"{_where_from(metric)}: {_value(metric.type)} metric: MetricFlow queries only")
            continue
        described = metric.description or metric.label or metric.name.replace("_", " ")
        result.append({"id": metric.name, "name": _words(metric.label or metric.name),
                       "synonyms": [metric.name, metric.name.replace("_", " ")],
                       "description": {"zh": described, "en": described},
                       "format": "ratio" if _value(metric.type) == "ratio" else "number", "expr": expr})
    return result


def _dimensions(spec: MetricFlowSpec) -> list[dict]:
    """Each categorical dimension as ``entity__dimension``, bound to its semantic model's table."""
    result = {}
    for sm in spec.semantic_models:
        entity = sm.primary_entity or next((e.name for e in sm.entities if e.type != "foreign"), None)
        if entity is None:
            continue
        for dimension in sm.dimensions:
            if dimension.type != "categorical":
                continue
            binding = {"table": sm.table}
            binding["column" if _IDENTIFIER.match(dimension.expr) else "expr"] = dimension.expr
            result.setdefault(f"{entity}__{dimension.name}", {
                "id": f"{entity}__{dimension.name}", "label": _words(dimension.name),
                "synonyms": [dimension.name, dimension.name.replace("_", " ")], "bindings": [binding]})
    return list(result.values())
