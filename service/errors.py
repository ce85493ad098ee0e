"""Every error leaves the service in one JSON shape: {"status": "error", "error": {code, message}}
(a test pins it). Domain errors carry their own HTTP status; nothing becomes a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from semantic_layer.errors import SemanticError

log = logging.getLogger("chatbi")


def error_response(status: int, code: str, message: str, suggestions=(), detail=None,
                   headers: dict | None = None) -> JSONResponse:
    error = {"code": code, "message": message}
    if suggestions:
        error["suggestions"] = list(suggestions)
    if detail is not None:
        error["detail"] = detail
    return JSONResponse({"status": "error", "error": error}, status_code=status, headers=headers)


def _language(request: Request) -> str:
    accept = request.headers.get("accept-language", "zh")
    return "en" if accept.lower().startswith("en") else "zh"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SemanticError)
    async def semantic_error(request: Request, error: SemanticError) -> JSONResponse:
        return error_response(error.status, error.code, error.text(_language(request)), error.suggestions,
                              headers=getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [{"location": [str(p) for p in e.get("loc", ())], "message": e.get("msg", "")}
                    for e in error.errors()]
        summary = "; ".join(f"{'.'.join(p['location'])}: {p['message']}" for p in problems[:5])
        return error_response(422, "invalid_request", f"invalid request: {summary}", detail=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        return error_response(error.status_code, codes.get(error.status_code, "http_error"), str(error.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(500, "internal_error", "internal error; the incident was logged")
