"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from semantic_layer.query import SemanticQuery


class QueryRequest(SemanticQuery):
    today: dt.date | None = Field(None, description="reference date for time expressions; default: the real date")


class SqlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sql: str = Field(min_length=1, max_length=20_000)


class Column(BaseModel):
    name: str
    label: dict[str, str]
    role: Literal["dimension", "time", "metric"]
    format: str


class AnswerResponse(BaseModel):
    status: Literal["ok"] = "ok"
    sql: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: dict[str, Any]
    truncated: bool
    timings: dict[str, float]


class CatalogMetric(BaseModel):
    id: str
    name: dict[str, str]
    synonyms: list[str]
    description: dict[str, str]
    format: str
    time_scope: str
    dimensions: list[str]


class CatalogDimension(BaseModel):
    id: str
    label: dict[str, str]
    synonyms: list[str]
    time: bool
    grains: list[str]
    values: list[str]
    value_synonyms: dict[str, str]
