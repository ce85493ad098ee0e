"""The chat page: one static page from web/ for / and for every permalink /a/{id}."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from service.deps import ContextDep

router = APIRouter()


@router.get("/", include_in_schema=False)
@router.get("/a/{answer_id}", include_in_schema=False)
def page(context: ContextDep, answer_id: str | None = None) -> FileResponse:
    return FileResponse(context.settings.web_dir / "index.html", media_type="text/html; charset=utf-8")
