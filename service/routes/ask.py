"""Questions in words, verified examples and glossary terms."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from semantic_layer.describe import query_json
from semantic_layer.errors import QueryInvalid
from semantic_layer.resolve import resolve_query
from service.deps import AdminDep, AskerDep, ContextDep, ReaderDep
from service.schemas import (AskRequest, AskResponse, ExampleRequest, ExampleResponse, GlossaryRequest,
                             GlossaryResponse)

router = APIRouter()


@router.post("/api/v1/ask", response_model=AskResponse, summary="Ask a question in Chinese or English")
def ask(body: AskRequest, context: ContextDep, principal: ReaderDep) -> dict:
    return context.ask_and_keep(body.question, body.conversation_id, body.today, body.engine, principal, "api",
                                body.query)


@router.post("/api/v1/examples", response_model=ExampleResponse, status_code=201,
             summary="Store a verified question with the SemanticQuery an analyst confirmed")
def add_example(body: ExampleRequest, asker: AskerDep, admin: AdminDep) -> ExampleResponse:
    resolve_query(asker.engine.model, body.query, dt.date.today())  # refuse a query the model cannot run
    example = asker.knowledge.add_example(body.question, body.query)
    return ExampleResponse(id=example.id, question=example.question, query=query_json(example.query),
                           created_at=example.created_at)


@router.get("/api/v1/examples", response_model=list[ExampleResponse], summary="Verified questions")
def list_examples(asker: AskerDep, principal: ReaderDep) -> list[ExampleResponse]:
    return [ExampleResponse(id=e.id, question=e.question, query=query_json(e.query), created_at=e.created_at)
            for e in asker.knowledge.examples()]


@router.post("/api/v1/glossary", response_model=GlossaryResponse, status_code=201,
             summary="Teach the parser a word: a metric synonym, a dimension value or a named group of values")
def add_term(body: GlossaryRequest, context: ContextDep, admin: AdminDep) -> GlossaryResponse:
    asker = context.asker
    model = asker.engine.model
    values = context.values
    if body.metric is not None and body.dimension is None:
        if body.metric not in model.metric_by_id:
            raise QueryInvalid(f"未知指标 {body.metric!r}", f"unknown metric {body.metric!r}")
        term = asker.knowledge.add_term(body.term, "metric", body.metric)
    elif body.dimension is not None and body.value is not None and body.metric is None and body.values is None:
        if body.value not in values.get(body.dimension, []):
            raise QueryInvalid(f"维度 {body.dimension!r} 没有取值 {body.value!r}",
                               f"dimension {body.dimension!r} has no value {body.value!r}",
                               tuple(values.get(body.dimension, []))[:10])
        term = asker.knowledge.add_term(body.term, "value", body.dimension, body.value)
    elif body.dimension is not None and body.values is not None and body.metric is None and body.value is None:
        unknown = [v for v in body.values if v not in values.get(body.dimension, [])]
        if body.dimension not in model.dimension_by_id or unknown:
            raise QueryInvalid(f"维度 {body.dimension!r} 没有这些取值: {'、'.join(unknown[:5])}",
                               f"dimension {body.dimension!r} has no values {', '.join(unknown[:5])}",
                               tuple(values.get(body.dimension, []))[:10])
        term = asker.knowledge.add_term(body.term, "set", body.dimension, values=tuple(dict.fromkeys(body.values)))
    else:
        raise QueryInvalid("请给出 metric，或者 dimension 和 value，或者 dimension 和 values",
                           "give either metric, or dimension and value, or dimension and values")
    context.reload_parser()
    return _glossary_response(term)


@router.get("/api/v1/glossary", response_model=list[GlossaryResponse], summary="Glossary terms")
def list_terms(asker: AskerDep, principal: ReaderDep) -> list[GlossaryResponse]:
    return [_glossary_response(t) for t in asker.knowledge.terms()]


def _glossary_response(term) -> GlossaryResponse:
    return GlossaryResponse(**{**vars(term), "values": list(term.values)})
