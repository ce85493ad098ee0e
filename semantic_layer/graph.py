"""Which tables a fact reaches through many-to-one joins, and which binding of a dimension a
fact uses: the nearest one (ship-to city for orders, home city for customer counts)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from semantic_layer.model import Binding, Dimension, Fact, Join, SemanticModel

Path = tuple[Join, ...]


@dataclass(frozen=True)
class Reach:
    """How a fact reaches a dimension's column: forward joins, optionally after a bridge."""

    binding: Binding
    path: Path  # many-to-one joins, starting at the fact table (or at the bridge table)
    bridge: Join | None = None  # bridge table -> fact table join, for 'rows containing a match'


def join_condition(join: Join) -> exp.Expression:
    """The ON condition of a many-to-one join, over tables aliased by their names."""
    return exp.and_(*[exp.EQ(this=exp.column(left, table=join.source), expression=exp.column(right, table=join.target))
                      for left, right in join.keys])


def forward_paths(model: SemanticModel, start: str) -> dict[str, Path]:
    """Shortest many-to-one path from ``start`` to every table it reaches (itself: empty path)."""
    return model.join_paths.get(start, {start: ()})


def base_dimension(model: SemanticModel, dimension: Dimension) -> Dimension:
    """The dimension whose bindings a derived dimension (region from province) uses."""
    seen = {dimension.id}
    while dimension.derived_from and dimension.derived_from in model.dimension_by_id:
        dimension = model.dimension_by_id[dimension.derived_from]
        if dimension.id in seen:
            break
        seen.add(dimension.id)
    return dimension


def reach_from_table(model: SemanticModel, table: str, dimension: Dimension) -> Reach | None:
    """The nearest binding of ``dimension`` through many-to-one joins from ``table``."""
    bindings = base_dimension(model, dimension).bindings
    direct = forward_paths(model, table)
    options = [(len(direct[b.table]), i, Reach(b, direct[b.table]))
               for i, b in enumerate(bindings) if b.table in direct]
    return min(options, key=lambda o: o[:2])[2] if options else None


def reach_dimension(model: SemanticModel, fact: Fact, dimension: Dimension) -> Reach | None:
    """The nearest binding of ``dimension`` from ``fact``, or None when the fact cannot reach it."""
    direct = reach_from_table(model, fact.table, dimension)
    if direct:
        return direct
    bindings = base_dimension(model, dimension).bindings
    for bridge_table in fact.bridges:
        bridge = next((j for j in model.joins if j.source == bridge_table and j.target == fact.table), None)
        if bridge is None:
            continue
        paths = forward_paths(model, bridge_table)
        options = [(len(paths[b.table]), i, Reach(b, paths[b.table], bridge))
                   for i, b in enumerate(bindings) if b.table in paths]
        if options:
            return min(options, key=lambda o: o[:2])[2]
    return None
