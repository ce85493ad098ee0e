"""The HTTP API: thin adapters over the query use case."""

from __future__ import annotations

from fastapi import APIRouter

from semantic_layer.query import SemanticQuery
from service.answers import Answer
from service.catalog import catalog_dimensions, catalog_metrics
from service.deps import ContextDep, EngineDep
from service.schemas import AnswerResponse, CatalogDimension, CatalogMetric, QueryRequest, SqlRequest

router = APIRouter()


def answer_response(answer: Answer) -> AnswerResponse:
    return AnswerResponse(sql=answer.sql, columns=[vars(c) for c in answer.columns], rows=answer.rows,
                          chart=answer.chart.as_dict(), truncated=answer.truncated, timings=answer.timings)


@router.post("/api/v1/query", response_model=AnswerResponse, summary="Run a SemanticQuery")
def run_query(body: QueryRequest, context: ContextDep) -> AnswerResponse:
    return answer_response(context.engine.answer_query(body, body.today or context.settings.today()))


@router.post("/api/v1/sql", response_model=AnswerResponse, summary="Run read-only SQL through the guard")
def run_sql(body: SqlRequest, engine: EngineDep) -> AnswerResponse:
    return answer_response(engine.answer_sql(body.sql))


@router.get("/api/v1/metrics", response_model=list[CatalogMetric], summary="Metric catalog (口径)")
def list_metrics(engine: EngineDep) -> list[CatalogMetric]:
    return catalog_metrics(engine.model)


@router.get("/api/v1/dimensions", response_model=list[CatalogDimension], summary="Dimension catalog")
def list_dimensions(context: ContextDep) -> list[CatalogDimension]:
    return catalog_dimensions(context.engine.model, context.values)


@router.get("/api/v1/schema/semantic-query", summary="JSON Schema of SemanticQuery")
def semantic_query_schema() -> dict:
    return SemanticQuery.model_json_schema()


@router.get("/healthz", summary="Liveness")
def health() -> dict:
    return {"status": "ok"}
