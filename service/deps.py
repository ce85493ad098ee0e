"""Dependency aliases for the routes: the service context; the caller (API key or, on an open
demo, everyone) checked against the rate limits; the reader, a caller who may see data (the door
every data route passes: a role without data access stops here); and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from semantic_layer.policy import require_data
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
    address = request.client.host if request.client else "unknown"
    if not context.auth_on:
        context.limiter.check(address)
        request.state.user = OPEN_PRINCIPAL.user
        return OPEN_PRINCIPAL
    context.auth_failures.check(address, count=False)  # an address that keeps guessing is not even checked
    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key", "")
    try:
        if not key:
            raise AccessDenied("需要 API key（Authorization: Bearer ...）",
                               "an API key is required (Authorization: Bearer ...)")
        principal = context.access.by_key(key)
    except AccessDenied:
        context.auth_failures.check(address)
        raise
    context.limiter.check(principal.user)
    request.state.user = principal.user
    return principal


def _reader(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    require_data(principal.policy)
    return principal


def _admin(principal: Annotated[Principal, Depends(_reader)]) -> Principal:
    if not principal.role.admin:
        raise Forbidden("需要管理员权限", "admin role required")
    return principal


def _operator(request: Request) -> Principal | None:
    """Operations endpoints: open, or (the default when keys are required) for admins only."""
    if request.app.state.context.settings.ops_open():
        return None
    return _admin(_reader(_principal(request)))


ContextDep = Annotated[ServiceContext, Depends(_context)]
EngineDep = Annotated[QueryEngine, Depends(_engine)]
AskerDep = Annotated[Asker, Depends(_asker)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
ReaderDep = Annotated[Principal, Depends(_reader)]
AdminDep = Annotated[Principal, Depends(_admin)]
OpsDep = Annotated[Principal | None, Depends(_operator)]
