"""The HTTP API: thin adapters over the query use case."""

from __future__ import annotations

import time

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from semantic_layer.query import SemanticQuery
from service.answers import Answer
from service.catalog import catalog_analyses, catalog_dimensions, catalog_metrics
from semantic_layer.errors import SemanticError
from service.deps import AdminDep, ContextDep, OpsDep, PrincipalDep, ReaderDep
from service.schemas import (AnswerResponse, CatalogAnalysis, CatalogDimension, CatalogMetric, QueryRequest,
                             SqlRequest)

router = APIRouter()


def answer_response(answer: Answer) -> AnswerResponse:
    return AnswerResponse(sql=answer.sql, columns=[vars(c) for c in answer.columns], rows=answer.rows,
                          chart=answer.chart.as_dict(), truncated=answer.truncated, timings=answer.timings,
                          analysis=answer.analysis)


class NotReady(SemanticError):
    code = "not_ready"
    status = 503


def audited(context, principal, channel: str, question: str, run) -> Answer:
    """Run a query for ``principal``, recording it (or its error) in the audit log."""
    started = time.perf_counter()
    try:
        answer = run()
    except SemanticError as error:
        context.audit.record(principal.user, channel, question, "", None, 0, f"error:{error.code}",
                             (time.perf_counter() - started) * 1000)
        raise
    context.audit.record(principal.user, channel, question, "", answer.sql, len(answer.rows), "ok",
                         (time.perf_counter() - started) * 1000)
    return answer


@router.post("/api/v1/query", response_model=AnswerResponse, summary="Run a SemanticQuery")
def run_query(body: QueryRequest, context: ContextDep, principal: ReaderDep) -> AnswerResponse:
    today = body.today or context.settings.today()
    return answer_response(audited(context, principal, "query", body.model_dump_json(exclude_defaults=True),
                                   lambda: context.engine.answer_query(body, today, principal.policy,
                                                                       principal.user)))


@router.post("/api/v1/sql", response_model=AnswerResponse, summary="Run read-only SQL through the guard")
def run_sql(body: SqlRequest, context: ContextDep, principal: ReaderDep) -> AnswerResponse:
    return answer_response(audited(context, principal, "sql", body.sql,
                                   lambda: context.engine.answer_sql(body.sql, principal.policy,
                                                                     context.settings.today(), principal.user)))


@router.get("/api/v1/metrics", response_model=list[CatalogMetric], summary="Metric catalog (口径)")
def list_metrics(context: ContextDep, principal: ReaderDep) -> list[CatalogMetric]:
    return [m for m in catalog_metrics(context.engine.model) if m.id not in principal.policy.hidden_metrics]


@router.get("/api/v1/analyses", response_model=list[CatalogAnalysis],
            summary="Analyses of the model (attribution, A/B tests, cohort retention, customer lists: "
                    "SemanticQuery.analysis) and ways of asking it defines (买过X没买过Y)")
def list_analyses(context: ContextDep, principal: ReaderDep) -> list[CatalogAnalysis]:
    return catalog_analyses(context.engine.model)


@router.get("/api/v1/dimensions", response_model=list[CatalogDimension], summary="Dimension catalog")
def list_dimensions(context: ContextDep, principal: ReaderDep) -> list[CatalogDimension]:
    return catalog_dimensions(context.engine.model, context.visible_values(principal))


@router.get("/api/v1/session", summary="Who is asking, and whether the service requires keys")
def session(context: ContextDep, principal: PrincipalDep) -> dict:
    return {"auth": context.auth_on, "user": principal.user, "role": principal.role_name,
            "admin": principal.role.admin, "row_filters": principal.role.row_filters}


@router.get("/api/v1/audit", summary="The audit log (admins)")
def audit(context: ContextDep, admin: AdminDep, limit: int = Query(200, ge=1, le=5000),
          user: str | None = Query(None, max_length=64)) -> list[dict]:
    return [vars(entry) for entry in context.audit.entries(limit, user)]


@router.get("/api/v1/schema/semantic-query", summary="JSON Schema of SemanticQuery")
def semantic_query_schema() -> dict:
    return SemanticQuery.model_json_schema()


@router.get("/healthz", summary="Liveness")
def health() -> dict:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the warehouse answers (details for operators)")
def ready(context: ContextDep) -> dict:
    details = context.settings.ops_open()
    try:
        context.warehouse.ping()
        version = list(context.warehouse.data_version())
    except (SemanticError, OSError) as error:
        if not details:
            raise NotReady("数据仓库不可用", "warehouse unavailable")
        raise NotReady(f"数据仓库不可用: {error}", f"warehouse unavailable: {error}")
    return {"status": "ready", "data_version": version} if details else {"status": "ready"}


def openapi_for_operators(app) -> APIRouter:
    """The OpenAPI document behind a key, for a service whose operations pages are closed."""
    closed = APIRouter()

    @closed.get("/openapi.json", include_in_schema=False)
    def openapi(operator: OpsDep) -> dict:
        return app.openapi()
    return closed


@router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
def metrics(request: Request, context: ContextDep, operator: OpsDep) -> PlainTextResponse:
    return PlainTextResponse(request.app.state.metrics.render(context.warehouse.stats),
                             media_type="text/plain; version=0.0.4")
