"""A MetricFlow-style query, with MetricFlow's own field names (as its integration cases write them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GroupByObject(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(max_length=200)
    grain: str | None = Field(None, max_length=40)
    date_part: str | None = Field(None, max_length=40)


class MfQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    metrics: tuple[str, ...] = Field((), max_length=50)
    group_bys: tuple[str, ...] = Field((), max_length=50, description="metric_time__day, booking__is_instant, ...")
    group_by_objs: tuple[GroupByObject, ...] = Field((), max_length=50)
    where_filter: str | None = Field(None, max_length=5000, description="SQL with {{ Dimension('...') }}, "
                                                                         "TimeDimension, Entity and Metric templates")
    time_constraint: tuple[str, str] | None = Field(None, description="metric_time from and to, both included")
    order_bys: tuple[str, ...] = Field((), max_length=50, description="a leading '-' sorts descending")
    limit: int | None = Field(None, ge=0, le=1_000_000)
    min_max_only: bool = False
    apply_group_by: bool = True
    saved_query_name: str | None = Field(None, max_length=200)
