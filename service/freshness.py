"""How far the warehouse's data reaches, and what that means for an answer: a period that runs past
the data ("数据截至 2025-06-30"), an empty answer's reason (no data yet in the period, or a filter
that matches nothing), and the first or last bucket of a trend that holds only part of its days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlglot import exp

from semantic_layer.model import Fact, SemanticModel
from semantic_layer.resolve import ResolvedQuery, lifts_default_filter, metric_facts
from semantic_layer.timeexpr import DateRange, add_months
from service.warehouse import Warehouse

_DAY = dt.timedelta(days=1)


@dataclass
class Reading:
    """What an answer says about the data behind it, besides its figures."""
    notes: list[str] = field(default_factory=list)
    partial_rows: list[int] = field(default_factory=list)
    empty_reason: str | None = None


class DataRanges:
    """The first and last day of data of the time column a fact is dated by in a query (its own, or
    the one that replaces it when its default filter is lifted: orders by order time), measured the
    first time it is needed and again when the warehouse file changes. A column of a derived table
    has no range of its own (first purchases are dated by the orders they derive from)."""

    def __init__(self, model: SemanticModel, warehouse: Warehouse) -> None:
        self.model = model
        self.warehouse = warehouse
        self._version: tuple[int, int] | None = None
        self._ranges: dict[tuple[str, str], tuple[dt.date, dt.date] | None] = {}

    def of(self, fact: Fact, query: ResolvedQuery) -> tuple[dt.date, dt.date] | None:
        lifted = fact.default_filter and fact.default_filter.time_when_lifted and lifts_default_filter(fact, query)
        table, _, column = (fact.default_filter.time_when_lifted if lifted else fact.time.column).rpartition(".")
        source = table or fact.table
        if self.model.table_by_name[source].sql:
            return None
        version = self.warehouse.data_version()
        if version != self._version:
            self._version, self._ranges = version, {}
        if (source, column) not in self._ranges:
            day = exp.cast(exp.column(column), "DATE")
            first, last = self.warehouse.run(exp.select(exp.Min(this=day), exp.Max(this=day.copy())).from_(source),
                                             1, 30).rows[0]
            self._ranges[(source, column)] = (first, last) if first is not None else None
        return self._ranges[(source, column)]


def describe_data(ranges: DataRanges, query: ResolvedQuery, rows: list[list], values: dict[str, list[str]],
                  language: str) -> Reading:
    zh = language == "zh"
    facts = [f for m in query.metrics for f in metric_facts(ranges.model, m) if f.time]
    spans = [s for s in (ranges.of(f, query) for f in facts) if s]
    reading = Reading()
    if not spans:
        return reading
    first, last = max(s[0] for s in spans), min(s[1] for s in spans)
    period = query.time_range
    if period and period.end - _DAY > last:
        reading.notes.append(f"数据截至 {last.isoformat()}" if zh else f"Data through {last.isoformat()}")
    outside = period is not None and (period.start > last or period.end <= first)  # a count says 0 there
    if outside or all(v is None for row in rows for v in row):  # no rows, or one total over nothing
        reading.empty_reason = _why_empty(query, values, first, last, zh)
    covered = DateRange(max(first, period.start) if period else first,
                        min(last + _DAY, period.end) if period else last + _DAY)
    time_columns = [i for i, d in enumerate(query.dimensions) if d.dimension.time]
    if time_columns and rows and not query.count_groups:
        at, grain = time_columns[0], query.dimensions[time_columns[0]].grain
        reading.partial_rows = [r for r, row in enumerate(rows) if row[at] is not None and not _whole(
            _as_date(row[at]), grain, covered)]
    return reading


def _why_empty(query: ResolvedQuery, values: dict[str, list[str]], first: dt.date, last: dt.date,
               zh: bool) -> str:
    period = query.time_range
    if period and period.start > last:
        return (f"这段时间还没有数据（数据截至 {last.isoformat()}）。" if zh else
                f"There is no data for this period yet (data through {last.isoformat()}).")
    if period and period.end <= first:
        return (f"这段时间之前还没有数据（数据从 {first.isoformat()} 开始）。" if zh else
                f"There is no data this early (data starts {first.isoformat()}).")
    for item in query.filters:
        known = values.get(item.dimension.id)
        missing = [v for v in item.values if known is not None and str(v) not in known] if item.op in ("=", "in") else []
        if missing:
            label = item.dimension.label.zh if zh else item.dimension.label.en
            return (f"「{label}: {'、'.join(map(str, missing))}」没有匹配的数据。" if zh else
                    f"No data matches {label}: {', '.join(map(str, missing))}.")
    if query.having:
        return ("没有满足条件的分组。" if zh else "No group passes the condition.")
    if not query.filters:
        return "这段时间没有数据。" if zh else "There is no data for this period."
    named = ("、" if zh else ", ").join(f.dimension.label.pick("zh" if zh else "en") for f in query.filters)
    return (f"这些条件（{named}）放在一起没有匹配的数据。" if zh else
            f"No data matches these conditions together ({named}).")


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _whole(start: dt.date, grain: str, covered: DateRange) -> bool:
    """Does the bucket starting at ``start`` lie inside the covered days?"""
    end = {"day": lambda d: d + _DAY, "week": lambda d: d + 7 * _DAY, "month": lambda d: add_months(d, 1),
           "quarter": lambda d: add_months(d, 3), "year": lambda d: add_months(d, 12)}[grain](start)
    return covered.start <= start and end <= covered.end
