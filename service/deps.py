"""Dependency aliases for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.answers import QueryEngine
from service.ask import Asker
from service.context import ServiceContext


def _context(request: Request) -> ServiceContext:
    return request.app.state.context


def _engine(request: Request) -> QueryEngine:
    return request.app.state.context.engine


def _asker(request: Request) -> Asker:
    return request.app.state.context.asker


ContextDep = Annotated[ServiceContext, Depends(_context)]
EngineDep = Annotated[QueryEngine, Depends(_engine)]
AskerDep = Annotated[Asker, Depends(_asker)]
