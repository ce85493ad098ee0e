"""Dependency aliases for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.answers import QueryEngine
from service.settings import Settings


def _engine(request: Request) -> QueryEngine:
    return request.app.state.engine


def _settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[QueryEngine, Depends(_engine)]
SettingsDep = Annotated[Settings, Depends(_settings)]
