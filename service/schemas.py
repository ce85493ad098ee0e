"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from semantic_layer.query import AnalysisKind, SemanticQuery
from service.ask import AskResult
from service.experiment_verdict import VariantComparison


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


class ChangeTotal(BaseModel):
    previous: float = Field(description="the metric in the period compared with")
    current: float
    change: float
    relative: float | None = Field(description="change over previous; null when previous is 0")


class DimensionPower(BaseModel):
    id: str
    label: dict[str, str]
    power: float | None = Field(None, description="share of the change the top 3 members explain")


class AnalysisResult(BaseModel):
    """What an analysis adds to its rows: its summary sentence; for an A/B test the comparisons; for
    attribution the total change, the dimensions ranked and those left out (their members overlap);
    for a customer list its count and whether the caller may export it."""

    kind: AnalysisKind
    summary: dict[str, str] = Field(description="one plain sentence, {zh, en}")
    comparisons: list[VariantComparison] = Field(default_factory=list)
    metric: str | None = None
    total: ChangeTotal | None = None
    periods: dict[str, str] | None = Field(None, description="attribution: the current and the previous period")
    dimension: str | None = Field(None, description="attribution: the dimension whose members the rows are")
    dimensions: list[DimensionPower] = Field(default_factory=list)
    skipped: list[DimensionPower] = Field(default_factory=list)
    count: int | None = Field(None, description="customer_list: how many customers the conditions choose")
    exportable: bool | None = Field(None, description="customer_list: the caller's role may export the list "
                                                      "(POST /api/v1/exports)")


class AnswerResponse(BaseModel):
    status: Literal["ok"] = "ok"
    sql: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: dict[str, Any]
    truncated: bool
    timings: dict[str, float]
    analysis: AnalysisResult | None = Field(None, description="set when the query is an analysis")


class CatalogMetric(BaseModel):
    id: str
    name: dict[str, str]
    synonyms: list[str]
    description: dict[str, str]
    format: str
    time_scope: str
    dimensions: list[str]


class CatalogAnalysis(BaseModel):
    id: str = Field(description="an analysis: the value of SemanticQuery.analysis; a pattern: its name (买过X没买过Y)")
    kind: Literal["analysis", "pattern"] = "analysis"
    name: dict[str, str]
    synonyms: list[str] = Field(description="words that ask for an analysis; example questions of a pattern")
    description: dict[str, str]


class CatalogDimension(BaseModel):
    id: str
    label: dict[str, str]
    synonyms: list[str]
    time: bool
    grains: list[str]
    values: list[str]
    value_synonyms: dict[str, str]
    description: dict[str, str] | None = Field(None, description="how the values are decided (scenario segments)")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=500)
    today: dt.date | None = Field(None, description="reference date for time words; default: the real date")
    conversation_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    engine: Literal["auto", "parser", "llm"] = "auto"
    query: SemanticQuery | None = Field(None, description="an edited reading to run instead of reading the question "
                                                          "(a filter removed, another period): the previous "
                                                          "answer's interpretation.query, changed")


class ReadingPieceOut(BaseModel):
    kind: Literal["metric", "breakdown", "filter", "period", "basis", "having", "order", "compare"]
    text: str
    filter_index: int | None = Field(None, description="for a filter: its place in interpretation.query.filters")


class Interpretation(BaseModel):
    query: dict[str, Any] | None
    text: str
    reading: list[ReadingPieceOut] = Field(default_factory=list, description="the text's pieces, for chips")
    changes: list[str]
    corrections: list[dict[str, str]]


class AskResponse(BaseModel):
    status: Literal["ok", "clarify", "error"]
    question: str
    interpretation: Interpretation | None
    sql: str | None
    columns: list[Column]
    rows: list[list[Any]]
    chart: dict[str, Any] | None
    answer: str
    suggestions: list[str]
    conversation_id: str
    engine: str
    truncated: bool
    timings: dict[str, float]
    answer_id: str | None = Field(None, description="permalink /a/{answer_id}; CSV at /api/v1/answers/{id}/csv")
    notes: list[str] = Field(default_factory=list, description="about the data behind the answer: '数据截至 2025-06-30' "
                                                               "when the period reaches past the data")
    partial_rows: list[int] = Field(default_factory=list, description="rows of a trend whose bucket holds only part "
                                                                      "of its days (marked, never called highest)")
    analysis: AnalysisResult | None = Field(None, description="set when the question asked for an analysis "
                                                              "(why it changed, an A/B test, cohort retention, a "
                                                              "customer list)")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=1000)


class FeedbackResponse(BaseModel):
    id: int
    answer_id: str
    rating: str
    comment: str
    question: str
    created_at: str


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=500)
    webhook_url: str | None = Field(None, max_length=500, pattern=r"^https?://",
                                    description="group robot webhook; default WECOM_WEBHOOK_URL")


class PushResponse(BaseModel):
    status: str
    answer_id: str | None
    errcodes: list[int]


class ExampleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=500)
    query: SemanticQuery


class ExampleResponse(BaseModel):
    id: int
    question: str
    query: dict[str, Any]
    created_at: str


class GlossaryRequest(BaseModel):
    """A word that means a metric ({term, metric}), a dimension value ({term, dimension, value}) or a named
    group of values ({term, dimension, values}: 一线城市 = 北京, 上海, 广州, 深圳)."""

    model_config = ConfigDict(extra="forbid")
    term: str = Field(min_length=1, max_length=40)
    metric: str | None = None
    dimension: str | None = None
    value: str | None = None
    values: list[str] | None = Field(None, min_length=2, max_length=200)


class GlossaryResponse(BaseModel):
    id: int
    term: str
    kind: str  # metric, value or set
    target: str
    value: str
    values: list[str] = []
    created_at: str


def ask_response(result: AskResult) -> AskResponse:
    answer = result.result
    return AskResponse(
        status=result.status, question=result.question, interpretation=result.interpretation(),
        sql=answer.sql if answer else None, columns=[vars(c) for c in answer.columns] if answer else [],
        rows=answer.rows if answer else [], chart=answer.chart.as_dict() if answer else None,
        answer=result.answer_text, suggestions=result.suggestions, conversation_id=result.conversation_id,
        engine=result.engine, truncated=answer.truncated if answer else False, timings=result.timings,
        notes=result.notes, partial_rows=result.partial_rows, analysis=answer.analysis if answer else None)
