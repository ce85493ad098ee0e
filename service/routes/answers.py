"""Kept answers (permalinks, CSV), customer lists as CSV, and feedback on answers."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.answer_log import AnswerNotFound
from service.deps import AdminDep, ContextDep, ReaderDep
from semantic_layer.query import SemanticQuery
from service.csv_text import csv_text
from service.schemas import FeedbackRequest, FeedbackResponse, QueryRequest

router = APIRouter()


def _readable(context, answer_id: str, principal) -> dict:
    """A kept answer; with keys required, only its asker or an admin may read it."""
    body = context.answers.get(answer_id)
    if context.auth_on and not principal.role.admin and body.get("asked_by") != principal.user:
        raise AnswerNotFound("找不到这条回答", "no such answer")
    return body


@router.get("/api/v1/answers/{answer_id}", summary="A kept answer, as /api/v1/ask returned it")
def get_answer(answer_id: str, context: ContextDep, principal: ReaderDep) -> dict:
    return _readable(context, answer_id, principal)


@router.get("/api/v1/answers/{answer_id}/csv", summary="All rows of an answer as CSV (UTF-8 with BOM)")
def answer_csv(answer_id: str, context: ContextDep, principal: ReaderDep,
               lang: str = Query("zh", pattern="^(zh|en)$")) -> Response:
    body = _readable(context, answer_id, principal)
    return Response(csv_text(body["columns"], body["rows"], lang), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="answer-{answer_id}.csv"'})


@router.post("/api/v1/exports", summary="A customer list as CSV (analysis customer_list; roles with export only)",
             response_class=Response, responses={200: {"content": {"text/csv": {}}}, 403: {"description": "no export"}})
def export_list(body: QueryRequest, context: ContextDep, principal: ReaderDep,
                lang: str = Query("zh", pattern="^(zh|en)$")) -> Response:
    query = SemanticQuery.model_validate(body.model_dump(exclude={"today"}))
    columns, rows, cut = context.export_list(query, body.today, principal, "export")
    return Response(csv_text(columns, rows, lang), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="customers.csv"',
                             "x-row-count": str(len(rows)), "x-truncated": "true" if cut else "false"})


@router.post("/api/v1/feedback", response_model=FeedbackResponse, status_code=201, summary="Thumbs up or down")
def add_feedback(body: FeedbackRequest, context: ContextDep, principal: ReaderDep) -> FeedbackResponse:
    _readable(context, body.answer_id, principal)
    return FeedbackResponse(**vars(context.answers.add_feedback(body.answer_id, body.rating, body.comment)))


@router.get("/api/v1/feedback", response_model=list[FeedbackResponse], summary="All feedback")
def list_feedback(context: ContextDep, admin: AdminDep) -> list[FeedbackResponse]:
    return [FeedbackResponse(**vars(f)) for f in context.answers.feedback()]
