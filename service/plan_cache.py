"""Compiled plans, built once and reused: a SemanticQuery resolved, compiled, guarded and secured
for one reference date, one role's policy and one version of the data, with its SQL rendered once
(the text that runs and the text shown). The same questions come back all day; each costs the
compiler and the renderer only the first time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlglot import exp

from semantic_layer.policy import AccessPolicy
from semantic_layer.query import SemanticQuery
from semantic_layer.resolve import ResolvedQuery
from service.bounded import BoundedMap


@dataclass(frozen=True)
class CompiledPlan:
    """Shared by every request that asks the same: read it, never change it."""

    resolved: ResolvedQuery
    tree: exp.Query  # secured: every table is the role's view of it
    sql: str  # in the engine's dialect, the text that runs (and keys the answer cache)
    shown_sql: str  # the same, pretty, for the answer


class PlanCache:
    def __init__(self, max_entries: int) -> None:
        self._plans: BoundedMap[tuple, CompiledPlan] = BoundedMap(max_entries)

    def plan(self, query: SemanticQuery, today: dt.date, policy: AccessPolicy, data_version: tuple,
             build: Callable[[], CompiledPlan]) -> CompiledPlan:
        """The plan of ``query`` for this date, role and data, built by ``build`` when not kept."""
        key = (query.model_dump_json(exclude_defaults=True), today, policy, data_version)
        plan = self._plans.get(key)
        if plan is None:
            plan = build()
            self._plans.put(key, plan)
        return plan
