"""POST /api/v1/mf/query: MetricFlow's query fields on a model imported from dbt's semantic layer."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from semantic_layer.metricflow.request import MfQuery
from service.deps import ContextDep, ReaderDep
from service.routes.api import audited

router = APIRouter()


class MfAnswer(BaseModel):
    columns: list[str]
    rows: list[list]
    sql: str
    truncated: bool


@router.post("/api/v1/mf/query", response_model=MfAnswer,
             summary="Run a MetricFlow-style query (metrics, group_bys, where_filter, ...) on an imported model")
def run_mf_query(body: MfQuery, context: ContextDep, principal: ReaderDep) -> MfAnswer:
    answer = audited(context, principal, "mf_query", body.model_dump_json(exclude_defaults=True),
                     lambda: context.engine.answer_mf(body, principal.policy, context.settings.today(),
                                                      principal.user))
    return MfAnswer(columns=[c.name for c in answer.columns], rows=answer.rows, sql=answer.sql,
                    truncated=answer.truncated)
