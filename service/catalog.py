"""The catalog the API, the web page and (later) the parser share: metrics with their allowed
dimensions, and dimensions with the values the warehouse holds."""

from __future__ import annotations

from semantic_layer.model import GRAINS, SemanticModel
from semantic_layer.resolve import allowed_dimensions
from service.schemas import CatalogDimension, CatalogMetric
from service.warehouse import Warehouse

MAX_VALUES = 500


def dimension_values(model: SemanticModel, warehouse: Warehouse) -> dict[str, list[str]]:
    """Distinct values of each categorical dimension (groups and bands come from the model)."""
    values: dict[str, list[str]] = {}
    physical = warehouse.schema()
    for dimension in model.dimensions:
        if dimension.groups:
            values[dimension.id] = list(dimension.groups)
        elif dimension.bands:
            values[dimension.id] = [band.label for band in dimension.bands]
        else:
            found: set[str] = set()
            for binding in dimension.bindings:
                if binding.column and binding.table in physical:
                    result = warehouse.run(
                        f'SELECT DISTINCT "{binding.column}" FROM "{binding.table}" '
                        f'WHERE "{binding.column}" IS NOT NULL LIMIT {MAX_VALUES}', MAX_VALUES, 30)
                    found.update(str(row[0]) for row in result.rows)
            values[dimension.id] = sorted(found)
    return values


def catalog_metrics(model: SemanticModel) -> list[CatalogMetric]:
    return [CatalogMetric(id=m.id, name=m.name.model_dump(), synonyms=list(m.synonyms),
                          description=m.description.model_dump(), format=m.format, time_scope=m.time_scope,
                          dimensions=[d.id for d in allowed_dimensions(model, m)])
            for m in model.metrics]


def catalog_dimensions(model: SemanticModel, values: dict[str, list[str]]) -> list[CatalogDimension]:
    return [CatalogDimension(id=d.id, label=d.label.model_dump(), synonyms=list(d.synonyms), time=d.time,
                             grains=list(GRAINS) if d.time else [], values=values.get(d.id, []),
                             value_synonyms=dict(d.value_synonyms))
            for d in model.dimensions]
