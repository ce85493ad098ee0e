"""Kept answers (permalinks, CSV) and feedback on them."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.deps import ContextDep
from service.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter()


@router.get("/api/v1/answers/{answer_id}", summary="A kept answer, as /api/v1/ask returned it")
def get_answer(answer_id: str, context: ContextDep) -> dict:
    return context.answers.get(answer_id)


@router.get("/api/v1/answers/{answer_id}/csv", summary="All rows of an answer as CSV (UTF-8 with BOM)")
def answer_csv(answer_id: str, context: ContextDep, lang: str = Query("zh", pattern="^(zh|en)$")) -> Response:
    body = context.answers.get(answer_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c["label"].get(lang, c["name"]) for c in body["columns"]])
    writer.writerows(body["rows"])
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="answer-{answer_id}.csv"'})


@router.post("/api/v1/feedback", response_model=FeedbackResponse, status_code=201, summary="Thumbs up or down")
def add_feedback(body: FeedbackRequest, context: ContextDep) -> FeedbackResponse:
    return FeedbackResponse(**vars(context.answers.add_feedback(body.answer_id, body.rating, body.comment)))


@router.get("/api/v1/feedback", response_model=list[FeedbackResponse], summary="All feedback")
def list_feedback(context: ContextDep) -> list[FeedbackResponse]:
    return [FeedbackResponse(**vars(f)) for f in context.answers.feedback()]
