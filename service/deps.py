"""Dependency aliases for the routes: the service context, and the caller (API key or, on an open
demo, everyone) checked against the rate limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.access import OPEN_PRINCIPAL, AccessDenied, Forbidden, Principal
from service.answers import QueryEngine
from service.ask import Asker
from service.context import ServiceContext


def _context(request: Request) -> ServiceContext:
    return request.app.state.context


def _engine(request: Request) -> QueryEngine:
    return request.app.state.context.engine


def _asker(request: Request) -> Asker:
    return request.app.state.context.asker


def _principal(request: Request) -> Principal:
    context: ServiceContext = request.app.state.context
    if not context.auth_on:
        context.limiter.check(request.client.host if request.client else "unknown")
        request.state.user = OPEN_PRINCIPAL.user
        return OPEN_PRINCIPAL
    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key", "")
    if not key:
        raise AccessDenied("需要 API key（Authorization: Bearer ...）", "an API key is required (Authorization: Bearer ...)")
    principal = context.access.by_key(key)
    context.limiter.check(principal.user)
    request.state.user = principal.user
    return principal


def _admin(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    if not principal.role.admin:
        raise Forbidden("需要管理员权限", "admin role required")
    return principal


ContextDep = Annotated[ServiceContext, Depends(_context)]
EngineDep = Annotated[QueryEngine, Depends(_engine)]
AskerDep = Annotated[Asker, Depends(_asker)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
AdminDep = Annotated[Principal, Depends(_admin)]
